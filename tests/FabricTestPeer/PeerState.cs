using System.Collections.Concurrent;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Gateway.Testing.Fabric;

/// <summary>A deadline a client sent with a call, as the peer saw it when the call arrived.</summary>
/// <param name="Method">Endorse, Submit, CommitStatus, Evaluate or ChaincodeEvents.</param>
/// <param name="Remaining">Time left until the deadline when the call arrived (wall time).</param>
public sealed record ObservedDeadline(string Method, TimeSpan Remaining);

/// <summary>Everything the gateway service needs across calls (gRPC creates a service instance per call).</summary>
internal sealed class PeerState
{
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly ConcurrentQueue<ObservedDeadline> _deadlines = new();
    private readonly ConcurrentQueue<DateTimeOffset> _proposalTimes = new();

    public PeerState(TestPki pki, TestPeerSettings settings)
    {
        Pki = pki;
        Settings = settings;
        Organizations = new[] { pki }.Concat(settings.OtherOrganizations).ToDictionary(p => p.MspId, StringComparer.Ordinal);
        Verifier = new CreatorVerifier(Organizations.ToDictionary(o => o.Key, o => o.Value.MspCa.Certificate, StringComparer.Ordinal));
        Channels = settings.Channels.ToDictionary(c => c.Name, c => new ChannelLedger(c, pki.MspId, Faults, settings.BatchTimeout, settings.MaxTransactionsPerBlock), StringComparer.Ordinal);
        Jitter = new Random(Faults.EndorsementJitterSeed);
    }

    public TestPki Pki { get; }

    public TestPeerSettings Settings { get; }

    /// <summary>The peer's own organisation and the others whose peers it stands in for, by MSP id.</summary>
    public IReadOnlyDictionary<string, TestPki> Organizations { get; }

    public CreatorVerifier Verifier { get; }

    public IReadOnlyDictionary<string, ChannelLedger> Channels { get; }

    public PeerFaults Faults { get; } = new();

    public Random Jitter { get; set; }

    /// <summary>Endorsed transactions by id: the prepared payload Submit must match, and what endorsing produced.</summary>
    public ConcurrentDictionary<string, (ByteString Payload, Simulation Simulation, IReadOnlySet<string> Endorsers, ChannelLedger Channel)> Endorsed { get; } = new();

    public string Address { get; set; } = "";

    public IReadOnlyDictionary<string, int> CallCounts => _calls;

    public IReadOnlyList<ObservedDeadline> Deadlines => _deadlines.ToList();

    public IReadOnlyList<DateTimeOffset> ProposalTimestamps => _proposalTimes.ToList();

    public void Count(string method) => _calls.AddOrUpdate(method, 1, (_, n) => n + 1);

    public void ObserveDeadline(string method, DateTime deadlineUtc, DateTimeOffset now)
    {
        if (deadlineUtc != DateTime.MaxValue) _deadlines.Enqueue(new ObservedDeadline(method, new DateTimeOffset(deadlineUtc, TimeSpan.Zero) - now));
    }

    public void ObserveProposal(Timestamp timestamp) => _proposalTimes.Enqueue(timestamp.ToDateTimeOffset());
}
