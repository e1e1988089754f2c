namespace Gateway.Runtime.Status;

/// <summary>Everything operators see at one instant; immutable, safe to serialise.</summary>
/// <param name="SiteId">Site id from the rig.</param>
/// <param name="AtUtc">When the snapshot was taken on the plant's clock (simulated time on simulated rigs; see <see cref="TimeScale"/>).</param>
/// <param name="Devices">Every device of the rig.</param>
/// <param name="Setpoints">Setpoints of the current round.</param>
/// <param name="Rounds">Recent rounds, oldest first (skipped intervals included).</param>
/// <param name="Ledger">Settlement backlog.</param>
/// <param name="OperatorAcks">Round ids an operator has acknowledged, with who acknowledged.</param>
internal sealed record GatewayStatusSnapshot(
    string SiteId,
    DateTimeOffset AtUtc,
    IReadOnlyList<DeviceHealth> Devices,
    IReadOnlyList<DispatchedSetpoint> Setpoints,
    IReadOnlyList<RoundSummary> Rounds,
    LedgerBacklog Ledger,
    IReadOnlyDictionary<string, string> OperatorAcks)
{
    /// <summary>When the snapshot was taken, wall time (acknowledgement deadlines and broker events are on it).</summary>
    public DateTimeOffset WallUtc { get; init; }

    /// <summary>Simulated seconds per real second: 1 on a real site, where plant time is wall time.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Every acknowledgement recorded, with who, via what, from where and when.</summary>
    public IReadOnlyList<OperatorAck> Acknowledgements { get; init; } = [];

    /// <summary>The gateway's broker connections.</summary>
    public IReadOnlyList<BrokerLink> Brokers { get; init; } = [];

    /// <summary>The newest settlements the ledger reported committed (ChaincodeEvents on Fabric, new blocks on the embedded ledger), newest first.</summary>
    public IReadOnlyList<LedgerCommit> LedgerCommits { get; init; } = [];

    /// <summary>How many committed settlements the ledger reported since the gateway started.</summary>
    public long LedgerCommitsSeen { get; init; }

    /// <summary>The feeder with its line flows (null when the board has no topology).</summary>
    public FeederView? Feeder { get; init; }

    /// <summary>The bench's e-stop interlock (null: the rig has no safety section).</summary>
    public InterlockStatus? Interlock { get; init; }
}
