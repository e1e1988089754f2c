using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Devices.SunSpec;
using Gateway.Drivers.Modbus;

namespace Gateway.Host.Cli;

/// <summary>Turns what went wrong during a probe into plain words and the exit code that says which.</summary>
internal static class ProbeFailure
{
    /// <summary>The exit code and message for <paramref name="error"/>, or null when it is not a probe failure.</summary>
    public static (int ExitCode, string Message)? Classify(Exception error, ProbeRequest request)
    {
        var who = request.Who;
        switch (error)
        {
            case ProfileLoadException e:
                return (ExitCodes.BadInput, $"bad profile:{Environment.NewLine}{e.Message}");
            case SunSpecDiscoveryException e:
                return (ExitCodes.BadInput, $"{who}: {e.Message} — is --profile {request.Profile} right for this device?");
            case MqttDeviceTimeoutException e:
                return (ExitCodes.Timeout, $"{e.Message} — is the device online, and are --device and --profile right?");
            case SetpointRejectedException e:
                return (ExitCodes.DeviceException, e.Message);
            case ModbusDeviceException e:
                return (ExitCodes.DeviceException, $"{who} answered function {e.FunctionCode:X2} with exception {(byte)e.Code:X2} ({Explain(e.Code, request.UnitId)})");
            case InvalidOperationException e:
                return (ExitCodes.BadInput, $"{who}: {e.Message}");
        }
        return ProbeConnection.ClassifyTransport(error, request);
    }

    private static string Explain(ModbusExceptionCode code, byte unit) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "illegal function: the device does not support this request",
        ModbusExceptionCode.IllegalDataAddress => "illegal data address: a register of the profile is not on this device — wrong profile or unit id?",
        ModbusExceptionCode.IllegalDataValue => "illegal data value: the device refused the value",
        ModbusExceptionCode.ServerDeviceFailure => "server device failure: the device reports an internal error",
        ModbusExceptionCode.Acknowledge => "acknowledge: the device is working on it, poll again later",
        ModbusExceptionCode.ServerDeviceBusy => "server device busy: try again later",
        ModbusExceptionCode.MemoryParityError => "memory parity error in the device",
        ModbusExceptionCode.GatewayPathUnavailable => $"gateway path unavailable: the gateway knows no device with unit id {unit} — wrong unit id?",
        ModbusExceptionCode.GatewayTargetDeviceFailedToRespond => $"gateway target failed to respond: nothing answered as unit id {unit} — wrong unit id, or the device is off",
        _ => "unknown exception code",
    };
}
