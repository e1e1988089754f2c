namespace Gateway.Testing.Fabric;

/// <summary>Failure modes a test switches on to see how the client copes. Safe to change while calls are in flight.</summary>
public sealed class PeerFaults
{
    private int _readConflictsToInject;

    /// <summary>When set, every Endorse fails as if the chaincode had returned this error.</summary>
    public string? EndorsementFailure { get; set; }

    /// <summary>Delay before the peer handles any call (a slow or overloaded peer).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>When true, Submit fails as a gateway does while the orderers elect a Raft leader.</summary>
    public bool OrderersUnavailable { get; set; }

    /// <summary>Makes the next <paramref name="count"/> ordered transactions fail validation with MVCC_READ_CONFLICT.</summary>
    public void InjectReadConflicts(int count) => Interlocked.Exchange(ref _readConflictsToInject, count);

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
