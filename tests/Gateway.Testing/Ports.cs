using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>Free TCP ports on 127.0.0.1 for peers that a test starts.</summary>
public static class Ports
{
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>
    /// A port the OS calls free now. No port is handed out twice in one test process, so two peers started by parallel
    /// tests never race for the same one; a peer that still loses its port to another process must retry on a new one.
    /// </summary>
    public static int Free()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (s_handedOut)
            {
                if (s_handedOut.Add(port)) return port;
            }
        }
    }
}
