using System.Text.Json.Nodes;

namespace Gateway.Drivers.Ocpp;

/// <summary>A response: <c>[3, "id", {payload}]</c>.</summary>
/// <param name="MessageId">Id of the request it answers.</param>
/// <param name="Payload">The response's JSON object.</param>
internal sealed record OcppCallResult(string MessageId, JsonObject Payload) : OcppMessage(MessageId)
{
    /// <inheritdoc />
    public override OcppMessageType Type => OcppMessageType.CallResult;
}
