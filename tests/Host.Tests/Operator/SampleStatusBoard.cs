using Gateway.Runtime.Journal;
using Gateway.Runtime.Status;
using Gateway.Testing;

namespace Gateway.Host.Tests.Operator;

/// <summary>A status board as the worker leaves it on a bench feeder mid-morning: eight devices, twenty rounds.</summary>
internal static class SampleStatusBoard
{
    public const string SiteId = "bench-feeder-7";
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 12, 30, TimeSpan.Zero);
    public const int RoundCount = 20;

    public static string RoundId(int index) => SiteId + "-" + Start(index).ToString("yyyyMMdd'T'HHmm");

    public static string LatestRoundId => RoundId(RoundCount - 1);

    public static string[] DeviceIds => ["ev-01", "ev-02", "ev-03", "ev-04", "meter-main", "pv-roof-a", "pv-roof-b", "smes-1"];

    public static (GatewayStatusBoard Board, FakeTimeProvider Clock) Create(string siteId = SiteId)
    {
        var clock = new FakeTimeProvider(Now);
        var board = new GatewayStatusBoard(siteId, clock);
        Fill(board);
        return (board, clock);
    }

    public static void Fill(GatewayStatusBoard board)
    {
        board.TimeScale = 180;
        board.Feeder = new FeederTopology("n0",
        [
            new("n0", 0, ["meter-main"]), new("n1", 2, []), new("n2", 0, ["ev-01", "pv-roof-a"]),
            new("n3", 1, ["ev-02", "smes-1", "pv-roof-b"]), new("n4", 0, ["ev-03", "ev-04"]),
        ],
        [
            new("T1", "n0", "n1", 100), new("L12", "n1", "n2", 30), new("L13", "n1", "n3", 2), new("L34", "n3", "n4", 30),
        ]);
        for (var i = 0; i < RoundCount; i++) board.Report(Round(i));
        var roundId = LatestRoundId;
        var validUntil = Start(RoundCount - 1).AddMinutes(16);
        board.Report(new DispatchedSetpoint(roundId, "ev-01", 7.2, validUntil, SetpointStatus.Confirmed, 7.18));
        board.Report(new DispatchedSetpoint(roundId, "ev-02", -5.0, validUntil, SetpointStatus.Confirmed, -4.96));
        board.Report(new DispatchedSetpoint(roundId, "ev-03", 3.7, validUntil, SetpointStatus.Missed, 0.0));
        board.Report(new DispatchedSetpoint(roundId, "ev-04", 0.0, validUntil, SetpointStatus.Skipped, null));
        board.Report(new DispatchedSetpoint(roundId, "smes-1", -8.5, validUntil, SetpointStatus.Confirmed, -8.5));
        board.Report(new DispatchedSetpoint(roundId, "pv-roof-a", 11.0, validUntil, SetpointStatus.Intended, null));

        board.Report(Device("ev-01", "charger", "ev-01", DeviceLinkState.Healthy, 2, null, new() { ["PowerKw"] = 7.18, ["SocPercent"] = 54, ["PlugState"] = 11 }, 7.2, validUntil)
            with { States = new Dictionary<string, string> { ["PlugState"] = "discharging" }, NodeId = "n2" });
        board.Report(Device("ev-02", "charger", "ev-02", DeviceLinkState.Healthy, 3, null, new() { ["PowerKw"] = -4.96, ["SocPercent"] = 81, ["PlugState"] = 1 }, -5.0, validUntil)
            with { States = new Dictionary<string, string> { ["PlugState"] = "charging" }, NodeId = "n3" });
        board.Report(Device("ev-03", "charger", "ev-03", DeviceLinkState.Degraded, 190, "3 of the last 10 reads timed out (Modbus TCP 127.0.0.1:15023, unit 1)", new() { ["PowerKw"] = 0.0, ["SocPercent"] = 33 }, 3.7, validUntil)
            with { Stale = true, NodeId = "n4" });
        board.Report(Device("ev-04", "charger", "ev-04", DeviceLinkState.Isolated, 185, "no answer for 3 min: connection refused by 127.0.0.1:15024", new(), null, null) with { Stale = true });
        board.Report(Device("meter-main", "meter", "feeder", DeviceLinkState.Healthy, 1, null, new() { ["PowerKw"] = 14.6, ["VoltageV"] = 231.4, ["FrequencyHz"] = 50.01 }, null, null));
        board.Report(Device("pv-roof-a", "pv-inverter", "house-3", DeviceLinkState.Healthy, 2, null, new() { ["PowerKw"] = 11.2, ["EnergyTodayKwh"] = 18.4 }, 11.0, validUntil));
        board.Report(Device("pv-roof-b", "pv-inverter", "house-5", DeviceLinkState.Unknown, null, null, new(), null, null));
        board.Report(Device("smes-1", "smes", "smes", DeviceLinkState.Healthy, 1, null, new() { ["PowerKw"] = -8.5, ["StoredEnergyKwh"] = 3.42, ["SocPercent"] = 68 }, -8.5, validUntil));

        board.Report(new LedgerBacklog(3, TimeSpan.FromSeconds(95), 1, 412, "peer0.org1 UNAVAILABLE: no orderers could successfully process transaction"));
        board.Acknowledge(new OperatorAck(RoundId(RoundCount - 3), "m.keller", "dashboard", "127.0.0.1"));
        board.Acknowledge(new OperatorAck(RoundId(RoundCount - 4), "m.keller", "mqtt", "broker user scada-1"));
    }

    public static DateTimeOffset Start(int index) => new DateTimeOffset(2026, 11, 22, 3, 30, 0, TimeSpan.Zero).AddMinutes(15 * index);

    public static RoundSummary Round(int index)
    {
        var state = index switch
        {
            RoundCount - 1 => RoundPhase.Delivering,
            RoundCount - 2 => RoundPhase.Metered,
            RoundCount - 3 => RoundPhase.Settled,
            _ => RoundPhase.Closed,
        };
        var success = Math.Clamp(0.78 + 0.18 * Math.Sin(index * 0.7), 0, 1);
        var renewable = Math.Clamp(0.62 + 0.25 * Math.Sin(index * 0.35 + 1.1), 0, 1);
        var trades = new List<TradeSummary>
        {
            new("ev-01", "pv-roof-a", 1.8, state >= RoundPhase.Metered ? 1.77 : null, 0.214, "executed", null),
            new("house-4", "ev-02", 1.25, state >= RoundPhase.Metered ? 1.24 : null, 0.198, "executed", null),
            new("ev-03", "smes", 0.9, state >= RoundPhase.Metered ? 0.61 : null, 0.231, "smes", "line L34 over its limit", "L34"),
        };
        if (index % 3 == 0) trades.Add(new("house-6", "pv-roof-b", 0.6, null, 0.205, "failed", "seller not reachable"));
        return new RoundSummary(RoundId(index), Start(index), Start(index + 1), state, 5 + index % 3, 3 + index % 2, trades,
            SmesEnergyKwh: Math.Round(2.4 * Math.Sin(index * 0.5), 2), GridEnergyKwh: Math.Round(1.5 + index % 4 * 0.4, 2),
            TransactionSuccessRate: success, RenewableConsumptionRate: renewable, WelfareCurrency: Math.Round(3.1 + 1.2 * Math.Cos(index * 0.45), 2),
            SetpointsConfirmed: 6 - index % 2, SetpointsMissed: index % 2);
    }

    private static DeviceHealth Device(string id, string kind, string participant, DeviceLinkState state, int? secondsSinceReading, string? error,
        Dictionary<string, double> measurements, double? setpointKw, DateTimeOffset? validUntil) =>
        new(id, kind, participant, state, secondsSinceReading is { } s ? Now.AddSeconds(-s) : null, error, measurements, setpointKw, validUntil);
}
