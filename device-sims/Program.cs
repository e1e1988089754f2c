using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;

// device-sims --rig FILE [--port-base N] [--endpoints-out FILE] [--clock real|stepped]
// Runs every device of a rig as a Modbus server on loopback (or as an MQTT client of the rig's broker)
// until "quit" on stdin, Ctrl+C or SIGTERM. With --clock stepped simulated time stands still until a gateway
// steps it over the lockstep control port (listed in the endpoints file as "@clock").
const string Usage = "usage: device-sims --rig FILE [--port-base N] [--endpoints-out FILE] [--clock real|stepped]";
string? rigPath = null, endpointsOut = null;
var stepped = false;
int? portBase = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "--rig": rigPath = Next(); break;
            case "--endpoints-out": endpointsOut = Next(); break;
            case "--clock":
                stepped = Next() switch
                {
                    "stepped" => true,
                    "real" => false,
                    var other => throw new ArgumentException($"--clock '{other}' is not 'real' or 'stepped'"),
                };
                break;
            case "--port-base":
                var text = Next();
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b > 65000)
                    throw new ArgumentException($"--port-base '{text}' is not a port (0–65000)");
                portBase = b;
                break;
            case "-h" or "--help": Console.WriteLine(Usage); Console.WriteLine(ControlInterpreter.Help); return 0;
            default: throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"device-sims: {e.Message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
if (rigPath is null)
{
    Console.Error.WriteLine($"device-sims: --rig is required{Environment.NewLine}{Usage}");
    return 2;
}

SimulatedRig rig;
try
{
    rig = new SimulatedRig(RigLoader.LoadSimulated(rigPath), TimeProvider.System, stepped);
}
catch (RigFileException e)
{
    Console.Error.WriteLine($"device-sims: the rig is not valid:{Environment.NewLine}{e.Message}");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

RigHost host;
try
{
    host = await RigHost.StartAsync(rig, portBase, cancellationToken: stop.Token);
}
catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or Gateway.Drivers.Modbus.ModbusCommunicationException
    or Gateway.Drivers.Mqtt.MqttCommunicationException or Gateway.Drivers.Mqtt.MqttConnectException)
{
    Console.Error.WriteLine($"device-sims: cannot start the servers: {e.Message}");
    return 3;
}
var lockstep = stepped ? LockstepControl.Start(rig) : null;
await using (host)
await using (lockstep)
{
    rig.StartClock();
    var endpoints = lockstep is null ? host.Endpoints : [.. host.Endpoints, new DeviceEndpoint("@clock", "clock", "tcp", lockstep.Uri, 0, "")];
    if (endpointsOut is not null)
    {
        // Written whole, then moved into place, so a reader never sees half a file.
        var temp = endpointsOut + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(endpoints, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        File.Move(temp, endpointsOut, overwrite: true);
    }
    if (lockstep is not null) Console.WriteLine($"  {"@clock",-12} {"clock",-12} {lockstep.Uri} (stepped: advance TIME / now)");
    foreach (var e in host.Endpoints)
        Console.WriteLine(e.TopicPrefix is { } prefix
            ? $"  {e.Id,-12} {e.Kind,-12} {e.Uri} topics {prefix}/… ({e.Profile})"
            : $"  {e.Id,-12} {e.Kind,-12} {e.Uri} unit {e.UnitId} ({e.Profile})");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"device-sims ready: {host.Endpoints.Count} devices, site {rig.Definition.SiteId}, simulated time {rig.Clock.Now:yyyy-MM-ddTHH:mm:ssZ} {(rig.Clock.IsStepped ? "stepped" : "x" + rig.Clock.TimeScale)}"));

    var control = new ControlInterpreter(rig);
    // Console reads block in the kernel and ignore the token: read commands on their own task and wait on the token here,
    // so SIGTERM or Ctrl+C stops the simulators even while a pipe to stdin stays open and silent.
    _ = Task.Run(async () =>
    {
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var replies = control.Execute(line, out var quit);
            foreach (var reply in replies) Console.WriteLine(reply);
            if (quit) { stop.Cancel(); return; }
        }
        // No more commands (stdin closed, e.g. in CI): keep serving until a signal.
    });
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }
}
Console.WriteLine("device-sims stopped");
return 0;
