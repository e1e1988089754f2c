using Gateway.Runtime.Journal;

namespace Gateway.Runtime.Status;

/// <summary>
/// Where a round stands as operators see it: the journal's states (<see cref="RoundState"/>) plus
/// <see cref="Skipped"/> for an interval the gateway never traded.
/// </summary>
/// <remarks>Public: part of <see cref="RoundSummary"/>, which the executable reads.</remarks>
public enum RoundPhase
{
    /// <summary>The market decided; nothing dispatched yet (with requireAck: waiting for an operator until the deadline).</summary>
    Decided = 1,
    /// <summary>Setpoints are being written.</summary>
    Dispatching = 2,
    /// <summary>Every setpoint has an outcome; energy flows until the interval ends.</summary>
    Delivering = 3,
    /// <summary>End-of-interval meter readings are journaled.</summary>
    Metered = 4,
    /// <summary>Settlements are queued for the ledger.</summary>
    Settled = 5,
    /// <summary>Nothing more to do for this round.</summary>
    Closed = 6,
    /// <summary>The interval was never traded (the note says why): no quotation, no setpoint, no settlement.</summary>
    Skipped = 7,
    /// <summary>Ended early by an emergency stop (the note says when); delivered energy up to the stop is settled.</summary>
    Interrupted = 8,
}

/// <summary>Maps journal states to operator phases.</summary>
internal static class RoundPhases
{
    /// <summary>The phase of a journaled round.</summary>
    public static RoundPhase Of(RoundState state) => state == RoundState.Interrupted ? RoundPhase.Interrupted : (RoundPhase)(int)state;
}
