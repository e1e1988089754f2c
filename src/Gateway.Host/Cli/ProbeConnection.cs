using System.Net.Sockets;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;

namespace Gateway.Host.Cli;

/// <summary>Opens the probe's Modbus connection and says in plain words why one failed.</summary>
internal static class ProbeConnection
{
    /// <summary>A client for the request's endpoint (modbus-tcp://HOST:PORT or modbus-rtu:///dev/ttyX?baud=…&amp;parity=…).</summary>
    /// <exception cref="FormatException">The endpoint is not a valid Modbus endpoint; the message says why.</exception>
    public static IModbusClient Open(ProbeRequest request) =>
        ModbusEndpoint.Parse(request.Endpoint).CreateClient(new ModbusClientOptions
        {
            RequestTimeout = request.Timeout,
            // A short answer timeout must not turn a slow connect into "unreachable".
            ConnectTimeout = request.Timeout > MinConnectTimeout ? request.Timeout : MinConnectTimeout,
        });

    private static readonly TimeSpan MinConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The exit code and message for a transport failure, or null when it is none.</summary>
    public static (int ExitCode, string Message)? ClassifyTransport(Exception error, ProbeRequest request)
    {
        var who = request.Who;
        var socket = error as SocketException ?? error.InnerException as SocketException ?? error.InnerException?.InnerException as SocketException;
        return error switch
        {
            ModbusTimeoutException => (ExitCodes.Timeout,
                $"{who} did not answer within {request.Timeout.TotalSeconds:0.###} s — wrong unit id, a busy device, or a serial line with the wrong settings?"),
            TimeoutException or OperationCanceledException => (ExitCodes.Timeout, $"{who} did not answer within {request.Timeout.TotalSeconds:0.###} s"),
            ModbusCommunicationException when socket is not null => (ExitCodes.Unreachable, $"cannot reach {request.Endpoint}: {Describe(socket)}"),
            SocketException s => (ExitCodes.Unreachable, $"cannot reach {request.Endpoint}: {Describe(s)}"),
            ModbusCommunicationException e => (ExitCodes.Unreachable, $"cannot talk to {request.Endpoint}: {e.Message}"),
            MqttConnectException e => (ExitCodes.Unreachable, $"the broker {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(request.Endpoint)} refused the connection: {e.ReturnCode}"),
            MqttCommunicationException when socket is not null => (ExitCodes.Unreachable, $"cannot reach the broker {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(request.Endpoint)}: {Describe(socket)}"),
            MqttCommunicationException e => (ExitCodes.Unreachable, $"cannot talk to the broker {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(request.Endpoint)}: {e.Message}"),
            IOException or UnauthorizedAccessException => (ExitCodes.Unreachable, $"cannot open {request.Endpoint}: {error.Message}"),
            FormatException or ArgumentException => (ExitCodes.BadInput, $"bad input: {error.Message}"),
            _ => null,
        };
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused (nothing listens on that port)",
        SocketError.HostNotFound or SocketError.NoData => "no such host",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "no route to the host",
        SocketError.TimedOut => "the connection attempt timed out",
        SocketError.ConnectionReset => "the device closed the connection",
        _ => e.Message,
    };
}
