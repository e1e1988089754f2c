namespace Gateway.Runtime.Status;

/// <summary>An operator's acknowledgement of a round's dispatch.</summary>
/// <param name="RoundId">The round acknowledged.</param>
/// <param name="OperatorId">Who acknowledged: the authenticated operator (dashboard user or token, or the operator mapped to a broker identity).</param>
/// <param name="Via">Where it came from: <c>dashboard</c> or <c>mqtt</c>.</param>
/// <param name="Source">From where: the client's address on the dashboard, the broker user over MQTT.</param>
/// <param name="AtUtc">When the gateway accepted it (wall time).</param>
internal sealed record OperatorAck(string RoundId, string OperatorId, string Via = "", string Source = "", DateTimeOffset AtUtc = default);
