namespace Gateway.Runtime.Journal;

/// <summary>
/// Where a market round stands. The journal moves a round forward only, and writes each
/// state before the action it announces takes effect, so a restart knows exactly which
/// actions may already have happened.
/// </summary>
internal enum RoundState
{
    /// <summary>Inputs and the market decision are journaled; no setpoint has been sent.</summary>
    Decided = 1,
    /// <summary>Setpoints are being written (each one journaled as intended before it is sent).</summary>
    Dispatching = 2,
    /// <summary>Every setpoint has an outcome; energy is flowing until the interval ends.</summary>
    Delivering = 3,
    /// <summary>End-of-interval meter readings are journaled.</summary>
    Metered = 4,
    /// <summary>Settlements are recorded and queued in the ledger outbox (one transaction).</summary>
    Settled = 5,
    /// <summary>Nothing more to do for this round.</summary>
    Closed = 6,
    /// <summary>
    /// Ended early by an emergency stop: what was delivered up to the stop is metered and settled, the rest of the
    /// interval is not traded. Final, like <see cref="Closed"/>.
    /// </summary>
    Interrupted = 7,
}
