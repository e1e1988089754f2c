using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.LedgerClient.Outbox;

namespace Gateway.Bench.MultiSite;

/// <summary>
/// <c>dotnet run -c Release -- multisite [options]</c>: N gateways (sites) settle concurrently on one Fabric network through
/// the real outbox path (journal → outbox → dispatcher → FabricLedger), each round one CommitSettlements transaction.
/// Reports settlements/s and round close → commit latency, repeated over several seeds (mean ± sd), and — with
/// <c>--node</c> — the official Node client (@hyperledger/fabric-gateway) sending the same batches the same way.
/// </summary>
internal static class MultiSiteBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        Console.WriteLine($"multisite: {o.Sites} sites × {o.Rounds} rounds × {o.Settlements} settlements, mode {o.Mode}" +
                          (o.Mode == "paced" ? $" (a round every {o.IntervalMs} ms per site)" : " (backlog drained as fast as it goes)") +
                          $", window {o.Window} rounds, {(o.OneAtATime ? "ONE SETTLEMENT PER TRANSACTION" : "one transaction per round")}, {o.Repeat} runs");
        await using var target = o.Lab is { } lab ? FabricTarget.Lab(lab, o.Channel, o.Chaincode) : await FabricTarget.TestPeerAsync(TimeSpan.FromMilliseconds(o.BatchTimeoutMs), o.MaxMessageCount);
        Console.WriteLine($"target: {target.Description}");

        var throughputs = new List<double>();
        var means = new List<double>();
        var p95s = new List<double>();
        var maxes = new List<double>();
        for (var run = 0; run < o.Repeat; run++)
        {
            var seed = o.Seed + run;
            var (throughput, latencies) = await OneRunAsync(o, target, seed);
            throughputs.Add(throughput);
            means.Add(latencies.Average());
            p95s.Add(Percentile(latencies, 0.95));
            maxes.Add(latencies.Max());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run + 1} (seed {seed}): {throughput:0} settlements/s; round close → commit mean {latencies.Average():0} ms, p50 {Percentile(latencies, 0.5):0}, p95 {Percentile(latencies, 0.95):0}, max {latencies.Max():0} ms"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway (Grpc.Net.Client): {Mean(throughputs):0} ± {Sd(throughputs):0} settlements/s; latency mean {Mean(means):0} ± {Sd(means):0} ms, p95 {Mean(p95s):0} ± {Sd(p95s):0} ms, max {maxes.Max():0} ms ({o.Repeat} runs)"));

        if (o.Direct)
        {
            var direct = new List<(double Throughput, double Mean, double P95, double Max)>();
            for (var run = 0; run < o.Repeat; run++)
            {
                var result = await DirectRunAsync(o, target, o.Seed + run);
                direct.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  direct run {run + 1}: {result.Throughput:0} settlements/s; latency mean {result.Mean:0} ms, p95 {result.P95:0}, max {result.Max:0} ms"));
            }
            var t = direct.Select(n => n.Throughput).ToList();
            var m = direct.Select(n => n.Mean).ToList();
            var p = direct.Select(n => n.P95).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FabricLedger direct (no outbox): {Mean(t):0} ± {Sd(t):0} settlements/s; latency mean {Mean(m):0} ± {Sd(m):0} ms, p95 {Mean(p):0} ± {Sd(p):0} ms, max {direct.Max(n => n.Max):0} ms ({o.Repeat} runs)"));
        }

        if (o.Node)
        {
            var node = new List<(double Throughput, double Mean, double P95, double Max)>();
            for (var run = 0; run < o.Repeat; run++)
            {
                var result = await NodeRunAsync(o, target, o.Seed + run);
                node.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  node run {run + 1}: {result.Throughput:0} settlements/s; latency mean {result.Mean:0} ms, p95 {result.P95:0}, max {result.Max:0} ms"));
            }
            var t = node.Select(n => n.Throughput).ToList();
            var m = node.Select(n => n.Mean).ToList();
            var p = node.Select(n => n.P95).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"official Node client:        {Mean(t):0} ± {Sd(t):0} settlements/s; latency mean {Mean(m):0} ± {Sd(m):0} ms, p95 {Mean(p):0} ± {Sd(p):0} ms, max {node.Max(n => n.Max):0} ms ({o.Repeat} runs)"));
        }
        return 0;
    }

    private static async Task<(double Throughput, List<double> LatenciesMs)> OneRunAsync(BenchOptions o, FabricTarget target, int seed)
    {
        var directory = Directory.CreateTempSubdirectory("ledger-bench-").FullName;
        var sites = Enumerable.Range(1, o.Sites).Select(i => new BenchSite($"site{i:D2}", directory, target.NewOptions(), new OutboxDispatcherOptions
        {
            UseBatchCommits = !o.OneAtATime,
            MaxBatchesInFlight = o.OneAtATime ? 1 : o.Window,
            PollInterval = TimeSpan.FromMilliseconds(50),
            AttemptTimeout = TimeSpan.FromMinutes(2),
        })).ToList();
        try
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(sites.Select(async site =>
            {
                for (var round = 0; round < o.Rounds; round++)
                {
                    var due = TimeSpan.FromMilliseconds(o.IntervalMs * round);
                    if (o.Mode == "paced" && watch.Elapsed < due) await Task.Delay(due - watch.Elapsed);
                    await site.EnqueueAsync(site.Round(round, o.Settlements, seed));
                }
            }));
            var results = new List<IReadOnlyList<(DateTimeOffset Closed, DateTimeOffset Committed, int Count)>>();
            foreach (var site in sites)
            {
                while (true)
                {
                    if (await site.CompletedRoundsAsync() is { } done) { results.Add(done); break; }
                    if (watch.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException($"{site.SiteId} did not commit everything within 15 minutes");
                    await Task.Delay(100);
                }
            }
            var all = results.SelectMany(r => r).ToList();
            var first = all.Min(r => r.Closed);
            var last = all.Max(r => r.Committed);
            var throughput = all.Sum(r => r.Count) / (last - first).TotalSeconds;
            return (throughput, all.Select(r => (r.Committed - r.Closed).TotalMilliseconds).ToList());
        }
        finally
        {
            foreach (var site in sites) await site.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The client alone, the way the Node script drives the official client: chunks of the window endorsed together,
    /// submitted in order, statuses awaited together — no journal, no outbox — so the two clients compare like for like.
    /// </summary>
    private static async Task<(double Throughput, double Mean, double P95, double Max)> DirectRunAsync(BenchOptions o, FabricTarget target, int seed)
    {
        var directory = Directory.CreateTempSubdirectory("ledger-bench-direct-").FullName;
        var options = target.NewOptions();
        using var connection = Gateway.LedgerClient.Fabric.FabricConnection.Open(options);
        await connection.TryConnectAsync();
        var ledger = Gateway.LedgerClient.Fabric.FabricLedger.Create(connection, options.Channel, options.Chaincode);
        await using var site = new BenchSite("direct01", directory, options, new OutboxDispatcherOptions());
        var rounds = Enumerable.Range(0, o.Rounds).Select(r => site.Round(r, o.Settlements, seed)).ToList();
        var window = o.OneAtATime ? 1 : o.Window;
        var watch = Stopwatch.StartNew();
        var available = rounds.Select((_, r) => o.Mode == "paced" ? TimeSpan.FromMilliseconds(o.IntervalMs * r) : TimeSpan.Zero).ToList();
        var latencies = new List<double>();
        var settlements = 0;
        var last = TimeSpan.Zero;
        for (var next = 0; next < rounds.Count;)
        {
            if (watch.Elapsed < available[next]) await Task.Delay(available[next] - watch.Elapsed);
            var chunk = new List<int>();
            while (next < rounds.Count && chunk.Count < window && available[next] <= watch.Elapsed) chunk.Add(next++);
            var prepared = await Task.WhenAll(chunk.Select(r => ledger.PrepareAsync(rounds[r])));
            foreach (var p in prepared) await p.SubmitAsync();
            await Task.WhenAll(prepared.Select(p => p.WaitForCommitAsync()));
            var now = watch.Elapsed;
            foreach (var r in chunk)
            {
                latencies.Add((now - available[r]).TotalMilliseconds);
                settlements += rounds[r].Count;
            }
            last = now;
        }
        try { Directory.Delete(directory, true); } catch (IOException) { }
        return (settlements / last.TotalSeconds, latencies.Average(), Percentile(latencies, 0.95), latencies.Max());
    }

    /// <summary>The official Node client sends one site's batches (same generator, a fresh epoch) with the same window and order.</summary>
    private static async Task<(double Throughput, double Mean, double P95, double Max)> NodeRunAsync(BenchOptions o, FabricTarget target, int seed)
    {
        var script = Path.Combine(BenchPaths.Root(), "bench", "Ledger.Bench", "node", "batchBench.js");
        var directory = Directory.CreateTempSubdirectory("ledger-bench-node-").FullName;
        var options = target.NewOptions();
        await using (var site = new BenchSite("node01", directory, options, new OutboxDispatcherOptions()))
        {
            var batches = Path.Combine(directory, "batches.jsonl");
            await File.WriteAllLinesAsync(batches, Enumerable.Range(0, o.Rounds).Select(r => NodeBatch.Serialize(site.Round(r, o.Settlements, seed))));
            var start = new ProcessStartInfo("node", [script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(script)!,
            };
            var endpoint = new Uri(options.PeerEndpoint);
            start.Environment["FABRIC_PEER"] = $"{endpoint.Host}:{endpoint.Port}";
            start.Environment["FABRIC_TLS_CA"] = options.TlsCaCertificatePath;
            start.Environment["FABRIC_MSP_ID"] = options.MspId;
            start.Environment["FABRIC_CERT"] = options.CertificatePath;
            start.Environment["FABRIC_KEY"] = options.PrivateKeyPath;
            start.Environment["FABRIC_CHANNEL"] = options.Channel;
            start.Environment["FABRIC_CHAINCODE"] = options.Chaincode;
            start.Environment["BATCHES"] = batches;
            start.Environment["WINDOW"] = (o.OneAtATime ? 1 : o.Window).ToString(CultureInfo.InvariantCulture);
            start.Environment["MODE"] = o.Mode;
            start.Environment["INTERVAL_MS"] = o.IntervalMs.ToString(CultureInfo.InvariantCulture);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"the Node client failed: {await stderr}");
            var result = JsonSerializer.Deserialize<JsonElement>(await stdout);
            var latencies = result.GetProperty("latenciesMs").EnumerateArray().Select(l => l.GetDouble()).ToList();
            return (result.GetProperty("settlementsPerSecond").GetDouble(), latencies.Average(), Percentile(latencies, 0.95), latencies.Max());
        }
    }

    internal static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }

    internal static double Mean(IReadOnlyList<double> values) => values.Average();

    internal static double Sd(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}

/// <summary>Options of the multi-site bench.</summary>
internal sealed record BenchOptions(int Sites, int Rounds, int Settlements, int Window, string Mode, int IntervalMs, bool OneAtATime, int Repeat, int Seed,
    string? Lab, string Channel, string Chaincode, int BatchTimeoutMs, int MaxMessageCount, bool Node, bool Direct)
{
    public static BenchOptions Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected '{args[i]}'");
            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) map[args[i][2..]] = args[++i];
            else flags.Add(args[i][2..]);
        }
        int Int(string name, int fallback) => map.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var mode = map.GetValueOrDefault("mode", "backlog");
        if (mode is not ("backlog" or "paced")) throw new ArgumentException("--mode is backlog or paced");
        return new BenchOptions(Int("sites", 1), Int("rounds", 20), Int("settlements", 55), Int("window", 16), mode, Int("interval-ms", 2000),
            flags.Contains("one-at-a-time"), Int("repeat", 10), Int("seed", 1), map.GetValueOrDefault("lab"), map.GetValueOrDefault("channel", "settlement-channel"),
            map.GetValueOrDefault("chaincode", "settlement"), Int("batch-timeout-ms", 500), Int("max-message-count", 10), flags.Contains("node"), flags.Contains("direct"));
    }
}

/// <summary>Finds the repository root (for the Node script).</summary>
internal static class BenchPaths
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Gateway.sln"))) return d.FullName;
        }
        throw new DirectoryNotFoundException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
