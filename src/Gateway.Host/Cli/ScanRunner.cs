using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Discovery;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;

namespace Gateway.Host.Cli;

/// <summary>Runs one scan: asks every unit id of a Modbus endpoint, or listens on a broker for the shipped topic maps.</summary>
internal static class ScanRunner
{
    /// <summary>Runs <paramref name="request"/> and returns the exit code (0: something answered, 1: nothing did).</summary>
    public static async Task<int> RunAsync(ScanRequest request, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var result = new ScanResult { Request = request };
        try
        {
            if (request.IsMqtt) await ListenAsync(request, result, time, cancellationToken).ConfigureAwait(false);
            else await ScanModbusAsync(request, result, stderr, cancellationToken).ConfigureAwait(false);
            var found = result.Units.Count + result.MqttDevices.Count;
            if (found == 0)
            {
                result.ExitCode = ExitCodes.Failed;
                result.Error = request.IsMqtt
                    ? $"no device published telemetry on the shipped topic maps within {Seconds(request.Listen)} s — are the devices online, and do they use these topics? (--profile FILE adds a topic map)"
                    : $"no unit answered among {Describe(request.Units)} within {Seconds(request.Timeout)} s each — check the wiring, the address and, on a serial line, baud rate and parity";
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is DeviceException or ProfileLoadException or FormatException or ArgumentException
            or Gateway.Drivers.Mqtt.MqttBrokerSecurityException)
        {
            var (code, lines) = CliFailure.Classify(e);
            result.ExitCode = code;
            result.Error = string.Join("; ", lines);
            if (request.IsMqtt && BrokerSecurityOptions.Hint(e, request.Endpoint, request.Broker) is { } hint) result.Error += $" — {hint}";
        }
        result.Elapsed = time.GetElapsedTime(started);
        ScanOutput.Write(result, stdout, stderr);
        return result.ExitCode;
    }

    private static async Task ScanModbusAsync(ScanRequest request, ScanResult result, TextWriter stderr, CancellationToken cancellationToken)
    {
        // A serial line carries one request at a time; TCP gets one connection per worker, which any server can take.
        var workers = ModbusDeviceClient.IsSerial(request.Endpoint) ? 1 : Math.Min(request.Parallel, request.Units.Count);
        if (!request.Json)
            await stderr.WriteLineAsync($"scan: asking {request.Units.Count} unit ids of {request.Endpoint} ({workers} at a time, {Seconds(request.Timeout)} s each) …").ConfigureAwait(false);
        var clients = new List<IModbusClient>();
        try
        {
            for (var i = 0; i < workers; i++) clients.Add(ProbeConnection.Open(request.Endpoint, request.Timeout));
            result.Units = await ModbusUnitScanner.ScanAsync(clients, request.Endpoint, request.Units, request.PerUnitLimit, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ListenAsync(ScanRequest request, ScanResult result, TimeProvider time, CancellationToken cancellationToken)
    {
        var profiles = (request.Profiles ?? ProfileLoader.ShippedProfileNames()).Select(ProfileLoader.Load).Where(p => p.Mqtt is not null).ToList();
        if (profiles.Count == 0) throw new FormatException("none of the profiles given has an 'mqtt' part (a topic map) to listen for");
        result.ProfilesListened = profiles.Select(p => p.Name).ToList();
        await using var connection = ProbeRunner.OpenBroker(request.Endpoint, request.Broker, request.Timeout, "scan");
        var (devices, refused) = await MqttDeviceDiscovery.ListenAsync(connection, profiles, request.Listen, time, cancellationToken).ConfigureAwait(false);
        result.MqttDevices = devices;
        result.RefusedFilters = refused;
    }

    internal static string Describe(IReadOnlyList<byte> units) =>
        units.Count == 1 ? $"unit {units[0]}" : $"{units.Count} unit ids ({units[0]}–{units[^1]})";

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
