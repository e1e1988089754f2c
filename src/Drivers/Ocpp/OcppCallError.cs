using System.Text.Json.Nodes;

namespace Gateway.Drivers.Ocpp;

/// <summary>An error answer: <c>[4, "id", "ErrorCode", "description", {details}]</c> (5 for a 2.1 CALLRESULTERROR).</summary>
/// <param name="MessageId">Id of the message it answers; <c>-1</c> when that id could not be read.</param>
/// <param name="ErrorCode">One of <see cref="OcppErrorCode"/>.</param>
/// <param name="Description">What went wrong, in words (at most 255 characters).</param>
/// <param name="Details">More detail as a JSON object (often empty).</param>
/// <param name="AnswersResult">Whether it is a 2.1 CALLRESULTERROR (MessageTypeId 5).</param>
internal sealed record OcppCallError(string MessageId, string ErrorCode, string Description, JsonObject? Details = null, bool AnswersResult = false) : OcppMessage(MessageId)
{
    /// <summary>Longest description allowed (OCPP-J 2.0.1 part 4 §4.2.3).</summary>
    public const int MaxDescriptionLength = 255;

    /// <inheritdoc />
    public override OcppMessageType Type => AnswersResult ? OcppMessageType.CallResultError : OcppMessageType.CallError;
}
