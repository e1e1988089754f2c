using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>Every run of every solver on one scenario, grouped by solver in Table 6's order.</summary>
internal sealed record ScheduleScenarioResult(DayAheadMarket Market, string File, IReadOnlyList<(string Solver, IReadOnlyList<ScheduleRun> Runs)> Solvers, string Dir)
{
    public IEnumerable<ScheduleRun> AllRuns => Solvers.SelectMany(s => s.Runs);

    public IReadOnlyList<ScheduleRun>? RunsOf(string solver) => Solvers.FirstOrDefault(s => s.Solver == solver).Runs;

    /// <summary>The run whose objective is the median of its solver's runs (the first of two middle ones): the schedule shown as "typical".</summary>
    public static ScheduleRun Median(IReadOnlyList<ScheduleRun> runs) =>
        runs.OrderBy(r => r.Result.Outcome.Objective).ThenBy(r => r.Seed).ElementAt((runs.Count - 1) / 2);

    /// <summary>The exact reference's run, if it ran.</summary>
    public ScheduleRun? Exact => RunsOf("Exact")?.FirstOrDefault();
}
