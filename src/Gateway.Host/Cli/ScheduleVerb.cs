using System.CommandLine;
using Gateway.Market.DayAhead;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway schedule</c>: plans a day of the Energies 2023 multi-seller–multi-buyer market
/// (PV, EV classes, grid, company, shared storage) with NGO, PSO and the exact COIN-OR optimum,
/// prints the comparison and writes figures plus a markdown report.
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

    internal static Command Create(TimeProvider timeProvider, IAnsiConsole console)
    {
        var scenarioOption = new Option<FileInfo?>("--scenario") { Description = "Scenario YAML file (e.g. hil-rigs/energies2023/scenario-I.yaml)." };
        var allOption = new Option<bool>("--all-scenarios") { Description = "Run the paper's scenarios I, II and III and write a summary." };
        var solverOption = new Option<string>("--solver") { Description = "ngo, pso, exact or all.", DefaultValueFactory = _ => "all" };
        var seedOption = new Option<int>("--seed") { Description = "Seed of the metaheuristics.", DefaultValueFactory = _ => 1 };
        var iterationsOption = new Option<int>("--iterations") { Description = "Metaheuristic iterations (the paper's Table 6: 500).", DefaultValueFactory = _ => 500 };
        var populationOption = new Option<int>("--population") { Description = "Goshawks / particles.", DefaultValueFactory = _ => 30 };
        var outOption = new Option<DirectoryInfo?>("--out") { Description = "Output directory (default out/schedule/<scenario>, or out/schedule with --all-scenarios)." };

        var command = new Command("schedule", "Plan a day of EV/PV peer-to-peer trading with shared storage (Energies 2023 model): NGO, PSO and the exact optimum.");
        foreach (var option in new Option[] { scenarioOption, allOption, solverOption, seedOption, iterationsOption, populationOption, outOption })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (ParseResult r, CancellationToken ct) =>
        {
            var scenario = r.GetValue(scenarioOption);
            bool all = r.GetValue(allOption);
            string solver = (r.GetValue(solverOption) ?? "all").ToLowerInvariant();
            var options = new MetaheuristicOptions(r.GetValue(populationOption), r.GetValue(iterationsOption), r.GetValue(seedOption));
            var outDir = r.GetValue(outOption)?.FullName;
            if (scenario is null == !all)
            {
                console.MarkupLine("[red]error:[/] give exactly one of --scenario FILE or --all-scenarios");
                return ExitCodes.BadInput;
            }
            if (!ScheduleSolvers.Names.Contains(solver))
            {
                console.MarkupLine($"[red]error:[/] --solver must be one of {string.Join(", ", ScheduleSolvers.Names)}, got '{Markup.Escape(solver)}'");
                return ExitCodes.BadInput;
            }
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return ExitCodes.BadInput;
            }

            var files = all ? PaperScenarios.ToList() : [scenario!.FullName];
            string commandLine = "gateway " + string.Join(" ", r.Tokens.Select(t => t.Value));
            var session = new ScheduleSession(timeProvider, console);
            try
            {
                return await session.RunAsync(files, solver, options, outDir, all, commandLine, ct).ConfigureAwait(false);
            }
            catch (ScheduleScenarioException e)
            {
                console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
                return ExitCodes.BadInput;
            }
            catch (InvalidOperationException e)
            {
                // COIN-OR missing (CoinOrUnavailableException) or a solve that did not end optimal.
                console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
