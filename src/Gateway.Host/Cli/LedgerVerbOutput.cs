using System.Text.Encodings.Web;
using System.Text.Json;
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
}
