using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing;

/// <summary>
/// A real mosquitto configured as a site should run it: a TLS listener that requires a client certificate signed by the
/// site CA, a password file (mosquitto_passwd) and the ACL file shipped in deploy/. Temp directory, free 127.0.0.1 port,
/// killed on dispose.
/// </summary>
public sealed class SecuredMosquitto : IAsyncDisposable
{
    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        ["gateway"] = "gw-secret-8f2c", ["devices"] = "dev-secret-31aa", ["scada-1"] = "scada-secret-77d0", ["mallory"] = "mallory-secret-0000",
    };

    private readonly StringBuilder _log = new();
    private Process? _process;

    private SecuredMosquitto(string directory, int port, TestCertificates certificates)
    {
        Directory = directory;
        Port = port;
        PlainPort = Ports.Free();
        Certificates = certificates;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>A second listener without TLS (same passwords and ACL), for user:password@ addresses.</summary>
    public int PlainPort { get; }

    public TestCertificates Certificates { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string ClientCertificateFile => Path.Combine(Directory, "client.pem");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    public string Url => $"mqtts://127.0.0.1:{Port}";

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Write a user's password to a file (mode 600) and return its path.</summary>
    public string PasswordFile(string user)
    {
        var path = Path.Combine(Directory, user + ".pw");
        File.WriteAllText(path, Users[user] + "\n");
        // Windows has no Unix modes (and no mosquitto of ours to read the file).
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public static async Task<SecuredMosquitto> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "secured-mqtt-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        var broker = new SecuredMosquitto(directory, Ports.Free(), TestCertificates.Create("Site Test CA"));
        broker.Certificates.WriteBrokerFiles(directory);
        broker.Certificates.WriteClientFiles(directory);
        var passwd = Path.Combine(directory, "passwd");
        foreach (var (user, password) in Users)
            await RunAsync("/usr/bin/mosquitto_passwd", [.. File.Exists(passwd) ? Array.Empty<string>() : ["-c"], "-b", passwd, user, password]);
        var acl = Path.Combine(Repository.Root, "deploy", "mosquitto-acl.conf");
        var config = $"""
            user root
            log_dest stderr
            log_type error
            log_type warning
            per_listener_settings false
            allow_anonymous false
            password_file {passwd}
            acl_file {acl}
            listener {broker.Port} 127.0.0.1
            cafile {broker.CaFile}
            certfile {Path.Combine(directory, "server.pem")}
            keyfile {Path.Combine(directory, "server.key")}
            require_certificate true
            listener {broker.PlainPort} 127.0.0.1
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), config);
        var process = new Process { StartInfo = new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", Path.Combine(directory, "mosquitto.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (broker._log) broker._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (broker._log) broker._log.AppendLine(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        broker._process = process;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited) throw new InvalidOperationException($"mosquitto exited: {broker.Log}");
            try
            {
                // Both listeners: mosquitto opens them one after the other, and tests use either.
                using var tls = new TcpClient();
                await tls.ConnectAsync(IPAddress.Loopback, broker.Port);
                using var plain = new TcpClient();
                await plain.ConnectAsync(IPAddress.Loopback, broker.PlainPort);
                return broker;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }
        throw new TimeoutException("mosquitto did not start: " + broker.Log);
    }

    /// <summary>mosquitto_sub over TLS as <paramref name="user"/>: every retained message under the filter (ends after 1 s of quiet).</summary>
    public Task<string[]> RetainedAsync(string user, string topicFilter) =>
        RunAsync("/usr/bin/mosquitto_sub", [.. ClientArgs(user), "-t", topicFilter, "--retained-only", "-v", "-W", "2"], timeoutExitCode: 27);

    /// <summary>mosquitto_pub over TLS as <paramref name="user"/>.</summary>
    public Task<string[]> PublishAsync(string user, string topic, string payload, bool retain = false) =>
        RunAsync("/usr/bin/mosquitto_pub", [.. ClientArgs(user), "-t", topic, "-q", "1", "-m", payload, .. retain ? new[] { "-r" } : []]);

    private string[] ClientArgs(string user) =>
        ["-h", "localhost", "-p", Port.ToString(), "--cafile", CaFile, "--cert", ClientCertificateFile, "--key", ClientKeyFile, "-u", user, "-P", Users[user], "-i", user + "-" + Guid.NewGuid().ToString("N")[..6]];

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
        _process?.Dispose();
        Certificates.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }


    private static async Task<string[]> RunAsync(string file, IEnumerable<string> arguments, int? timeoutExitCode = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0 && process.ExitCode != timeoutExitCode) throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {await error} {await output}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
