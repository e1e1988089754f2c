namespace Gateway.Drivers.Ocpp;

/// <summary>
/// A frame that is not valid OCPP-J. It carries the CALLERROR to answer with: the error code and, when it could be read,
/// the message id (else <c>-1</c>, as OCPP-J 2.0.1 part 4 §4.2.3 asks).
/// </summary>
internal sealed class OcppFrameException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OcppFrameException(string errorCode, string messageId, string message, bool answerable = true) : base(message)
    {
        ErrorCode = errorCode;
        MessageId = messageId;
        Answerable = answerable;
    }

    /// <summary>One of <see cref="OcppErrorCode"/>.</summary>
    public string ErrorCode { get; }

    /// <summary>Id of the offending message, or <c>-1</c>.</summary>
    public string MessageId { get; }

    /// <summary>
    /// False when the frame was a response (CALLRESULT/CALLERROR): OCPP-J 2.0.1 never answers those, so the receiver drops it and
    /// fails the pending request instead.
    /// </summary>
    public bool Answerable { get; }

    /// <summary>The CALLERROR that answers the frame.</summary>
    public OcppCallError ToCallError() => new(MessageId, ErrorCode, OcppFrameCodec.Truncate(Message, OcppCallError.MaxDescriptionLength));
}
