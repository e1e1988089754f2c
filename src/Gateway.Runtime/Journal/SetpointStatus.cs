namespace Gateway.Runtime.Journal;

/// <summary>What became of one setpoint of a round.</summary>
/// <remarks>Public: the run report counts confirmed and missed setpoints by it.</remarks>
public enum SetpointStatus
{
    /// <summary>Journaled, about to be written; after a crash it may or may not have reached the device.</summary>
    Intended = 1,
    /// <summary>Written and read back within tolerance.</summary>
    Confirmed = 2,
    /// <summary>Written (or attempted) but the read-back differs or the device did not answer in time.</summary>
    Missed = 3,
    /// <summary>Not sent: the device was unreachable or isolated when the round dispatched.</summary>
    Skipped = 4,
}
