using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Host.Tests.Operator;

/// <summary>A real mosquitto for one test: temp config, a free 127.0.0.1 port, killed on dispose.</summary>
internal sealed class MosquittoProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Process _process;
    private readonly string _directory;

    private MosquittoProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static async Task<MosquittoProcess> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "operator-mqtt-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"user root\nlog_dest stderr\nlog_type error\nlog_type warning\nallow_anonymous true\nlistener {port} 127.0.0.1\n");
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false },
        };
        var broker = new MosquittoProcess(process, directory, port);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (broker._log) broker._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (broker._log) broker._log.AppendLine(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                await broker.DisposeAsync();
                throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}: {broker.Log}");
            }
            if (await AcceptsAsync(port)) return broker;
            await Task.Delay(20);
        }
        await broker.DisposeAsync();
        throw new TimeoutException($"mosquitto did not open 127.0.0.1:{port} within 10 s: {broker.Log}");
    }

    /// <summary>Run mosquitto_sub until it has received <paramref name="count"/> messages (-v: "topic payload" per line).</summary>
    public Task<string[]> SubscribeAsync(string topicFilter, int count, int timeoutSeconds = 10) =>
        RunClientAsync("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", Port.ToString(), "-t", topicFilter, "-C", count.ToString(), "-v", "-W", timeoutSeconds.ToString()]);

    /// <summary>Like <see cref="SubscribeAsync"/> over MQTT 5, printing each message's user properties ("key:value key:value").</summary>
    public Task<string[]> SubscribeUserPropertiesAsync(string topicFilter, int count, int timeoutSeconds = 10) =>
        RunClientAsync("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", Port.ToString(), "-V", "mqttv5", "-t", topicFilter, "-C", count.ToString(), "-F", "%P", "-W", timeoutSeconds.ToString()]);

    /// <summary>Every retained message under <paramref name="topicFilter"/> (mosquitto_sub --retained-only, ending after 1 s of quiet).</summary>
    public Task<string[]> SubscribeRetainedAsync(string topicFilter) =>
        RunClientAsync("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", Port.ToString(), "-t", topicFilter, "--retained-only", "-v", "-W", "1"], timeoutExitCode: 27);

    /// <summary>Start mosquitto_sub and return it running (for messages that are not retained).</summary>
    public Process StartSubscriber(string topicFilter, int count, int timeoutSeconds = 15)
    {
        var start = new ProcessStartInfo("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", Port.ToString(), "-t", topicFilter, "-C", count.ToString(), "-v", "-W", timeoutSeconds.ToString()])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        return Process.Start(start)!;
    }

    public Task<string[]> PublishAsync(string topic, string payload, bool retain = false)
    {
        List<string> args = ["-h", "127.0.0.1", "-p", Port.ToString(), "-t", topic, "-q", "1"];
        args.AddRange(payload.Length == 0 ? ["-n"] : ["-m", payload]);
        if (retain) args.Add("-r");
        return RunClientAsync("/usr/bin/mosquitto_pub", args);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException) { /* never started */ }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* the OS cleans temp */ }
    }

    private static async Task<string[]> RunClientAsync(string file, IEnumerable<string> arguments, int? timeoutExitCode = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0 && process.ExitCode != timeoutExitCode) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error} {await output}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
