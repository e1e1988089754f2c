using System.Text.Json;
using Gateway.Drivers.Devices;
using Gateway.Rigs;
using YamlDotNet.Core;

namespace Gateway.Host.Cli;

/// <summary>
/// Turns anything that escaped a verb into the documented exit code and lines naming what is wrong (never a stack
/// trace): the last safety net behind every verb, and the one mapping from device errors to exit codes.
/// </summary>
internal static class CliFailure
{
    /// <summary>The exit code for a device error of <paramref name="kind"/>.</summary>
    public static int ExitCodeOf(DeviceErrorKind kind) => kind switch
    {
        DeviceErrorKind.Unreachable => ExitCodes.Unreachable,
        DeviceErrorKind.Timeout => ExitCodes.Timeout,
        DeviceErrorKind.Refused or DeviceErrorKind.Protocol => ExitCodes.DeviceException,
        _ => ExitCodes.BadInput,
    };

    /// <summary>The exit code and the lines (one per problem, no stack trace) for <paramref name="error"/>.</summary>
    public static (int ExitCode, IReadOnlyList<string> Lines) Classify(Exception error) => error switch
    {
        DeviceException d => (ExitCodeOf(d.Kind), [d.Message]),
        RigFileException r => (ExitCodes.BadInput, r.Problems.Select(p => p.ToString()).ToList()),
        ProfileLoadException p => (ExitCodes.BadInput, p.Problems.Select(x => x.ToString()).ToList()),
        Gateway.Drivers.Mqtt.MqttBrokerSecurityException s => (ExitCodes.BadInput, s.Problems),
        YamlException y => (ExitCodes.BadInput, [$"not valid YAML at line {y.Start.Line}, column {y.Start.Column}: {(y.InnerException ?? y).Message}"]),
        JsonException j => (ExitCodes.BadInput, [$"not valid JSON{(j.LineNumber is { } l ? $" at line {l + 1}" : "")}: {j.Message}"]),
        FileNotFoundException f => (ExitCodes.BadInput, [$"no such file: {f.FileName ?? f.Message}"]),
        DirectoryNotFoundException d => (ExitCodes.BadInput, [$"no such folder: {d.Message}"]),
        UnauthorizedAccessException u => (ExitCodes.BadInput, [$"not allowed: {u.Message}"]),
        FormatException or ArgumentException => (ExitCodes.BadInput, [error.Message]),
        IOException io => (ExitCodes.Failed, [io.Message]),
        OperationCanceledException => (ExitCodes.Failed, ["stopped before it finished"]),
        _ => (ExitCodes.Failed, [$"unexpected {error.GetType().Name}: {error.Message}"]),
    };

    /// <summary>Writes <paramref name="lines"/> prefixed with <paramref name="verb"/> to stderr, and the JSON error object to stdout when asked.</summary>
    public static void Write(string verb, int exitCode, IReadOnlyList<string> lines, bool json, TextWriter stdout, TextWriter stderr)
    {
        foreach (var line in lines) stderr.WriteLine($"{verb}: {OneLine(line)}");
        if (json) stdout.WriteLine(JsonSerializer.Serialize(new { exitCode, error = string.Join("; ", lines.Select(OneLine)) }, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><paramref name="text"/> on one line (a multi-line message joined with "; ").</summary>
    public static string OneLine(string text) =>
        string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
