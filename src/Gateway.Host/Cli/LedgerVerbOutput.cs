using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.LedgerClient;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>Output helpers shared by the ledger verbs: a Spectre console on the invocation's writer, and JSON.</summary>
internal static class LedgerVerbOutput
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IAnsiConsole Console(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        // Piped into a file or a test the width is unknown; wide enough that ids are not wrapped.
        // Plain text without escape codes, so it can be grepped and diffed.
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 160;
            console.Profile.Capabilities.Ansi = false;
            console.Profile.Capabilities.ColorSystem = ColorSystem.NoColors;
        }
        return console;
    }

    public static void WriteJson(TextWriter writer, object value) => writer.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>
    /// A settlement's fields as every ledger verb prints them in JSON (camelCase, in this order), followed by
    /// <paramref name="extra"/>: <c>ledger show</c> adds where the chain put it, <c>trace</c> where it was found.
    /// </summary>
    public static Dictionary<string, object?> SettlementJson(SettlementRecord s, bool withRound, params (string Name, object? Value)[] extra)
    {
        var fields = new Dictionary<string, object?> { ["settlementId"] = s.SettlementId };
        if (withRound) fields["roundId"] = s.RoundId;
        fields["payerId"] = s.PayerId;
        fields["payeeId"] = s.PayeeId;
        fields["energyKwh"] = s.EnergyKwh;
        fields["pricePerKwh"] = s.PricePerKwh;
        fields["amount"] = s.Amount;
        fields["intervalStartUtc"] = s.IntervalStartUtc;
        fields["intervalEndUtc"] = s.IntervalEndUtc;
        foreach (var (name, value) in extra) fields[name] = value;
        return fields;
    }

    /// <summary>A settlement's interval as the ledger verbs print it, e.g. <c>2026-06-01 10:00–10:15</c> (UTC).</summary>
    public static string Interval(SettlementRecord s) => $"{s.IntervalStartUtc.UtcDateTime:yyyy-MM-dd HH:mm}–{s.IntervalEndUtc.UtcDateTime:HH:mm}";
}
