using System.CommandLine;
using Gateway.Market.DayAhead;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway schedule</c>: plans a day of the Energies 2023 multi-seller–multi-buyer market (PV, EV V2G sellers,
/// grid, company, shared storage) with improved NGO, improved PSO, PSO over several seeds and the exact LP optimum,
/// prints Table 6 beside the paper's, writes every schedule as JSON and CSV, figures and a report;
/// <c>--assumptions</c> measures the assumption table; <c>schedule check FILE…</c> re-checks written schedules.
/// </summary>
internal static class ScheduleVerb
{
    /// <summary>Scenario files <c>--all-scenarios</c> runs, relative to the repository root.</summary>
    public static readonly string[] PaperScenarios =
    [
        "hil-rigs/energies2023/scenario-I.yaml",
        "hil-rigs/energies2023/scenario-II.yaml",
        "hil-rigs/energies2023/scenario-III.yaml",
    ];

    public static Command Create() => Create(TimeProvider.System, AnsiConsole.Console);

    internal static Command Create(TimeProvider timeProvider, IAnsiConsole console, string? scenarioRoot = null)
    {
        var scenarioOption = new Option<FileInfo?>("--scenario") { Description = "Scenario YAML file (e.g. hil-rigs/energies2023/scenario-I.yaml)." };
        var allOption = new Option<bool>("--all-scenarios") { Description = "Run the paper's scenarios I, II and III and write a summary." };
        var solverOption = new Option<string>("--solver") { Description = "ngo, ipso, pso, exact or all.", DefaultValueFactory = _ => "all" };
        var seedOption = new Option<int>("--seed") { Description = "Seed of the first metaheuristic run; the others follow.", DefaultValueFactory = _ => 1 };
        var seedsOption = new Option<int>("--seeds") { Description = "Runs per metaheuristic and scenario (mean ± sd over them; at least 10 for timing claims).", DefaultValueFactory = _ => 10 };
        var iterationsOption = new Option<int>("--iterations") { Description = "Metaheuristic iterations (the paper's Table 6: 500).", DefaultValueFactory = _ => 500 };
        var populationOption = new Option<int>("--population") { Description = "Goshawks / particles.", DefaultValueFactory = _ => 30 };
        var outOption = new Option<DirectoryInfo?>("--out") { Description = "Output directory (default out/schedule/<scenario>, or out/schedule with --all-scenarios)." };
        var assumptionsOption = new Option<bool>("--assumptions") { Description = "Measure the assumption table: switch each open choice alone and re-solve (exact, and improved NGO over the seeds)." };

        var command = new Command("schedule", "Plan a day of EV/PV peer-to-peer trading with shared storage (Energies 2023 model): improved NGO, improved PSO, PSO and the exact optimum.");
        foreach (var option in new Option[] { scenarioOption, allOption, solverOption, seedOption, seedsOption, iterationsOption, populationOption, outOption, assumptionsOption })
        {
            command.Options.Add(option);
        }
        command.Subcommands.Add(ScheduleCheckCommand.Create(console));

        command.SetAction(async (ParseResult r, CancellationToken ct) =>
        {
            var scenario = r.GetValue(scenarioOption);
            bool all = r.GetValue(allOption);
            string solver = (r.GetValue(solverOption) ?? "all").ToLowerInvariant();
            if (scenario is null == !all)
            {
                console.MarkupLine("[red]error:[/] give exactly one of --scenario FILE or --all-scenarios (or: schedule check FILE…)");
                return ExitCodes.BadInput;
            }
            if (!ScheduleSolvers.Names.Contains(solver))
            {
                console.MarkupLine($"[red]error:[/] --solver must be one of {string.Join(", ", ScheduleSolvers.Names)}, got '{Markup.Escape(solver)}'");
                return ExitCodes.BadInput;
            }
            int seeds = r.GetValue(seedsOption);
            if (seeds < 1)
            {
                console.MarkupLine($"[red]error:[/] --seeds must be at least 1, got {seeds}");
                return ExitCodes.BadInput;
            }
            var options = new ScheduleOptions(solver, r.GetValue(seedOption), seeds, r.GetValue(iterationsOption), r.GetValue(populationOption), r.GetValue(outOption)?.FullName, all);
            try
            {
                options.ForSeed(options.FirstSeed).Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return ExitCodes.BadInput;
            }

            var files = all ? PaperScenarios.Select(f => scenarioRoot is null ? f : Path.Combine(scenarioRoot, f)).ToList() : [scenario!.FullName];
            string commandLine = "gateway " + string.Join(" ", r.Tokens.Select(t => t.Value));
            try
            {
                return r.GetValue(assumptionsOption)
                    ? await new ScheduleAssumptions(console).RunAsync(files, options, commandLine, ct).ConfigureAwait(false)
                    : await new ScheduleSession(timeProvider, console).RunAsync(files, options, commandLine, ct).ConfigureAwait(false);
            }
            catch (ScenarioFileException e)
            {
                console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
                return ExitCodes.BadInput;
            }
            catch (InvalidOperationException e)
            {
                // A solve that did not end optimal, or an OR-Tools backend missing from its native library.
                console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
