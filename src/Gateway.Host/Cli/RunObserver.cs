using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Hosting.Systemd;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary><c>gateway run</c>'s view of the round loop: the progress table, the run's record for the summary, systemd's status line.</summary>
internal sealed class RunObserver(RigDefinition rig, RunReport.RunRecord record, int? rounds, SystemdNotifier systemd) : IRoundLoopObserver
{
    private RunProgress? _progress;

    /// <summary>The progress table (set once the gateway is up).</summary>
    public RunProgress Progress => _progress ?? throw new InvalidOperationException("the gateway has not started");

    public void Starting(GatewayRuntime runtime)
    {
        _progress = new RunProgress(rig, runtime, AnsiConsole.Console);
        _progress.Header(rounds);
        if (runtime.DashboardUrl is { } url) AnsiConsole.MarkupLine($"dashboard: {Markup.Escape(url.ToString())}");
    }

    public void Ready()
    {
        Progress.Devices();
        if (systemd.IsEnabled) systemd.Notify(ServiceState.Ready);
    }

    public void Resumed(RoundOutcome outcome)
    {
        record.Add(outcome);
        Progress.Round(outcome, resumed: true);
    }

    public void Skipped(RoundSummary row)
    {
        record.Skipped.Add(row);
        Progress.Skipped(row);
    }

    public void Traded(RoundOutcome outcome)
    {
        record.Add(outcome);
        Progress.Round(outcome, resumed: false);
        if (systemd.IsEnabled)
            systemd.Notify(new ServiceState($"STATUS=round {outcome.RoundId}: {outcome.Summary.State.ToString().ToLowerInvariant()}; {record.Traded} traded, {record.Skipped.Count} skipped, {record.FailedCount} failed"));
    }

    public void Failed(string roundId, DateTimeOffset intervalStart, string error)
    {
        record.Failed.Add((roundId, intervalStart, error));
        Progress.Failed(roundId, intervalStart, error);
    }
}
