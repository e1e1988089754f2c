using System.Collections.Concurrent;

namespace Gateway.Testing.Fabric;

/// <summary>Failure modes a test switches on to see how the client copes. Safe to change while calls are in flight.</summary>
public sealed class PeerFaults
{
    private int _readConflictsToInject;
    private readonly ConcurrentDictionary<string, byte> _organizationsDown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _withheldEndorsements = new(StringComparer.Ordinal);

    /// <summary>When set, every Endorse fails as if the chaincode had returned this error.</summary>
    public string? EndorsementFailure { get; set; }

    /// <summary>Delay before the peer handles any call (a slow or overloaded peer).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>
    /// Each Endorse waits a random time up to this long (seeded by <see cref="EndorsementJitterSeed"/>), so endorsements of
    /// transactions sent in one order finish in another, as they do across a real network.
    /// </summary>
    public TimeSpan EndorsementJitter { get; set; }

    /// <summary>Seed of <see cref="EndorsementJitter"/>.</summary>
    public int EndorsementJitterSeed { get; set; } = 1;

    /// <summary>When true, Submit fails as a gateway does while the orderers elect a Raft leader.</summary>
    public bool OrderersUnavailable { get; set; }

    /// <summary>Makes the next <paramref name="count"/> ordered transactions fail validation with MVCC_READ_CONFLICT.</summary>
    public void InjectReadConflicts(int count) => Interlocked.Exchange(ref _readConflictsToInject, count);

    /// <summary>
    /// Takes an organisation's peers off the network: a channel whose policy needs it cannot be endorsed ("no combination
    /// of peers can be derived which satisfy the endorsement policy", as a gateway answers before gossip finds a peer).
    /// </summary>
    public void OrganizationDown(string mspId) => _organizationsDown[mspId] = 0;

    /// <summary>Brings an organisation's peers back.</summary>
    public void OrganizationUp(string mspId) => _organizationsDown.TryRemove(mspId, out _);

    /// <summary>
    /// The gateway assembles transactions without this organisation's endorsement (a wrong endorsement plan): they are
    /// ordered, and validation marks them ENDORSEMENT_POLICY_FAILURE.
    /// </summary>
    public void WithholdEndorsement(string mspId) => _withheldEndorsements[mspId] = 0;

    /// <summary>Endorsements are complete again.</summary>
    public void RestoreEndorsements() => _withheldEndorsements.Clear();

    internal bool IsDown(string mspId) => _organizationsDown.ContainsKey(mspId);

    internal bool IsWithheld(string mspId) => _withheldEndorsements.ContainsKey(mspId);

    internal bool TakeReadConflict()
    {
        while (true)
        {
            var current = Volatile.Read(ref _readConflictsToInject);
            if (current <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _readConflictsToInject, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
