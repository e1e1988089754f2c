namespace Gateway.Host.Operator;

/// <summary>An acknowledgement the gateway refused, as published on <c>gw/{site}/operator/ack/rejected</c>.</summary>
/// <param name="Reason">What is wrong, in plain words.</param>
/// <param name="Payload">The payload received (as text, cut to 256 characters).</param>
/// <param name="AtUtc">When it was refused (gateway clock).</param>
public sealed record AckRejection(string Reason, string Payload, DateTimeOffset AtUtc);

/// <summary>An accepted acknowledgement, as published (retained) on <c>gw/{site}/rounds/{roundId}/ack</c>.</summary>
/// <param name="RoundId">Round acknowledged.</param>
/// <param name="Operator">Who acknowledged.</param>
/// <param name="AtUtc">When the gateway recorded it (gateway clock).</param>
public sealed record AckNotice(string RoundId, string Operator, DateTimeOffset AtUtc);

/// <summary>The gateway's own presence on <c>gw/{site}/status</c>.</summary>
/// <param name="Online">True for "online", false for "offline".</param>
internal sealed record PresenceNotice(bool Online);

/// <summary>A round too old to keep retained: its retained round and acknowledgement topics are cleared.</summary>
/// <param name="RoundId">The round.</param>
internal sealed record RetainedRoundExpired(string RoundId);
