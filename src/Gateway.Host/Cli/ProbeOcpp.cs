using System.Globalization;
using System.Net;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Ocpp;
using Gateway.Drivers.Ocpp;
using Gateway.Runtime.Ocpp;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway probe ocpp://HOST:PORT</c>: the probe plays the CSMS. It listens on HOST:PORT (loopback, security profile 0: a
/// laptop at the pile with the pile's CSMS URL pointed at it through an SSH tunnel or a bench), lists every station that dials in
/// within the timeout with what it reported, or reads one station (<c>--device</c>) through the OCPP charger profile and, with
/// <c>--set</c>, sends it a charging profile and reads it back.
/// </summary>
internal static class ProbeOcpp
{
    public static async Task RunAsync(ProbeRequest request, ProbeReport report, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Endpoint, UriKind.Absolute, out var uri) || uri.IsDefaultPort || uri.AbsolutePath.Length > 1)
            throw new FormatException($"'{request.Endpoint}' is not ocpp://HOST:PORT (the address the probe listens on)");
        var host = uri.Host.Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var ip) ? ip : throw new FormatException($"'{host}' is not an IP address to listen on");
        if (!IPAddress.IsLoopback(address))
            throw new FormatException($"the probe listens without security (profile 0), so on loopback only; tunnel the pile to 127.0.0.1 (ssh -R) instead of listening on {address}");
        var profile = ProfileLoader.Load(request.Profile ?? "ocpp-charger");
        report.ProfileName = profile.Name;
        if (profile.Ocpp is null) throw new FormatException($"profile '{profile.Name}' has no 'ocpp' part; an OCPP station is read through ocpp-charger");

        var registry = new OcppStationRegistry(time);
        var endpoint = new OcppEndpoint(registry, new OcppEndpointOptions { Address = address, Port = uri.Port, AdmitUnknownStations = true });
        await using (endpoint.ConfigureAwait(false))
        {
            try
            {
                await endpoint.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new DeviceException(DeviceErrorKind.Unreachable, request.Who, e.Message, false, e);
            }
            var options = new OcppChargerDriverOptions { FirstValuesTimeout = request.Timeout, ReadBackTimeout = request.Timeout };
            if (request.DeviceId is { } id)
            {
                var station = registry.GetOrAdd(id);
                if (!await station.WaitForConnectionAsync(request.Timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false))
                    throw new DeviceException(DeviceErrorKind.Timeout, request.Who,
                        $"station '{id}' did not dial in to {endpoint.Url}{Uri.EscapeDataString(id)} within {Seconds(request.Timeout)} s — is its CSMS URL set to it?", true);
                var driver = new OcppChargerDriver(station, profile, time, options) { ReadOnly = !request.Writes, WallClock = TimeProvider.System };
                await ProbeRunner.ReadAndSetAsync(driver, request, report, cancellationToken).ConfigureAwait(false);
                return;
            }
            // Stations redial on their own schedule: listen for the whole timeout, then read everyone who came.
            await Task.Delay(request.Timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            foreach (var station in registry.All)
            {
                if (station.Connection is not { } connection) continue;
                var driver = new OcppChargerDriver(station, profile, time, options) { ReadOnly = true, WallClock = TimeProvider.System };
                report.Stations.Add(new ProbeStation(station.Id, connection.Version.Subprotocol(), station.Model, await driver.ReadAsync(cancellationToken).ConfigureAwait(false)));
            }
            if (report.Stations.Count == 0)
                throw new DeviceException(DeviceErrorKind.Timeout, request.Who,
                    $"no station dialed in to {endpoint.Url}<station> within {Seconds(request.Timeout)} s (give a longer --timeout; stations redial every few seconds)", true);
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
