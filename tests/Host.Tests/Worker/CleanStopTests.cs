using System.Diagnostics;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// Issue #13, row 1: <c>gateway run</c> with a dashboard ignored SIGTERM and Ctrl+C (only kill -9 stopped it); without one it
/// died in ~2 s with no summary and the round left in Delivering. Now, in every configuration, the first signal finishes or
/// parks the round (journaled), flushes the outbox for a bounded time, prints the summary and exits 0; a second signal
/// stops at once.
/// </summary>
public sealed class CleanStopTests
{
    private const string Dashboard = "\noperator:\n  dashboard: 127.0.0.1:0\n";

    [Theory]
    [InlineData("TERM", true)]
    [InlineData("TERM", false)]
    [InlineData("INT", true)]
    [InlineData("INT", false)]
    public async Task A_signal_mid_round_finishes_the_round_prints_the_summary_and_exits_0(string signal, bool withDashboard)
    {
        await using var rig = await EndToEndRig.StartAsync(EndToEndRig.Yaml.Replace("rounds: 3", "rounds: 50") + (withDashboard ? Dashboard : ""));
        var definition = rig.Load();
        using var gateway = Start(definition, rig.EndpointsFile);
        var stdout = gateway.StandardOutput.ReadToEndAsync();
        var stderr = gateway.StandardError.ReadToEndAsync();
        await WaitForDeliveringAsync(gateway, definition);

        var signalled = Stopwatch.StartNew();
        await SignalAsync(gateway, signal);
        Assert.True(await ExitsWithinAsync(gateway, TimeSpan.FromSeconds(40)), $"still running 40 s after SIG{signal}: {await Partial(stderr)}");
        var output = await stdout;
        Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}\n{output}\n{await stderr}");
        Assert.True(output.Contains($"stopped on SIG{signal}"), output);
        Assert.Contains("rounds traded / skipped / failed / parked", output);
        // At ×300 the rest of the interval is within the stop grace: the round is finished, metered, settled and closed.
        Assert.All(Rounds(definition.JournalPath), r => Assert.Equal(RoundState.Closed, r.State));
        Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(30), $"took {signalled.Elapsed}");
    }

    [Fact]
    public async Task A_round_with_much_of_its_interval_left_is_parked_then_resumed_by_the_next_run()
    {
        // ×30: a 15-minute interval lasts 30 real seconds, more than the stop grace (10 s): the round is parked, journaled.
        // The plant starts 5 minutes (10 real seconds) before the 11:00 interval, so a gateway slow to start on a loaded
        // machine still trades 11:00 rather than missing its first tenth and idling 30 s for 11:15.
        var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 30").Replace("rounds: 3", "rounds: 50")
            .Replace("start: 2026-06-01T11:00:00Z", "start: 2026-06-01T10:55:00Z", StringComparison.Ordinal) + Dashboard;
        Assert.Contains("10:55:00Z", yaml);
        await using var rig = await EndToEndRig.StartAsync(yaml);
        var definition = rig.Load();
        using (var gateway = Start(definition, rig.EndpointsFile))
        {
            var stdout = gateway.StandardOutput.ReadToEndAsync();
            var stderr = gateway.StandardError.ReadToEndAsync();
            await WaitForDeliveringAsync(gateway, definition);
            await SignalAsync(gateway, "TERM");
            Assert.True(await ExitsWithinAsync(gateway, TimeSpan.FromSeconds(20)), "still running 20 s after SIGTERM");
            var output = await stdout;
            Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}\n{output}\n{await stderr}");
            Assert.Contains("parked", output);
            Assert.Contains("0 / 0 / 0 / 1", output);
        }
        var parked = Assert.Single(Rounds(definition.JournalPath));
        Assert.Equal(RoundState.Delivering, parked.State);

        // The next run resumes it: metered, settled and closed. Its plant clock starts again at the rig's start, so at ×30
        // it would idle 40 real seconds for the parked interval to end; the journal does not depend on the speed, so the
        // next run goes at ×300 (the parking above is what needs ×30).
        await File.WriteAllTextAsync(definition.SourceFile, yaml.Replace("timeScale: 30", "timeScale: 300", StringComparison.Ordinal));
        using (var again = Start(definition, rig.EndpointsFile, rounds: 1))
        {
            var stdout = again.StandardOutput.ReadToEndAsync();
            Assert.True(await ExitsWithinAsync(again, TimeSpan.FromSeconds(90)), "the resumed run did not finish");
            Assert.True(again.ExitCode == 0, await stdout);
        }
        Assert.Equal(RoundState.Closed, Rounds(definition.JournalPath).Single(r => r.RoundId == parked.RoundId).State);
    }

    [Fact]
    public async Task A_second_signal_stops_at_once_and_leaves_the_journal_resumable()
    {
        // ×100: a 15-minute interval is 9 real seconds, within the stop grace, so the first SIGTERM waits to finish the
        // round; the second one cuts that wait short.
        var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 100").Replace("rounds: 3", "rounds: 50") + Dashboard;
        await using var rig = await EndToEndRig.StartAsync(yaml);
        var definition = rig.Load();
        using var gateway = Start(definition, rig.EndpointsFile);
        var stdout = gateway.StandardOutput.ReadToEndAsync();
        var firstHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        gateway.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.Contains("received: finishing or parking", StringComparison.Ordinal)) firstHandled.TrySetResult();
        };
        gateway.BeginErrorReadLine();
        await WaitForDeliveringAsync(gateway, definition);
        var clock = Stopwatch.StartNew();
        await SignalAsync(gateway, "TERM");
        // POSIX does not queue a second SIGTERM sent before the first is handled: send it once the first is.
        await firstHandled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await SignalAsync(gateway, "TERM");
        var second = Stopwatch.StartNew();
        Assert.True(await ExitsWithinAsync(gateway, TimeSpan.FromSeconds(10)), "a second SIGTERM did not stop the gateway at once");
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(5), $"took {second.Elapsed} after the second signal");
        var output = await stdout;
        Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}\n{output}\n{stderr}");
        Assert.True(output.Contains("at once"), output + "\n" + stderr);
        Assert.All(Rounds(definition.JournalPath), r => Assert.True(r.State >= RoundState.Delivering));
    }

    [Fact]
    public async Task Under_systemd_it_notifies_ready_then_stopping()
    {
        await using var rig = await EndToEndRig.StartAsync(EndToEndRig.Yaml.Replace("rounds: 3", "rounds: 50") + Dashboard);
        var definition = rig.Load();
        var socketPath = Path.Combine(rig.Directory, "notify.sock");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        using var gateway = Start(definition, rig.EndpointsFile, environment: new() { ["NOTIFY_SOCKET"] = socketPath });
        var stdout = gateway.StandardOutput.ReadToEndAsync();
        var messages = new List<string>();
        async Task<string> ReceiveAsync()
        {
            var buffer = new byte[1024];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, n);
            messages.Add(text);
            return text;
        }
        Assert.Equal("READY=1", await ReceiveAsync());
        await WaitForDeliveringAsync(gateway, definition);
        await SignalAsync(gateway, "TERM");
        while (await ReceiveAsync() != "STOPPING=1") { }
        Assert.True(await ExitsWithinAsync(gateway, TimeSpan.FromSeconds(40)));
        Assert.Equal(0, gateway.ExitCode);
        Assert.Contains(messages, m => m.StartsWith("STATUS=round e2e-", StringComparison.Ordinal) || m == "STOPPING=1");
        await stdout;
    }

    internal static Process Start(RigDefinition rig, string endpoints, int rounds = 50, Dictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gateway.dll");
        var info = new ProcessStartInfo(SigIntIgnoredHere ? "python3" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        // A suite started in the background (`nohup scripts/test.sh &`) passes SIGINT ignored to every child, and a
        // process that starts with SIGINT ignored rightly keeps ignoring it (a shell's background job must not stop on
        // Ctrl+C). The gateway is then started as from a terminal: SIGINT restored to its default, then exec'd.
        if (SigIntIgnoredHere)
            foreach (var a in new[] { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])", "dotnet" })
                info.ArgumentList.Add(a);
        foreach (var a in new[] { dll, "run", "--rig", rig.SourceFile, "--endpoints", endpoints, "--rounds", rounds.ToString(), "--report", Path.Combine(Path.GetDirectoryName(rig.SourceFile)!, "report") })
            info.ArgumentList.Add(a);
        info.Environment["COLUMNS"] = "200";
        foreach (var (k, v) in environment ?? []) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    /// <summary>Whether this test process started with SIGINT ignored (bit 2 of SigIgn in /proc/self/status).</summary>
    private static bool SigIntIgnoredHere { get; } = File.ReadLines("/proc/self/status")
        .Where(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))
        .Select(l => (Convert.ToUInt64(l["SigIgn:".Length..].Trim(), 16) & 0x2) != 0)
        .FirstOrDefault();

    internal static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process.Id.ToString()]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    internal static async Task<bool> ExitsWithinAsync(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            return false;
        }
    }

    private static async Task<string> Partial(Task<string> text) => text.IsCompleted ? await text : "(stderr still open)";

    private static async Task WaitForDeliveringAsync(Process gateway, RigDefinition definition)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60) && !gateway.HasExited)
        {
            if (Rounds(definition.JournalPath).Any(r => r.State == RoundState.Delivering)) return;
            await Task.Delay(50);
        }
        Assert.Fail(gateway.HasExited ? "the gateway ended before a round was delivering" : "no round reached delivering within 60 s");
    }

    private static List<(string RoundId, RoundState State)> Rounds(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT round_id, state FROM rounds";
            using var r = cmd.ExecuteReader();
            var rows = new List<(string, RoundState)>();
            while (r.Read()) rows.Add((r.GetString(0), (RoundState)r.GetInt32(1)));
            return rows;
        }
        catch (SqliteException)
        {
            return [];
        }
    }
}
