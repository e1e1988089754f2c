namespace Gateway.Testing.Fabric;

/// <summary>The peer's versioned key-value state: each write gets a new version, so validation can detect stale reads.</summary>
internal sealed class WorldState
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, (byte[] Value, long Version)> _entries = new(StringComparer.Ordinal);
    private long _lastVersion;

    /// <summary>Value and version of a key; version 0 and null for a key that does not exist.</summary>
    public (byte[]? Value, long Version) Get(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var entry) ? (entry.Value, entry.Version) : (null, 0);
        }
    }

    /// <summary>All entries whose key starts with <paramref name="prefix"/>, in key order.</summary>
    public List<(string Key, byte[] Value)> Scan(string prefix)
    {
        lock (_gate)
        {
            return _entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => (e.Key, e.Value.Value)).ToList();
        }
    }

    /// <summary>Applies a transaction's writes if every key it read is still at the version it saw; false on a read conflict.</summary>
    public bool TryApply(IReadOnlyDictionary<string, long> reads, IReadOnlyDictionary<string, byte[]> writes)
    {
        lock (_gate)
        {
            foreach (var (key, version) in reads)
            {
                var current = _entries.TryGetValue(key, out var entry) ? entry.Version : 0;
                if (current != version)
                {
                    return false;
                }
            }
            foreach (var (key, value) in writes)
            {
                _entries[key] = (value, ++_lastVersion);
            }
            return true;
        }
    }
}
