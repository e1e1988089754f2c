namespace Gateway.Runtime.Status;

/// <summary>One step of an e-stop trip or reset, stamped on wall time.</summary>
/// <param name="AtUtc">When it happened (wall time).</param>
/// <param name="Kind">estop-open, estop-closed, zero-confirmed, zero-failed, contactor-open, contactor-closed, contactor-failed, round-interrupted, acknowledged, armed.</param>
/// <param name="TripId">The trip it belongs to.</param>
/// <param name="DeviceId">The device, for zero-* events.</param>
/// <param name="Detail">What happened in plain words.</param>
internal sealed record InterlockEvent(DateTimeOffset AtUtc, string Kind, string TripId, string? DeviceId, string Detail);
