namespace Gateway.Drivers.Ocpp;

/// <summary>The MessageTypeId, the first element of every OCPP-J frame (OCPP-J 2.0.1 part 4 §4.1.3; 2.1 adds 5 and 6).</summary>
public enum OcppMessageType
{
    /// <summary>A request: <c>[2, id, action, payload]</c>.</summary>
    Call = 2,
    /// <summary>A response: <c>[3, id, payload]</c>.</summary>
    CallResult = 3,
    /// <summary>An error answer to a CALL: <c>[4, id, code, description, details]</c>.</summary>
    CallError = 4,
    /// <summary>2.1: an error answer to a CALLRESULT: <c>[5, id, code, description, details]</c>.</summary>
    CallResultError = 5,
    /// <summary>2.1: a request without response: <c>[6, id, action, payload]</c>.</summary>
    Send = 6,
}
