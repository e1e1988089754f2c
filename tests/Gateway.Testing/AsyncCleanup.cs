namespace Gateway.Testing;

/// <summary>
/// The peers a test started, stopped in reverse order. Every one is stopped even when another's disposal fails: a failed
/// test must not leave a node process or a listening socket behind. The failures are thrown together at the end.
/// </summary>
public sealed class AsyncCleanup : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _items = [];

    /// <summary>Stops <paramref name="item"/> when the test ends.</summary>
    public void Add(IAsyncDisposable item)
    {
        lock (_items) _items.Add(item);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] items;
        lock (_items)
        {
            items = [.. _items];
            _items.Clear();
        }
        var errors = new List<Exception>();
        foreach (var item in items.Reverse())
        {
            try { await item.DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { errors.Add(e); }
        }
        if (errors.Count > 0) throw new AggregateException(errors);
    }
}
