namespace Gateway.Runtime.Status;

/// <summary>The bench's safety interlock as operators see it.</summary>
/// <param name="State">Armed, tripped or waiting for an operator.</param>
/// <param name="EstopOpen">The e-stop loop reads open now.</param>
/// <param name="ContactorClosed">The contactor's commanded state (null: the rig has no contactor, or it cannot be driven).</param>
/// <param name="Reason">Why the interlock is in this state, in plain words.</param>
/// <param name="TripId">The current or last trip (null: never tripped).</param>
/// <param name="TrippedAtUtc">When the e-stop was first seen open (wall time).</param>
/// <param name="AckId">What an operator acknowledges to re-arm (POST /api/rounds/{AckId}/ack, or the MQTT ack topic); set only while waiting for it.</param>
/// <param name="InterruptedRoundId">The round the trip interrupted, if one was running.</param>
/// <param name="ZeroLatencyMs">From the first sample that saw the loop open to the last device's confirmed 0 kW (null: not every device confirmed).</param>
/// <param name="Events">The trip's steps, oldest first (the last trips').</param>
internal sealed record InterlockStatus(
    InterlockState State,
    bool EstopOpen,
    bool? ContactorClosed,
    string Reason,
    string? TripId,
    DateTimeOffset? TrippedAtUtc,
    string? AckId,
    string? InterruptedRoundId,
    double? ZeroLatencyMs,
    IReadOnlyList<InterlockEvent> Events);
