namespace Gateway.Testing.Rigs;

/// <summary>
/// The parts of a rig file a test writes but is not about: a one-line feeder and a flat-price market, so the test
/// spells out only its devices and the section it checks. Each part starts at column 0; put it on a line of its own at
/// the raw string's base indentation.
/// </summary>
public static class RigYaml
{
    /// <summary>Root n0 and one node n1 below it over line L1 of 50 kW.</summary>
    public const string OneLineFeeder = """
        feeder:
          root: n0
          nodes: [ { id: n0 }, { id: n1 } ]
          lines: [ { id: L1, from: n0, to: n1, limitKw: 50 } ]
        """;

    /// <summary>15-minute intervals, 0.5 per kWh from the grid all day, 0.3 per kWh fed in.</summary>
    public const string FlatMarket = """
        market:
          intervalMinutes: 15
          gridPrices: [ { from: "00:00", pricePerKwh: 0.5 } ]
          feedInPricePerKwh: 0.3
        """;

    /// <summary><see cref="OneLineFeeder"/> then <see cref="FlatMarket"/>.</summary>
    public const string FeederAndMarket = OneLineFeeder + "\n" + FlatMarket;
}
