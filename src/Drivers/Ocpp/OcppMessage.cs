namespace Gateway.Drivers.Ocpp;

/// <summary>One OCPP-J frame: a CALL, CALLRESULT or CALLERROR (or the 2.1 SEND / CALLRESULTERROR).</summary>
/// <param name="MessageId">The id that pairs a response with its request (at most 36 characters).</param>
public abstract record OcppMessage(string MessageId)
{
    /// <summary>Longest message id allowed (OCPP-J 2.0.1 part 4 §4.1.4).</summary>
    public const int MaxMessageIdLength = 36;

    /// <summary>The frame's MessageTypeId.</summary>
    public abstract OcppMessageType Type { get; }
}
