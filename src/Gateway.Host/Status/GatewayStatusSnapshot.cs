namespace Gateway.Host.Status;

/// <summary>Everything operators see at one instant; immutable, safe to serialise.</summary>
/// <param name="SiteId">Site id from the rig.</param>
/// <param name="AtUtc">When the snapshot was taken (gateway clock, simulated on simulated rigs).</param>
/// <param name="Devices">Every device of the rig.</param>
/// <param name="Setpoints">Setpoints of the current round.</param>
/// <param name="Rounds">Recent rounds, newest last.</param>
/// <param name="Ledger">Settlement backlog.</param>
/// <param name="OperatorAcks">Round ids an operator has acknowledged, with who acknowledged.</param>
public sealed record GatewayStatusSnapshot(
    string SiteId,
    DateTimeOffset AtUtc,
    IReadOnlyList<DeviceHealth> Devices,
    IReadOnlyList<DispatchedSetpoint> Setpoints,
    IReadOnlyList<RoundSummary> Rounds,
    LedgerBacklog Ledger,
    IReadOnlyDictionary<string, string> OperatorAcks);
