namespace Gateway.Runtime.Status;

/// <summary>Where the bench's safety interlock stands.</summary>
internal enum InterlockState
{
    /// <summary>E-stop loop closed and reset by an operator: rounds dispatch.</summary>
    Armed = 1,
    /// <summary>E-stop loop open (or unreadable): every device held at 0 kW, contactor open, nothing dispatched.</summary>
    Tripped = 2,
    /// <summary>E-stop loop closed again; nothing is dispatched until an operator acknowledges the trip.</summary>
    AwaitingAck = 3,
}
