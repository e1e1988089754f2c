namespace Gateway.Drivers.Ocpp;

/// <summary>The OCPP-J versions the gateway speaks, each named by its WebSocket subprotocol.</summary>
public enum OcppVersion
{
    /// <summary>OCPP 2.0.1 (subprotocol <c>ocpp2.0.1</c>): charging limits only.</summary>
    Ocpp201,
    /// <summary>OCPP 2.1 (subprotocol <c>ocpp2.1</c>): adds discharging (V2X) limits and setpoints.</summary>
    Ocpp21,
}
