using System.Text.Json.Nodes;

namespace Gateway.Drivers.Ocpp;

/// <summary>A request: <c>[2, "id", "Action", {payload}]</c>; with <see cref="IsSend"/> the 2.1 SEND (no response).</summary>
/// <param name="MessageId">Id the response must carry.</param>
/// <param name="Action">The OCPP action, e.g. <c>MeterValues</c>.</param>
/// <param name="Payload">The request's JSON object.</param>
/// <param name="IsSend">Whether it is a 2.1 SEND (MessageTypeId 6), which gets no response.</param>
public sealed record OcppCall(string MessageId, string Action, JsonObject Payload, bool IsSend = false) : OcppMessage(MessageId)
{
    /// <inheritdoc />
    public override OcppMessageType Type => IsSend ? OcppMessageType.Send : OcppMessageType.Call;
}
