namespace Gateway.Runtime.Operator;

/// <summary>An accepted acknowledgement, as published (retained) on <c>gw/{site}/rounds/{roundId}/ack</c> and answered by the dashboard.</summary>
/// <param name="RoundId">Round acknowledged.</param>
/// <param name="Operator">Who acknowledged (the authenticated operator).</param>
/// <param name="AtUtc">When the gateway recorded it (wall time).</param>
/// <param name="Via">dashboard or mqtt.</param>
internal sealed record AckNotice(string RoundId, string Operator, DateTimeOffset AtUtc, string Via = "");
