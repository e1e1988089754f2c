using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Reliability.Tests;

/// <summary>
/// The real <c>gateway</c> executable (<c>dotnet gateway.dll run …</c>) as an operator starts it, with its output
/// kept for failure messages; killed with SIGKILL (no goodbye) or stopped with SIGTERM (a clean stop).
/// </summary>
internal sealed partial class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The gateway's assembly, copied next to the tests by the project reference.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the gateway printed (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.Length > 6000 ? "…" + _output.ToString(_output.Length - 6000, 6000) : _output.ToString(); }
    }

    /// <summary><c>gateway run --rig R --endpoints E [--rounds N] --report D</c>.</summary>
    public static GatewayProcess Run(string rig, string endpoints, int? rounds, string report)
    {
        var args = new List<string> { Dll, "run", "--rig", rig, "--endpoints", endpoints, "--report", report };
        if (rounds is { } n) args.AddRange(["--rounds", n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return Start(args);
    }

    private static GatewayProcess Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = info };
        var gateway = new GatewayProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gateway._output) gateway._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gateway._output) gateway._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>kill -9: the process ends at once, mid-step.</summary>
    public void Kill9()
    {
        if (_process.HasExited) return;
        _ = SysKill(_process.Id, 9);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the gateway finishes or parks its round and drains the ledger for a few seconds.</summary>
    public void Terminate()
    {
        if (!_process.HasExited) _ = SysKill(_process.Id, 15);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary><c>gateway ledger verify --db PATH</c>: true when it exits 0 (the hash chain is intact).</summary>
    public static Task<(bool Ok, string Output)> VerifyLedgerAsync(string ledgerPath) => VerifyAsync("--db", ledgerPath);

    /// <summary><c>gateway ledger verify --rig RIG</c>: true when it exits 0 (the journal and the rig's ledgers agree).</summary>
    public static Task<(bool Ok, string Output)> VerifyRigLedgerAsync(string rigPath) => VerifyAsync("--rig", rigPath);

    private static async Task<(bool Ok, string Output)> VerifyAsync(string option, string path)
    {
        using var verify = Start([Dll, "ledger", "verify", option, path]);
        var done = await verify.WaitForExitAsync(TimeSpan.FromSeconds(120));
        if (!done) verify.Kill9();
        return (done && verify.ExitCode == 0, verify.Output);
    }

    public void Dispose()
    {
        try { Kill9(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
