namespace Gateway.Drivers.Ocpp;

/// <summary>The peer answered a CALL with a CALLERROR (or our own check refused its CALLRESULT).</summary>
public sealed class OcppCallErrorException : Exception
{
    /// <summary>Creates the exception for the answer to <paramref name="action"/>.</summary>
    public OcppCallErrorException(string action, string errorCode, string description)
        : base($"{action} answered with CALLERROR {errorCode}: {description}")
    {
        Action = action;
        ErrorCode = errorCode;
        Description = description;
    }

    /// <summary>The action that was refused.</summary>
    public string Action { get; }

    /// <summary>One of <see cref="OcppErrorCode"/> (or the peer's own code).</summary>
    public string ErrorCode { get; }

    /// <summary>The peer's description.</summary>
    public string Description { get; }
}
