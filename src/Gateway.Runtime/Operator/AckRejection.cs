namespace Gateway.Runtime.Operator;

/// <summary>An acknowledgement the gateway refused, as published on <c>gw/{site}/operator/ack/rejected</c>.</summary>
/// <param name="Reason">What is wrong, in plain words.</param>
/// <param name="Payload">The payload received (as text, cut to 256 characters).</param>
/// <param name="AtUtc">When it was refused (gateway clock).</param>
internal sealed record AckRejection(string Reason, string Payload, DateTimeOffset AtUtc);
