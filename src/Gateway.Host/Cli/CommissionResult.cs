using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Discovery;

namespace Gateway.Host.Cli;

/// <summary>Everything one commissioning session found and measured: what the report, the JSON and the rig entry are made of.</summary>
internal sealed class CommissionResult
{
    public required CommissionRequest Request { get; init; }
    public required DateTimeOffset StartedUtc { get; init; }
    public ModbusUnitIdentity? Identity { get; set; }
    public string? TopicPrefix { get; set; }
    public DeviceProfile? Profile { get; set; }
    public string? ProfileChosenBecause { get; set; }
    public DeviceReading? Reading { get; set; }
    public IReadOnlyList<CommissionCheck> Checks { get; set; } = [];
    /// <summary>Why the write test did not run (read-only session, declined, verification failed), or null when it ran.</summary>
    public string? WritesSkipped { get; set; }
    public SetpointResult? Step { get; set; }
    public List<CommissionSample> Samples { get; } = [];
    /// <summary>Seconds after the step when the heartbeat stopped (the last refresh).</summary>
    public double? HeartbeatStoppedAt { get; set; }
    /// <summary>Seconds after the heartbeat stopped until a reading first showed the fall-back; null when none did.</summary>
    public double? FellBackAfter { get; set; }
    /// <summary>The longest wait for the fall-back that still passes (revert time plus the sampling and answer slack).</summary>
    public double FallBackAllowed { get; set; }
    public List<string> Notes { get; } = [];
    public string? Error { get; set; }
    public int ExitCode { get; set; }
    public string? ReportDirectory { get; set; }

    /// <summary>Whether every verification check passed.</summary>
    public bool VerificationPassed => Checks.All(c => c.Verdict != CommissionVerdict.Fail);

    /// <summary>Whether the fail-safe test ran and the device fell back in time.</summary>
    public bool? FailSafePassed => HeartbeatStoppedAt is null ? null : FellBackAfter is { } after && after <= FallBackAllowed;
}

/// <summary>One verification finding: a point (or a scale factor) and what was thought of it.</summary>
internal sealed record CommissionCheck(string Point, string Role, double? Value, string Unit, string? Text, CommissionVerdict Verdict, string Why);

/// <summary>How a check came out.</summary>
internal enum CommissionVerdict
{
    /// <summary>Readable and plausible.</summary>
    Ok,
    /// <summary>Worth knowing, not a fault (an optional point the device does not report).</summary>
    Note,
    /// <summary>The gateway cannot rely on it: absent where needed, outside the profile's limits, an insane scale factor.</summary>
    Fail,
}

/// <summary>One reading during the step and the fall-back test.</summary>
/// <param name="Seconds">Seconds since the step was written (negative before it).</param>
/// <param name="Phase">before, step (heartbeat running) or fail-safe (heartbeat stopped).</param>
/// <param name="SetpointKw">The setpoint in force as the device reports it, kW (a dropped % limit counts as the rating); null when unreadable.</param>
/// <param name="PowerKw">Measured power, kW; null when absent.</param>
/// <param name="FallenBack">Whether the device shows its fall-back state (setpoint 0 kW, or the limit dropped).</param>
internal sealed record CommissionSample(double Seconds, string Phase, double? SetpointKw, double? PowerKw, bool FallenBack);
