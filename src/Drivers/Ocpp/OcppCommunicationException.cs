namespace Gateway.Drivers.Ocpp;

/// <summary>The WebSocket to the peer is closed or broke, or the peer cannot be reached.</summary>
public sealed class OcppCommunicationException : IOException
{
    /// <summary>Creates the exception.</summary>
    public OcppCommunicationException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
