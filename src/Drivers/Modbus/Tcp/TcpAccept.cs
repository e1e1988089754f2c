using System.Net.Sockets;

namespace Gateway.Drivers.Modbus.Tcp;

/// <summary>The accept step every TCP listener here shares (the Modbus server, the test kit's fault proxy).</summary>
internal static class TcpAccept
{
    /// <summary>
    /// The next client of <paramref name="listener"/> with Nagle off (request/response protocols want each frame out at
    /// once), or null once the listener is stopped or closed. A connection that died in the accept queue (reset by its
    /// peer) is not the listener's problem: it is skipped.
    /// </summary>
    public static async Task<Socket?> NextClientAsync(Socket listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                client.NoDelay = true;
                return client;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException)
            {
            }
        }

        return null;
    }
}
