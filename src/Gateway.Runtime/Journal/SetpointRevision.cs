namespace Gateway.Runtime.Journal;

/// <summary>
/// A setpoint of a round replaced by another before the round is delivered: the dispatch re-check curtailed the trades
/// behind it because another device could not be dispatched. The journal keeps the replaced setpoint (and its outcome)
/// beside the new intent, with why.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="SetpointKw">The new setpoint, kW (positive = delivered to the grid).</param>
/// <param name="ValidUntilUtc">Until when the device holds it without a refresh (plant time).</param>
/// <param name="Because">Why it changed, for the operator and the audit.</param>
internal sealed record SetpointRevision(string DeviceId, double SetpointKw, DateTimeOffset ValidUntilUtc, string Because);
