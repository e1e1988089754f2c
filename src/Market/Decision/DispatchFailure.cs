namespace Gateway.Market.Decision;

/// <summary>
/// A device that cannot follow the round's decision: isolated or unreachable when its setpoint was due, or it answered
/// with a power other than the one ordered. Its power during the interval is known only to lie in
/// [<paramref name="MinPowerKw"/>, <paramref name="MaxPowerKw"/>] (kW, positive = delivered to the grid): a device that
/// certainly did not get its setpoint sits at its fail-safe power (0 kW for a charger or the SMES after its watchdog), one
/// that read back a value sits at that value, one whose write may or may not have landed anywhere between its fail-safe
/// power and the setpoint.
/// </summary>
/// <param name="ParticipantId">The participant the device trades as.</param>
/// <param name="NodeId">Its feeder node.</param>
/// <param name="MinPowerKw">Lowest power it may run at this interval, kW.</param>
/// <param name="MaxPowerKw">Highest power it may run at this interval, kW.</param>
/// <param name="Reason">Why it cannot follow the decision (for the journal and the operator).</param>
public sealed record DispatchFailure(string ParticipantId, string NodeId, double MinPowerKw, double MaxPowerKw, string Reason)
{
    /// <summary>A device certainly at <paramref name="powerKw"/>.</summary>
    public static DispatchFailure At(string participantId, string nodeId, double powerKw, string reason) => new(participantId, nodeId, powerKw, powerKw, reason);
}
