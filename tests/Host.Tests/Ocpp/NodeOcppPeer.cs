using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// A script of tests/Host.Tests/Ocpp/interop (a station or a CSMS built on one of the independent OCPP-J implementations,
/// <see cref="Libraries"/>) run with node for the duration of a test.
/// Its JSON event lines are collected; the test waits for events instead of sleeping. Killed on dispose, also when the test failed.
/// </summary>
internal sealed class NodeOcppPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly List<string> _errors = [];

    private readonly string _library;

    private NodeOcppPeer(Process process, string library)
    {
        _process = process;
        _library = library;
    }

    /// <summary>The OCPP-J implementations independent of ours that the peers are built on (npm packages, scripts/setup.sh).</summary>
    public static TheoryData<string> Libraries => new() { "ocpp-rpc", "ocpp-ws-io" };

    public static string InteropDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln"))) return Path.Combine(dir.FullName, "tests", "Host.Tests", "Ocpp", "interop");
            throw new InvalidOperationException("cannot find the repository (Gateway.sln) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every event seen so far.</summary>
    public IReadOnlyList<JsonElement> Seen
    {
        get { lock (_seen) return _seen.ToArray(); }
    }

    public static NodeOcppPeer Start(string script, IReadOnlyDictionary<string, string> environment, string library = "ocpp-rpc")
    {
        var dir = InteropDirectory;
        if (!Directory.Exists(Path.Combine(dir, "node_modules", library)))
            throw new InvalidOperationException($"{library} is not installed in {dir}: run scripts/setup.sh");
        var info = new ProcessStartInfo("node", [Path.Combine(dir, script)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = dir,
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.Environment["OCPP_LIBRARY"] = library;
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var peer = new NodeOcppPeer(process, library);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { peer._events.Writer.TryComplete(); return; }
            try
            {
                var element = JsonDocument.Parse(e.Data).RootElement.Clone();
                lock (peer._seen) peer._seen.Add(element);
                peer._events.Writer.TryWrite(element);
            }
            catch (JsonException)
            {
                lock (peer._errors) peer._errors.Add("stdout: " + e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (peer._errors) peer._errors.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>The next event named <paramref name="name"/> (others are skipped, but kept in <see cref="Seen"/>).</summary>
    public async Task<JsonElement> WaitForAsync(string name, TimeSpan? timeout = null, Func<JsonElement, bool>? where = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token);
                var ev = e.GetProperty("event").GetString();
                if (ev is "failed" or "strictValidationFailure" or "badMessage" && name != ev)
                    throw new InvalidOperationException($"the {_library} peer reported {e}");
                if (ev == name && (where is null || where(e))) return e;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"no '{name}' event from the {_library} peer; seen: {string.Join(" ", Seen.Select(s => s.GetProperty("event").GetString()))}; stderr: {Errors}");
        }
    }

    public string Errors
    {
        get { lock (_errors) return string.Join(" | ", _errors); }
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }
}
