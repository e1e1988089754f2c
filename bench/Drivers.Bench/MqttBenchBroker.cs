using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Bench;

/// <summary>A mosquitto the benchmark starts on a free 127.0.0.1 port with a temp config, and kills afterwards.</summary>
internal sealed class MqttBenchBroker : IDisposable
{
    private readonly Process _process;
    private bool _disposed;

    private MqttBenchBroker(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public static MqttBenchBroker Start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mqtt-bench-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = Path.Combine(directory, "mosquitto.conf");
        // Unlimited queues so an offline persistent subscriber never drops a message the bench counts.
        File.WriteAllText(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 0
            queue_qos0_messages true
            log_dest none
            """);
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", config]) { UseShellExecute = false })!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var probe = new TcpClient();
            try
            {
                probe.Connect(IPAddress.Loopback, port);
                var broker = new MqttBenchBroker(process, directory, port);
                // BenchmarkDotNet may end the process without GlobalCleanup (e.g. a case that overruns): no orphan broker.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => broker.Dispose();
                return broker;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }
        process.Kill();
        throw new TimeoutException($"mosquitto did not open port {port}");
    }

    /// <summary>Run a shell command line to completion (mosquitto_pub/_sub with redirections).</summary>
    public static void Shell(string commandLine)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", commandLine]) { UseShellExecute = false })!;
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"timed out: {commandLine}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"exit {process.ExitCode}: {commandLine}");
    }

    /// <summary>Start a shell command line without waiting.</summary>
    public static Process ShellAsync(string commandLine) =>
        Process.Start(new ProcessStartInfo("/bin/sh", ["-c", commandLine]) { UseShellExecute = false })!;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
