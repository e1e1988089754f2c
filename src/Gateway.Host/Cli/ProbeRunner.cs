using System.Globalization;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Discovery;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;

namespace Gateway.Host.Cli;

/// <summary>
/// Runs one probe: load (or pick) the profile, connect, read (and list SunSpec models, write a setpoint), report.
/// Without a setpoint to write, the driver is read-only: a probe that only looks can never change the device.
/// </summary>
internal static class ProbeRunner
{
    private static readonly TimeSpan MinConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs <paramref name="request"/> and returns the exit code.</summary>
    /// <param name="request">What to do.</param>
    /// <param name="connect">Opens a client for the request's endpoint (the real transports by default).</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <param name="stderr">Where failures and warnings go, in plain words.</param>
    /// <param name="time">Clock for measurement timestamps.</param>
    /// <param name="cancellationToken">Stops the probe.</param>
    public static async Task<int> RunAsync(ProbeRequest request, Func<ProbeRequest, IModbusClient> connect, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var report = new ProbeReport { Request = request };
        try
        {
            if (request.IsOcpp) await ProbeOcpp.RunAsync(request, report, time, cancellationToken).ConfigureAwait(false);
            else if (request.IsMqtt) await RunMqttAsync(request, report, time, cancellationToken).ConfigureAwait(false);
            else await RunModbusAsync(request, report, connect, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProbeFailure.Classify(e, request) is { } failure)
        {
            report.ExitCode = failure.ExitCode;
            report.Error = failure.Message;
        }
        ProbeOutput.Write(report, stdout, stderr);
        return report.ExitCode;
    }

    private static async Task RunModbusAsync(ProbeRequest request, ProbeReport report, Func<ProbeRequest, IModbusClient> connect, TimeProvider time, CancellationToken cancellationToken)
    {
        var given = request.Profile is null ? null : ProfileLoader.Load(request.Profile);
        var client = connect(request);
        await using (client.ConfigureAwait(false))
        {
            DeviceProfile profile;
            if (given is null)
            {
                // No profile: the device's SunSpec models say which one reads it.
                var map = await ModbusUnitScanner.DiscoverSunSpecAsync(client, request.UnitId, request.Who, cancellationToken).ConfigureAwait(false);
                report.SunSpec = map;
                var chosen = SunSpecProfileChoice.For(map)
                    ?? throw new FormatException($"{request.Who} carries SunSpec models {Models(map)}, which no shipped profile reads (inverters 101–103 and 111–113, meters 201–204): give --profile");
                profile = ProfileLoader.Load(chosen);
                report.ProfileChosenBecause = $"from SunSpec models {Models(map)}";
            }
            else
            {
                profile = given;
            }
            report.ProfileName = profile.Name;
            var driver = new ModbusDeviceDriver(client, request.UnitId, profile, time)
            {
                Name = request.Who,
                ReadOnly = !request.Writes,
                RatingKw = request.RatingKw,
            };
            if (request.SunSpec && report.SunSpec is null && profile.Modbus!.SunSpec)
            {
                report.SunSpec = await driver.DiscoverSunSpecAsync(cancellationToken).ConfigureAwait(false);
                WarnOnModelMismatch(report, profile);
            }
            else if (request.SunSpec && report.SunSpec is null)
            {
                // A profile with plain addresses reads the device whether it has SunSpec models or not.
                try
                {
                    report.SunSpec = await ModbusUnitScanner.DiscoverSunSpecAsync(client, request.UnitId, request.Who, cancellationToken).ConfigureAwait(false);
                }
                catch (DeviceException e) when (e.Kind == DeviceErrorKind.BadValue)
                {
                    report.Warnings.Add($"--sunspec: {e.Message}");
                }
            }
            await ReadAndSetAsync(driver, request, report, cancellationToken).ConfigureAwait(false);
        }
    }

    // The same read and write through the MQTT driver: connect to the broker, wait for the device's
    // telemetry, send the setpoint and wait for its acknowledgement, each within the request's timeout.
    private static async Task RunMqttAsync(ProbeRequest request, ProbeReport report, TimeProvider time, CancellationToken cancellationToken)
    {
        var profile = ProfileLoader.Load(request.Profile ?? throw new FormatException("--profile is needed for an MQTT device (e.g. mqtt-charger; 'gateway scan mqtt://…' lists the devices per profile)"));
        report.ProfileName = profile.Name;
        if (profile.Mqtt is null)
            throw new FormatException($"profile '{profile.Name}' has no 'mqtt' part (a topic map); an mqtt:// device needs one, e.g. mqtt-charger");
        if (request.DeviceId is null && profile.Mqtt.TopicPrefix.Contains(MqttTopicMap.DevicePlaceholder, StringComparison.Ordinal))
            throw new FormatException($"--device is needed: the topics of profile '{profile.Name}' are {profile.Mqtt.TopicPrefix}/… ('gateway scan {request.Endpoint}' lists the device ids it sees)");
        var driver = new MqttDeviceDriver(OpenBroker(request.Endpoint, request.Broker, request.Timeout, "probe"), request.DeviceId, profile, time,
            new MqttDeviceDriverOptions { FirstTelemetryTimeout = request.Timeout, AckTimeout = request.Timeout }, ownsConnection: true)
        {
            ReadOnly = !request.Writes,
            RatingKw = request.RatingKw,
        };
        await using (driver.ConfigureAwait(false))
        {
            report.TopicPrefix = driver.Topics.Prefix;
            await ReadAndSetAsync(driver, request, report, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A one-shot connection to the broker at <paramref name="endpoint"/> (no reconnects: a lost connection is a failure to report),
    /// secured as <paramref name="security"/> says (the command line's --ca, --cert, --username …) joined with the URL's mqtts:// and user.
    /// </summary>
    /// <exception cref="MqttBrokerSecurityException">A TLS file does not load or the password cannot be read.</exception>
    internal static MqttDeviceConnection OpenBroker(string endpoint, MqttBrokerSecurity? security, TimeSpan timeout, string purpose)
    {
        var broker = MqttBrokerAddress.Parse(endpoint);
        var secured = BrokerSecurityOptions.Combine(security, broker);
        var client = new MqttClient(secured.Apply(new MqttClientOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = $"gateway-{purpose}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}",
            ConnectTimeout = timeout > MinConnectTimeout ? timeout : MinConnectTimeout,
            OperationTimeout = timeout > MinConnectTimeout ? timeout : MinConnectTimeout,
            Reconnect = new MqttReconnectOptions { Enabled = false },
        }));
        // --ca on mqtt:// speaks TLS: the messages say mqtts://, as the connection is.
        return new MqttDeviceConnection(client, (broker with { UseTls = secured.UsesTls }).ToString());
    }

    // What the probe does with any driver once it is open: read every point, then write and confirm the setpoint if asked.
    internal static async Task ReadAndSetAsync(IDeviceDriver driver, ProbeRequest request, ProbeReport report, CancellationToken cancellationToken)
    {
        report.Reading = await driver.ReadAsync(cancellationToken).ConfigureAwait(false);
        WarnIfNothingRead(report);
        if (!request.Writes) return;
        if (driver.Profile.FindRole(PointRole.Setpoint) is { PercentOf: { } basis } setpoint && request.RatingKw is null
            && !(report.Reading.Find(basis) is { } rated && rated.TryGetGood(out var ratedKw) && ratedKw > 0))
            throw new FormatException($"{request.Who}: its setpoint {setpoint.Name} is in % of {basis}, which the device does not report: give --rating KW from its nameplate");
        var kw = request.SetpointKw ?? PercentToKw(request.SetpointPercent!.Value, request.RatingKw, report.Reading);
        report.Setpoint = await driver.WriteSetpointAsync(kw, request.ValidFor, cancellationToken).ConfigureAwait(false);
        if (report.Setpoint.Confirmed) return;
        report.ExitCode = ExitCodes.Failed;
        report.Error = "the setpoint the device reports back differs from what was sent: the device did not take it";
    }

    /// <summary>
    /// <paramref name="percent"/> of the device's rating in kW: the rating given, else the device's own max-power reading
    /// (min-power for a negative %, the most it may draw).
    /// </summary>
    /// <exception cref="FormatException">No rating given and the device reports none.</exception>
    internal static double PercentToKw(double percent, double? ratingKw, DeviceReading reading)
    {
        if (ratingKw is { } rating) return percent / 100 * rating;
        var role = percent < 0 ? PointRole.MinPower : PointRole.MaxPower;
        if (reading.Find(role) is { } point && point.TryGetGood(out var kw) && kw != 0) return percent / 100 * Math.Abs(kw);
        throw new FormatException($"{Num(percent)} % needs the device's rating, and it reports no {(percent < 0 ? "min-power" : "max-power")} value: give --rating KW from its nameplate");
    }

    private static void WarnIfNothingRead(ProbeReport report)
    {
        // Model and serial number may come from a common block every device has: what counts is what the gateway uses.
        var used = report.Reading!.Measurements.Where(m => m.Role != PointRole.Info).ToList();
        if (used.Count == 0 || used.Any(m => m.Quality != MeasurementQuality.Absent)) return;
        var hint = report.SunSpec is { } map && SunSpecProfileChoice.For(map) is { } fits && fits != report.ProfileName
            ? $"; its SunSpec models ({Models(map)}) fit --profile {fits}"
            : report.Request.IsMqtt ? "; 'gateway scan " + report.Request.Endpoint + "' lists the devices per profile" : "; try --sunspec to see its models";
        report.Warnings.Add($"every point of profile {report.ProfileName} the gateway uses reads absent: this device does not hold that profile's points — wrong --profile or {(report.Request.IsMqtt ? "--device" : "--unit")}?{hint}");
        if (report.ExitCode == ExitCodes.Ok)
        {
            report.ExitCode = ExitCodes.Failed;
            report.Error ??= "nothing was read";
        }
    }

    private static void WarnOnModelMismatch(ProbeReport report, DeviceProfile profile)
    {
        var reads = SunSpecProfileChoice.ModelsOf(profile.Name);
        if (report.SunSpec is not { } map || reads.Count == 0 || map.Models.Any(m => reads.Contains(m.Id))) return;
        var fits = SunSpecProfileChoice.For(map);
        report.Warnings.Add($"profile {profile.Name} reads SunSpec models {string.Join(", ", reads)}, and the device has none of them ({Models(map)})"
            + (fits is null ? "" : $": its models fit --profile {fits}"));
    }

    private static string Models(Drivers.Devices.SunSpec.SunSpecMap map) => string.Join(", ", map.Models.Select(m => m.Id));

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
