using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing;

/// <summary>What the test broker should offer.</summary>
public sealed record MosquittoSettings
{
    /// <summary>Keep sessions and queued messages on disk (saved after every change) so a kill -9 loses nothing.</summary>
    public bool Persistence { get; init; }

    /// <summary>When set, anonymous clients are refused and these users get in.</summary>
    public IReadOnlyDictionary<string, string>? Users { get; init; }

    /// <summary>When set, a second listener speaks TLS with these certificates.</summary>
    public TestCertificates? Tls { get; init; }

    /// <summary>Whether the TLS listener demands a client certificate signed by the test CA.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>Seconds between $SYS updates.</summary>
    public int SysIntervalSeconds { get; init; } = 10;
}

/// <summary>
/// A real mosquitto started by the test: a temp directory with its config, a free 127.0.0.1 port, killed on dispose
/// (and by <see cref="Kill"/>, with SIGKILL, for the restart test).
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private const string Executable = "/usr/sbin/mosquitto";
    private readonly StringBuilder _log = new();
    private Process? _process;

    private MosquittoBroker(MosquittoSettings settings, string directory, int port, int tlsPort)
    {
        Settings = settings;
        Directory = directory;
        Port = port;
        TlsPort = tlsPort;
    }

    public MosquittoSettings Settings { get; }

    public string Directory { get; }

    public int Port { get; }

    public int TlsPort { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Start a broker on free ports. A free port is only free until someone binds it: when another process takes it
    /// between <see cref="Ports.Free"/> and mosquitto's bind, the broker is started again on new ports.
    /// </summary>
    public static async Task<MosquittoBroker> StartAsync(MosquittoSettings? settings = null)
    {
        settings ??= new MosquittoSettings();
        for (var attempt = 1; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "mqtt-test-" + Guid.NewGuid().ToString("N")[..12]);
            System.IO.Directory.CreateDirectory(directory);
            var broker = new MosquittoBroker(settings, directory, Ports.Free(), settings.Tls is null ? 0 : Ports.Free());
            try
            {
                await broker.WriteConfigAsync();
                await broker.StartProcessAsync();
                return broker;
            }
            catch (InvalidOperationException) when (attempt < 3 && broker.Log.Contains("Address already in use", StringComparison.Ordinal))
            {
                await broker.DisposeAsync();
            }
            catch
            {
                await broker.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>SIGKILL: no goodbye, no final save.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(5000);
            process.WaitForExit(); // also drains the redirected log

        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Start again on the same port with the same persistence directory.</summary>
    public Task RestartAsync() => StartProcessAsync();

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

    /// <summary>Publish one message at QoS 1 with mosquitto_pub (an empty payload is sent as a null message).</summary>
    public Task<string[]> PublishAsync(string topic, string payload, bool retain = false)
    {
        List<string> args = ["-h", "127.0.0.1", "-p", Port.ToString(), "-t", topic, "-q", "1"];
        args.AddRange(payload.Length == 0 ? ["-n"] : ["-m", payload]);
        if (retain) args.Add("-r");
        return RunClientAsync("/usr/bin/mosquitto_pub", args);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (Environment.GetEnvironmentVariable("MQTT_TEST_BROKER_LOG") is { Length: > 0 } logFile) await File.AppendAllTextAsync(logFile, Log);
        await Task.Yield();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a file still open by a dying process; the temp dir is cleaned by the OS */ }
    }

    private async Task WriteConfigAsync()
    {
        var config = new StringBuilder();
        config.AppendLine("user root"); // ignored unless run as root; keeps the temp files readable
        config.AppendLine("log_dest stderr");
        config.AppendLine("log_type error");
        config.AppendLine("log_type warning");
        config.AppendLine("log_type notice");
        if (Environment.GetEnvironmentVariable("MQTT_TEST_BROKER_LOG") is { Length: > 0 }) config.AppendLine("log_type all");
        config.AppendLine($"sys_interval {Settings.SysIntervalSeconds}");
        config.AppendLine("max_queued_messages 100000");
        if (Settings.Persistence)
        {
            config.AppendLine("persistence true");
            config.AppendLine($"persistence_location {Directory}/");
            config.AppendLine("autosave_on_changes true");
            config.AppendLine("autosave_interval 1");
        }
        if (Settings.Users is { } users)
        {
            var passwordFile = Path.Combine(Directory, "passwd");
            foreach (var (user, password) in users)
            {
                var create = File.Exists(passwordFile) ? "" : "-c ";
                await RunAsync("/usr/bin/mosquitto_passwd", $"{create}-b {passwordFile} {user} {password}");
            }
            config.AppendLine("allow_anonymous false");
            config.AppendLine($"password_file {passwordFile}");
        }
        else
        {
            config.AppendLine("allow_anonymous true");
        }
        config.AppendLine($"listener {Port} 127.0.0.1");
        if (Settings.Tls is { } tls)
        {
            tls.WriteBrokerFiles(Directory);
            config.AppendLine($"listener {TlsPort} 127.0.0.1");
            config.AppendLine($"cafile {Path.Combine(Directory, "ca.pem")}");
            config.AppendLine($"certfile {Path.Combine(Directory, "server.pem")}");
            config.AppendLine($"keyfile {Path.Combine(Directory, "server.key")}");
            config.AppendLine($"require_certificate {(Settings.RequireClientCertificate ? "true" : "false")}");
        }
        await File.WriteAllTextAsync(Path.Combine(Directory, "mosquitto.conf"), config.ToString());
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo(Executable, ["-c", Path.Combine(Directory, "mosquitto.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited) throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}: {Log}");
            if (await AcceptsAsync(Port) && (TlsPort == 0 || await AcceptsAsync(TlsPort))) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"mosquitto did not open port {Port} within 10 s: {Log}");
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


    public static async Task<string> RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await error}");
        return await output;
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
}
