namespace Gateway.Runtime.Operator;

/// <summary>The gateway's own presence on <c>gw/{site}/status</c>, queued like any other publication.</summary>
/// <param name="Online">True for "online", false for "offline".</param>
internal sealed record PresenceNotice(bool Online);
