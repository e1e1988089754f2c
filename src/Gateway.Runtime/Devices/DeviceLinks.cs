namespace Gateway.Runtime.Devices;

/// <summary>Every device link of the rig, in the rig's order; disposing it closes them all.</summary>
internal sealed class DeviceLinks(IReadOnlyList<DeviceLink> links) : IReadOnlyList<DeviceLink>, IAsyncDisposable
{
    public DeviceLink this[int index] => links[index];

    public int Count => links.Count;

    public IEnumerator<DeviceLink> GetEnumerator() => links.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public async ValueTask DisposeAsync()
    {
        foreach (var link in links) await link.DisposeAsync().ConfigureAwait(false);
    }
}
