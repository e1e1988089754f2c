using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.Host.Devices;

/// <summary>Turns driver and transport failures into the plain words operators read.</summary>
public static class DeviceErrors
{
    /// <summary>Whether a poll or write that failed this way is worth retrying.</summary>
    public static bool IsTransient(Exception e) => e is ModbusCommunicationException or TimeoutRejectedException or ModbusProtocolException
        or MqttCommunicationException or MqttDeviceTimeoutException
        || e is ModbusDeviceException { Code: ModbusExceptionCode.ServerDeviceBusy or ModbusExceptionCode.Acknowledge or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond or ModbusExceptionCode.GatewayPathUnavailable };

    /// <summary>A one-line description of <paramref name="e"/>.</summary>
    public static string Describe(Exception e) => e switch
    {
        ModbusTimeoutException => "no answer in time: " + e.Message,
        TimeoutRejectedException => "no answer in time (the poll was abandoned)",
        BrokenCircuitException => "isolated after repeated failures; retrying later",
        ModbusDeviceException d => $"the device refused: Modbus exception {(byte)d.Code:X2} ({d.Code})",
        ModbusProtocolException => "garbled answer: " + e.Message,
        ModbusCommunicationException => "unreachable: " + e.Message,
        MqttDeviceTimeoutException => "no answer in time: " + e.Message,
        SetpointRejectedException r => $"the device refused: {r.Reason ?? "no reason given"}",
        MqttConnectException c => $"the MQTT broker refused the connection ({c.ReturnCode})",
        MqttCommunicationException => "MQTT broker unreachable: " + e.Message,
        _ => e.Message,
    };
}
