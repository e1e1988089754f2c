using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

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
        try
        {
            var profile = ProfileLoader.Load(request.Profile);
            report.ProfileName = profile.Name;
            var client = connect(request);
            await using (client.ConfigureAwait(false))
            {
                var driver = new ModbusDeviceDriver(client, request.UnitId, profile, time);
                if (request.SunSpec) report.SunSpec = await driver.DiscoverSunSpecAsync(cancellationToken).ConfigureAwait(false);
                report.Reading = await driver.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (request.SetpointKw is { } kw)
                {
                    report.Setpoint = await driver.WriteSetpointAsync(kw, request.ValidFor, cancellationToken).ConfigureAwait(false);
                    if (!report.Setpoint.Confirmed)
                    {
                        report.ExitCode = ExitCodes.Failed;
                        report.Error = "the setpoint read back differs from what was written: the device did not take it";
                    }
                }
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
}
