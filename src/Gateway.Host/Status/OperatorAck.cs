namespace Gateway.Host.Status;

/// <summary>An operator's acknowledgement of a round's dispatch.</summary>
/// <param name="RoundId">The round acknowledged.</param>
/// <param name="OperatorId">Who acknowledged (free text from the operator's message).</param>
public sealed record OperatorAck(string RoundId, string OperatorId);
