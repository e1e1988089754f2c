using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Market.DayAhead;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway schedule check FILE…</c>: re-checks schedule files (JSON or CSV, as <c>gateway schedule</c> writes them)
/// against the model's constraints and recomputes their objective. A JSON file carries its scenario; a CSV names its
/// scenario file (or take one with <c>--scenario</c>). Exit 0 when every file holds, 1 when one breaks a constraint,
/// 2 when a file cannot be read.
/// </summary>
internal static class ScheduleCheckCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var filesArgument = new Argument<FileInfo[]>("files") { Description = "Schedule files (.json or .csv) written by gateway schedule.", Arity = ArgumentArity.OneOrMore };
        var scenarioOption = new Option<FileInfo?>("--scenario") { Description = "Scenario YAML to check against (default: the one the file carries or names)." };
        var jsonOption = new Option<bool>("--json") { Description = "One JSON line per file instead of text." };
        var command = new Command("check", "Re-check schedule files against the day-ahead model's constraints and recompute their objective.");
        command.Arguments.Add(filesArgument);
        command.Options.Add(scenarioOption);
        command.Options.Add(jsonOption);
        command.SetAction((ParseResult r, CancellationToken ct) =>
            Task.FromResult(Run(r.GetValue(filesArgument) ?? [], r.GetValue(scenarioOption)?.FullName, r.GetValue(jsonOption), console)));
        return command;
    }

    public static int Run(IReadOnlyList<FileInfo> files, string? scenarioFile, bool json, IAnsiConsole console)
    {
        int exit = ExitCodes.Ok;
        foreach (var file in files)
        {
            try
            {
                var content = Read(file.FullName, scenarioFile);
                var (violations, outcome) = ScheduleFileCheck.Check(content);
                if (json)
                {
                    console.WriteLine(JsonSerializer.Serialize(new
                    {
                        file = file.FullName, ok = violations.Count == 0, solver = content.Solver, objective = outcome.Objective,
                        statedObjective = content.StatedObjective, violations,
                    }));
                }
                else if (violations.Count == 0)
                {
                    console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{file.Name}: ok — {content.Solver}, every constraint holds, revenue {outcome.Objective:0.000} Yuan recomputed from the flows (the file states {content.StatedObjective?.ToString("0.000", CultureInfo.InvariantCulture) ?? "none"})")));
                }
                else
                {
                    console.MarkupLine($"[red]{Markup.Escape(file.Name)}: {violations.Count} violated[/]");
                    foreach (var v in violations.Take(50))
                    {
                        console.MarkupLine("  " + Markup.Escape(v));
                    }
                }
                if (violations.Count > 0)
                {
                    exit = Math.Max(exit, ExitCodes.Failed);
                }
            }
            catch (Exception e) when (e is ScheduleFileException or ScenarioFileException or IOException or UnauthorizedAccessException)
            {
                if (json)
                {
                    console.WriteLine(JsonSerializer.Serialize(new { file = file.FullName, ok = false, error = e.Message }));
                }
                else
                {
                    console.MarkupLine("[red]error:[/] " + Markup.Escape(e.Message));
                }
                exit = ExitCodes.BadInput;
            }
        }
        return exit;
    }

    private static ScheduleFileContent Read(string path, string? scenarioFile)
    {
        string text = File.ReadAllText(path);
        bool isJson = text.TrimStart().StartsWith('{');
        if (isJson && scenarioFile is null)
        {
            return ScheduleFile.ReadJson(path, text);
        }
        string? named = isJson ? null : ScheduleFile.CsvHeader(text).GetValueOrDefault("scenario");
        string scenarioPath = scenarioFile ?? Resolve(named, path)
            ?? throw new ScheduleFileException($"{path}: names no scenario file (header '# scenario:'); give one with --scenario");
        var market = DayAheadMarket.Create(DayAheadScenarioLoader.Load(scenarioPath, File.ReadAllText));
        if (isJson)
        {
            var own = ScheduleFile.ReadJson(path, text);
            return own with { Market = market };
        }
        return ScheduleFile.ReadCsv(path, text, market);
    }

    // A scenario named relative to where the run started, or to the schedule file's folder.
    private static string? Resolve(string? named, string schedulePath)
    {
        if (string.IsNullOrWhiteSpace(named))
        {
            return null;
        }
        if (Path.IsPathRooted(named) || File.Exists(named))
        {
            return named;
        }
        string beside = Path.Combine(Path.GetDirectoryName(schedulePath) ?? ".", named);
        return File.Exists(beside) ? beside : named;
    }
}
