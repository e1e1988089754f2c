using System.Globalization;
using System.Net.Sockets;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Devices;

/// <summary>
/// Turns a transport's exception (Modbus, MQTT, serial, socket) into the <see cref="DeviceException"/> the device
/// drivers promise, in plain words that name the device, with the transport's exception kept inside. The one place
/// where transport exception types meet the device error contract.
/// </summary>
internal static class DeviceFailures
{
    /// <summary>Runs a driver's call and throws any transport failure as the <see cref="DeviceException"/> it means.</summary>
    public static async Task<T> GuardAsync<T>(string device, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, device) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The refusal of a driver opened read-only; <paramref name="action"/> says what it would have done ("write a setpoint").</summary>
    public static DeviceException ReadOnly(string device, string action) =>
        new(DeviceErrorKind.ReadOnly, device, $"{device} is read-only: refusing to {action} (allow writes explicitly to change the device)", isTransient: false);

    /// <summary>
    /// <paramref name="error"/> as a <see cref="DeviceException"/> about <paramref name="device"/>, or null when it is not
    /// a device failure: a cancellation the caller asked for, a disposed driver, or a bug (those travel unchanged).
    /// </summary>
    public static DeviceException? Translate(Exception error, string device) => error switch
    {
        DeviceException => null,
        OperationCanceledException or ObjectDisposedException => null,
        ModbusTimeoutException t => new DeviceException(DeviceErrorKind.Timeout, device,
            $"{device} did not answer within {Seconds(t.Timeout)} s — wrong unit id, a busy device, or a serial line with the wrong settings?", true, t),
        ModbusCommunicationException c => Unreachable(device, c, transient: c.InnerException is not (IOException or UnauthorizedAccessException) || Socket(c) is not null),
        ModbusProtocolException p => new DeviceException(DeviceErrorKind.Protocol, device,
            $"{device} answered with a frame that breaks the Modbus protocol: {p.Message}", true, p),
        ModbusDeviceException d => new DeviceException(DeviceErrorKind.Refused, device,
            $"{device} answered function {d.FunctionCode:X2} with exception {(byte)d.Code:X2} ({Explain(d.Code, d.UnitId)})",
            d.Code is ModbusExceptionCode.ServerDeviceBusy or ModbusExceptionCode.Acknowledge
                or ModbusExceptionCode.GatewayPathUnavailable or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond,
            d, (int)d.Code),
        MqttConnectException m => new DeviceException(DeviceErrorKind.Unreachable, device,
            $"the broker of {device} refused the connection: {m.Message}", false, m, (int)m.ResultCode),
        MqttProtocolException p => new DeviceException(DeviceErrorKind.Protocol, device,
            $"the broker of {device} broke the MQTT protocol: {p.Message}", true, p),
        MqttSubscribeException s => new DeviceException(DeviceErrorKind.Refused, device,
            $"the broker of {device} {s.Message} — is the gateway's user allowed to read the device's topics?", false, s),
        MqttCommunicationException c => new DeviceException(DeviceErrorKind.Unreachable, device,
            Socket(c) is { } socket ? $"cannot reach the broker of {device}: {Describe(socket)}" : $"cannot talk to the broker of {device}: {c.Message}", true, c),
        SocketException s => new DeviceException(DeviceErrorKind.Unreachable, device, $"cannot reach {device}: {Describe(s)}", true, s),
        IOException or UnauthorizedAccessException => new DeviceException(DeviceErrorKind.Unreachable, device, $"cannot open {device}: {error.Message}", false, error),
        TimeoutException t => new DeviceException(DeviceErrorKind.Timeout, device, $"{device}: {t.Message}", true, t),
        ArgumentException or InvalidOperationException or FormatException => new DeviceException(DeviceErrorKind.BadValue, device, $"{device}: {error.Message}", false, error),
        _ => null,
    };

    /// <summary>A Modbus exception code in plain words, with what a field engineer should check.</summary>
    public static string Explain(ModbusExceptionCode code, byte unit) => code switch
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

    private static DeviceException Unreachable(string device, Exception error, bool transient) =>
        new(DeviceErrorKind.Unreachable, device,
            Socket(error) is { } socket ? $"cannot reach {device}: {Describe(socket)}" : $"cannot talk to {device}: {error.Message}",
            transient, error);

    private static SocketException? Socket(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is SocketException s) return s;
        return null;
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused (nothing listens on that port)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "no such host",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "no route to the host",
        SocketError.TimedOut => "the connection attempt timed out",
        SocketError.ConnectionReset => "the device closed the connection",
        _ => e.Message,
    };

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
