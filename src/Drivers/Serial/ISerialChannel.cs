namespace Gateway.Drivers.Serial;

/// <summary>
/// A byte stream with the two things a serial-line protocol needs beyond read and write:
/// reading with a silence timeout (frames end in silence) and discarding whatever input
/// is buffered (stale bytes before a new request). Implemented by <see cref="LinuxSerialPort"/>
/// and by <see cref="InMemorySerialChannel"/> for tests.
/// </summary>
internal interface ISerialChannel : IAsyncDisposable
{
    /// <summary>
    /// Reads what has arrived, at least one byte, waiting at most <paramref name="timeout"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/> for no limit). Returns 0 when nothing came in time.
    /// </summary>
    /// <exception cref="IOException">The channel failed or was closed.</exception>
    ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    /// <exception cref="IOException">The channel failed or was closed.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Drops every byte received and not read yet.</summary>
    void DiscardInput();
}
