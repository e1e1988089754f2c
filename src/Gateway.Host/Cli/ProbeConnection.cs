using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.Host.Cli;

/// <summary>Opens the probe's Modbus connection.</summary>
internal static class ProbeConnection
{
    private static readonly TimeSpan MinConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A client for the request's endpoint (modbus-tcp://HOST:PORT or modbus-rtu:///dev/ttyX?baud=…&amp;parity=…).</summary>
    /// <exception cref="FormatException">The endpoint is not a valid Modbus endpoint; the message says why.</exception>
    /// <exception cref="DeviceException">A serial port cannot be opened.</exception>
    public static IModbusClient Open(ProbeRequest request) => Open(request.Endpoint, request.Timeout);

    /// <summary>A client for <paramref name="endpoint"/> whose requests wait <paramref name="timeout"/> for an answer.</summary>
    public static IModbusClient Open(string endpoint, TimeSpan timeout, int maxConcurrentRequests = 1) =>
        ModbusDeviceClient.Open(endpoint, new ModbusClientOptions
        {
            RequestTimeout = timeout,
            // A short answer timeout must not turn a slow connect into "unreachable".
            ConnectTimeout = timeout > MinConnectTimeout ? timeout : MinConnectTimeout,
            MaxConcurrentRequests = maxConcurrentRequests,
        });
}
