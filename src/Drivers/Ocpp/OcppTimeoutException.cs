namespace Gateway.Drivers.Ocpp;

/// <summary>The peer did not answer a CALL within the call timeout (OCPP-J: the caller then treats the call as failed).</summary>
public sealed class OcppTimeoutException : TimeoutException
{
    /// <summary>Creates the exception; <paramref name="message"/> names the peer, the action and the wait.</summary>
    public OcppTimeoutException(string message) : base(message)
    {
    }
}
