using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;

namespace Gateway.Host.Cli;

/// <summary>Runs one probe: load the profile, connect, read (and list SunSpec models, write a setpoint), report.</summary>
internal static class ProbeRunner
{
    /// <summary>Runs <paramref name="request"/> and returns the exit code.</summary>
    /// <param name="request">What to do.</param>
    /// <param name="connect">Opens a client for the request's endpoint (the real transports by default).</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <param name="stderr">Where failures go, in plain words.</param>
    /// <param name="time">Clock for measurement timestamps.</param>
    /// <param name="cancellationToken">Stops the probe.</param>
    public static async Task<int> RunAsync(ProbeRequest request, Func<ProbeRequest, IModbusClient> connect, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var report = new ProbeReport { Request = request };
        if (request.IsMqtt) return await RunMqttAsync(request, report, stdout, stderr, time, cancellationToken).ConfigureAwait(false);
        try
        {
            var profile = ProfileLoader.Load(request.Profile);
            report.ProfileName = profile.Name;
            var client = connect(request);
            await using (client.ConfigureAwait(false))
            {
                var driver = new ModbusDeviceDriver(client, request.UnitId, profile, time);
                if (request.SunSpec) report.SunSpec = await driver.DiscoverSunSpecAsync(cancellationToken).ConfigureAwait(false);
                await ReadAndSetAsync(driver, request, report, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProbeFailure.Classify(e, request) is { } failure)
        {
            report.ExitCode = failure.ExitCode;
            report.Error = failure.Message;
        }
        ProbeOutput.Write(report, stdout, stderr);
        return report.ExitCode;
    }

    // The same read and write through the MQTT driver: connect to the broker, wait for the device's
    // telemetry, send the setpoint and wait for its acknowledgement, each within the request's timeout.
    private static async Task<int> RunMqttAsync(ProbeRequest request, ProbeReport report, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var profile = ProfileLoader.Load(request.Profile);
            report.ProfileName = profile.Name;
            if (profile.Mqtt is null)
                throw new FormatException($"profile '{profile.Name}' has no 'mqtt' part (a topic map); an mqtt:// device needs one, e.g. mqtt-charger");
            if (request.DeviceId is null && profile.Mqtt.TopicPrefix.Contains(MqttTopicMap.DevicePlaceholder, StringComparison.Ordinal))
                throw new FormatException($"--device is needed: the topics of profile '{profile.Name}' are {profile.Mqtt.TopicPrefix}/…");
            var broker = MqttBrokerAddress.Parse(request.Endpoint);
            // mqtt://user:password@host and mqtts:// (TLS, system CAs) work here too; the password is never printed.
            var client = new MqttClient(new MqttBrokerSecurity { Tls = broker.UseTls, UserName = broker.UserName, Password = broker.Password }.Apply(new MqttClientOptions
            {
                Host = broker.Host,
                Port = broker.Port,
                ClientId = $"gateway-probe-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}",
                ConnectTimeout = request.Timeout > MinConnectTimeout ? request.Timeout : MinConnectTimeout,
                OperationTimeout = request.Timeout > MinConnectTimeout ? request.Timeout : MinConnectTimeout,
                // A one-shot check: a lost connection is a failure to report, not to ride out.
                Reconnect = new MqttReconnectOptions { Enabled = false },
            }));
            var driver = new MqttDeviceDriver(new MqttDeviceConnection(client, broker.ToString()), request.DeviceId, profile, time,
                new MqttDeviceDriverOptions { FirstTelemetryTimeout = request.Timeout, AckTimeout = request.Timeout }, ownsConnection: true);
            await using (driver.ConfigureAwait(false))
            {
                report.TopicPrefix = driver.Topics.Prefix;
                await ReadAndSetAsync(driver, request, report, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProbeFailure.Classify(e, request) is { } failure)
        {
            report.ExitCode = failure.ExitCode;
            report.Error = failure.Message;
        }
        ProbeOutput.Write(report, stdout, stderr);
        return report.ExitCode;
    }

    private static readonly TimeSpan MinConnectTimeout = TimeSpan.FromSeconds(3);

    // What the probe does with any driver once it is open: read every point, then write and confirm the setpoint if asked.
    private static async Task ReadAndSetAsync(IDeviceDriver driver, ProbeRequest request, ProbeReport report, CancellationToken cancellationToken)
    {
        report.Reading = await driver.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (request.SetpointKw is not { } kw) return;
        report.Setpoint = await driver.WriteSetpointAsync(kw, request.ValidFor, cancellationToken).ConfigureAwait(false);
        if (report.Setpoint.Confirmed) return;
        report.ExitCode = ExitCodes.Failed;
        report.Error = "the setpoint the device reports back differs from what was sent: the device did not take it";
    }
}
