using System.CommandLine;
using Gateway.Market;
using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Validation;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway clear --input round.json [--output result.json]</c>: clears one market round offline with the same core the
/// worker runs. The decision JSON goes to --output when given (and a summary table to stdout), otherwise to stdout (and the
/// summary to stderr), so the JSON can always be piped.
/// </summary>
internal static class ClearVerb
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "Round JSON (schema: hil-rigs/examples/README.md)", Required = true };
        var output = new Option<FileInfo?>("--output") { Description = "Write the decision JSON here instead of stdout" };
        var command = new Command("clear", "Clear one market round: matching, safety check, SMES fallback, nucleolus prices, settlements, KPIs.");
        command.Options.Add(input);
        command.Options.Add(output);
        command.SetAction(async (ParseResult r, CancellationToken ct) =>
            await RunAsync(r.GetValue(input)!, r.GetValue(output), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(FileInfo input, FileInfo? output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(input.FullName, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"clear: cannot read --input {input.FullName}: {e.Message}");
            return ExitCodes.BadInput;
        }

        RoundDecision decision;
        try
        {
            var round = RoundJson.Parse(json);
            decision = new MarketCore().Clear(round);
        }
        catch (RoundValidationException e)
        {
            await stderr.WriteLineAsync($"clear: bad round in {input.Name}:");
            foreach (var error in e.Errors) await stderr.WriteLineAsync("  " + error);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A valid round that the core still cannot clear is a bug, reported in one line, never as a stack trace.
            await stderr.WriteLineAsync($"clear: the round could not be cleared ({e.GetType().Name}): {e.Message}");
            return ExitCodes.Failed;
        }

        var text = DecisionJson.Serialize(decision);
        if (output is null)
        {
            await stdout.WriteLineAsync(text);
            ClearSummary.Write(decision, stderr);
            return ExitCodes.Ok;
        }

        try
        {
            await File.WriteAllTextAsync(output.FullName, text + Environment.NewLine, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"clear: cannot write --output {output.FullName}: {e.Message}");
            return ExitCodes.BadInput;
        }

        ClearSummary.Write(decision, stdout);
        return ExitCodes.Ok;
    }
}
