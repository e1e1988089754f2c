using System.Globalization;
using System.Text;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// A rig of any size for benchmarks and soaks: one SMES, one site meter, a quarter PV inverters and the rest V2G
/// chargers, on an eight-branch radial feeder whose branch L3 is congested (20 kW), polled once a simulated minute. The
/// devices sit in contiguous blocks behind <see cref="Endpoints"/> Modbus TCP servers with a unit id each, like rows of
/// piles behind TCP-to-RTU gateways; device-sims started with port base 0 gives each endpoint a server on a free port.
/// </summary>
public sealed record GeneratedSite
{
    /// <summary>Unit ids one Modbus TCP endpoint can address.</summary>
    public const int UnitsPerEndpoint = 247;

    /// <summary>The site's name.</summary>
    public string Site { get; init; } = "bench";

    /// <summary>How many devices (at least 3).</summary>
    public int Devices { get; init; } = 200;

    /// <summary>How many Modbus TCP servers the devices are spread over (each serves at most <see cref="UnitsPerEndpoint"/>).</summary>
    public int Endpoints { get; init; } = 1;

    /// <summary>Simulated start, ISO 8601.</summary>
    public string Start { get; init; } = "2026-06-01T11:00:00Z";

    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; } = 60;

    /// <summary>
    /// Cars arrive and leave at staggered hours over the day (the market changes from round to round), instead of all
    /// plugged in from 06:00 to 22:00.
    /// </summary>
    public bool CarsComeAndGo { get; init; }

    /// <summary>Base load at each branch node, kW (none when null).</summary>
    public double? NodeBaseLoadKw { get; init; }

    /// <summary>The grid's time-of-use prices, as the rig's <c>gridPrices</c> list.</summary>
    public string GridPrices { get; init; } = "[ { from: \"00:00\", pricePerKwh: 0.62 }, { from: \"10:00\", pricePerKwh: 1.01 } ]";

    /// <summary>The rig file (YAML).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 3 devices, or endpoints that cannot address them all.</exception>
    public string Yaml()
    {
        if (Devices < 3) throw new ArgumentOutOfRangeException(nameof(Devices), Devices, "at least 3 devices");
        if (Endpoints < 1 || Endpoints > Devices) throw new ArgumentOutOfRangeException(nameof(Endpoints), Endpoints, $"1–{Devices} endpoints");
        var perEndpoint = (Devices + Endpoints - 1) / Endpoints;
        if (perEndpoint > UnitsPerEndpoint)
            throw new ArgumentOutOfRangeException(nameof(Endpoints), Endpoints, $"{Devices} devices need at least {(Devices + UnitsPerEndpoint - 1) / UnitsPerEndpoint} endpoints ({UnitsPerEndpoint} unit ids each)");
        var inv = CultureInfo.InvariantCulture;
        var idDigits = Math.Max(3, Devices.ToString(inv).Length);
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(inv, $"site: {Site}\nstart: {Start}\ntimeScale: {TimeScale}\ndevices:"));
        var pv = Math.Max(1, (Devices - 2) / 4);
        for (var i = 1; i <= Devices; i++)
        {
            var node = $"n{1 + i % 8}";
            string kind, profile, sim;
            if (i == 1) { kind = "smes"; profile = "smes-converter"; sim = "{ inductanceH: 80, maxCurrentA: 1500, minCurrentA: 100, initialCurrentA: 900, maxPowerKw: 200 }"; }
            else if (i == 2) { kind = "meter"; profile = "sunspec-meter"; sim = "{ }"; }
            else if (i <= 2 + pv) { kind = "pv-inverter"; profile = "sunspec-inverter"; sim = "{ ratedKwp: 8, irradiance: { clearSky: { peakWPerM2: 900, sunrise: \"06:00\", sunset: \"20:00\" } } }"; }
            else
            {
                kind = "charger"; profile = "v2g-charger";
                var seller = i % 3 == 0;
                var arrive = (i * 37) % 12;
                var (arrival, departure, socPercent, targetPercent) = CarsComeAndGo
                    ? (string.Create(inv, $"{arrive:00}:00"), string.Create(inv, $"{Math.Min(23, arrive + 10):00}:30"), seller ? 85 : 25, seller ? 45 : 85)
                    : ("06:00", "22:00", seller ? 85 : 30, seller ? 50 : 80);
                sim = string.Create(inv, $"{{ batteryKwh: 60, socAtArrivalPercent: {socPercent}, arrival: \"{arrival}\", departure: \"{departure}\", targetSocPercent: {targetPercent}, maxChargeKw: 7.4, maxDischargeKw: 7.4 }}");
            }
            var endpoint = (i - 1) / perEndpoint;
            var unit = (i - 1) % perEndpoint + 1;
            sb.AppendLine(string.Create(inv, $"  - {{ id: d{i.ToString(new string('0', idDigits), inv)}, kind: {kind}, node: {node}, protocol: modbus-tcp, endpoint: \"127.0.0.1:{endpoint + 1}\", unitId: {unit}, profile: {profile}, pollSeconds: 60, sim: {sim} }}"));
        }
        var baseLoad = NodeBaseLoadKw is { } kw ? string.Create(inv, $", baseLoadKw: {kw}") : "";
        sb.AppendLine("feeder:\n  root: n0\n  nodes: [ { id: n0 }, " + string.Join(", ", Enumerable.Range(1, 8).Select(n => $"{{ id: n{n}{baseLoad} }}")) + " ]\n  lines:");
        for (var n = 1; n <= 8; n++) sb.AppendLine($"    - {{ id: L{n}, from: n0, to: n{n}, limitKw: {(n == 3 ? 20 : 400)} }}");
        sb.AppendLine($"market:\n  intervalMinutes: 15\n  gridPrices: {GridPrices}\n  feedInPricePerKwh: 0.3\n  readBackSeconds: 8");
        sb.AppendLine("ledger: { kind: embedded, path: ledger.db }\njournal: { path: journal.db }");
        return sb.ToString();
    }
}
