namespace Gateway.Host.Cli;

/// <summary>
/// Process exit codes shared by every verb, so scripts at a charging pile can tell
/// what went wrong without parsing text.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>The operation ran but failed (a setpoint not confirmed, a tampered ledger).</summary>
    public const int Failed = 1;
    /// <summary>Bad input: a malformed file, a missing or out-of-range field, a wrong argument.</summary>
    public const int BadInput = 2;
    /// <summary>The device or service could not be reached (connection refused, no route, no such port).</summary>
    public const int Unreachable = 3;
    /// <summary>The device was reached but did not answer in time.</summary>
    public const int Timeout = 4;
    /// <summary>The device answered with a protocol-level exception (e.g. a Modbus exception code).</summary>
    public const int DeviceException = 5;
}
