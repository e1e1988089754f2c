namespace Gateway.Drivers.Ocpp;

/// <summary>The error codes of a CALLERROR (OCPP-J 2.0.1 part 4 §4.3, table "Valid Error Codes").</summary>
public static class OcppErrorCode
{
    /// <summary>Payload for the action is syntactically incorrect.</summary>
    public const string FormatViolation = "FormatViolation";
    /// <summary>Any other error.</summary>
    public const string GenericError = "GenericError";
    /// <summary>The receiver failed while handling a valid message.</summary>
    public const string InternalError = "InternalError";
    /// <summary>A message with an unknown MessageTypeId.</summary>
    public const string MessageTypeNotSupported = "MessageTypeNotSupported";
    /// <summary>The action is known to the schema but not implemented by the receiver.</summary>
    public const string NotImplemented = "NotImplemented";
    /// <summary>The action is not a known OCPP action.</summary>
    public const string NotSupported = "NotSupported";
    /// <summary>A required field is missing (or too many items).</summary>
    public const string OccurrenceConstraintViolation = "OccurrenceConstraintViolation";
    /// <summary>A field holds an invalid value.</summary>
    public const string PropertyConstraintViolation = "PropertyConstraintViolation";
    /// <summary>The payload breaks the protocol (e.g. a response before a request).</summary>
    public const string ProtocolError = "ProtocolError";
    /// <summary>The frame is not an OCPP-J frame (not JSON, not an array, bad MessageTypeId position).</summary>
    public const string RpcFrameworkError = "RpcFrameworkError";
    /// <summary>The sender is not allowed to do this.</summary>
    public const string SecurityError = "SecurityError";
    /// <summary>A field holds a value of the wrong type.</summary>
    public const string TypeConstraintViolation = "TypeConstraintViolation";
}
