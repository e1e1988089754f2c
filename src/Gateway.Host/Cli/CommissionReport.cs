using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Reporting;

namespace Gateway.Host.Cli;

/// <summary>
/// Writes a commissioning session's report folder: <c>report.md</c> (identity, every check, the step and the fall-back with
/// their measurements), <c>step.svg</c> and <c>step.png</c> (the plot), <c>rig-entry.yaml</c> and <c>commission.json</c>.
/// </summary>
internal static class CommissionReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>The folder a report goes to unless one is given: out/commission/NAME-yyyyMMdd-HHmmss.</summary>
    public static string DefaultDirectory(CommissionRequest request, DateTimeOffset startedUtc)
    {
        var name = request.RigId ?? (request.IsMqtt ? $"mqtt-{request.DeviceId}" : $"{Host(request.Endpoint)}-unit{request.UnitId}");
        var safe = new string(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        return Path.Combine(Directory.GetCurrentDirectory(), "out", "commission", $"{safe}-{startedUtc.UtcDateTime:yyyyMMdd-HHmmss}");
    }

    /// <summary>Writes the folder for <paramref name="result"/> and returns its path.</summary>
    public static async Task<string> WriteAsync(CommissionResult result, CancellationToken cancellationToken = default)
    {
        var dir = result.Request.ReportDir ?? DefaultDirectory(result.Request, result.StartedUtc);
        Directory.CreateDirectory(dir);
        result.ReportDirectory = dir;
        string? png = null;
        if (result.Samples.Count >= 2)
        {
            var svgPath = Path.Combine(dir, "step.svg");
            await File.WriteAllTextAsync(svgPath, Chart(result).ToSvg(), cancellationToken).ConfigureAwait(false);
            if (PngConverter.FindTool() is { } tool)
            {
                var pngPath = Path.Combine(dir, "step.png");
                var (ok, message) = await PngConverter.ConvertAsync(tool, svgPath, pngPath, cancellationToken).ConfigureAwait(false);
                if (ok) png = pngPath;
                else result.Notes.Add($"the PNG could not be made ({message}); the SVG is there");
            }
            else
            {
                result.Notes.Add("rsvg-convert is not installed (scripts/setup.sh installs librsvg2-bin): the plot is SVG only");
            }
        }
        if (result.Profile is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "rig-entry.yaml"), CommissionRigEntry.Yaml(result), cancellationToken).ConfigureAwait(false);
            if (CommissionRigEntry.BrokerYaml(result) is { } broker)
                await File.WriteAllTextAsync(Path.Combine(dir, "rig-broker.yaml"), broker, cancellationToken).ConfigureAwait(false);
        }
        await File.WriteAllTextAsync(Path.Combine(dir, "commission.json"), Json(result), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "report.md"), Markdown(result, png is not null), cancellationToken).ConfigureAwait(false);
        return dir;
    }

    /// <summary>The plot: the setpoint in force and the measured power over the step and the fall-back.</summary>
    public static SvgChart Chart(CommissionResult result)
    {
        var samples = result.Samples;
        var labels = samples.Select(s => s.Seconds.ToString("0.#", CultureInfo.InvariantCulture)).ToList();
        var fell = result.FellBackAfter is { } after ? $"fell back {Num(after)} s after the heartbeat stopped" : result.HeartbeatStoppedAt is null ? "no fail-safe test" : "NO fall-back";
        var chart = new SvgChart($"Step and fail-safe: revert time {Num(result.Request.RevertTime.TotalSeconds)} s, {fell}", labels)
        {
            XAxisLabel = "time since the step [s]",
            YAxisLabel = "power [kW]",
            LabelEvery = Math.Max(1, samples.Count / 16),
        };
        chart.Add(new ChartSeries("setpoint in force (read back) [kW]", samples.Select(s => s.SetpointKw ?? double.NaN).ToList()));
        chart.Add(new ChartSeries("measured power [kW]", samples.Select(s => s.PowerKw ?? double.NaN).ToList()));
        chart.Add(new ChartSeries("heartbeat running (1) / stopped (0)", samples.Select(s => s.Phase == "step" ? 1.0 : 0.0).ToList(), Dashed: true));
        return chart;
    }

    private static string Markdown(CommissionResult result, bool png)
    {
        var r = result.Request;
        var md = new StringBuilder();
        md.AppendLine($"# Commissioning report: {r.Who}");
        md.AppendLine();
        md.AppendLine($"- when: {result.StartedUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, gateway {Version()}");
        md.AppendLine($"- profile: {result.Profile?.Name ?? "—"}{(result.ProfileChosenBecause is { } why ? $" ({why})" : "")}");
        md.AppendLine($"- result: **{Verdict(result)}** (exit code {result.ExitCode})");
        if (result.Error is not null) md.AppendLine($"- error: {CliFailure.OneLine(result.Error)}");
        foreach (var note in result.Notes) md.AppendLine($"- note: {note}");
        md.AppendLine();

        md.AppendLine("## 1. Identify");
        md.AppendLine();
        if (result.Identity is { } id)
        {
            md.AppendLine($"- answer: {id.Answer}");
            if (id.SunSpec is { } map) md.AppendLine($"- SunSpec models (base {map.BaseAddress}): {string.Join(", ", map.Models.Select(m => $"{m.Id} at {m.Address} (L {m.Length})"))}");
            foreach (var (label, value) in new[] { ("manufacturer", id.Manufacturer), ("model", id.Model), ("version", id.Version), ("serial number", id.SerialNumber) })
                if (value is not null) md.AppendLine($"- {label}: {value}");
        }
        else if (result.TopicPrefix is { } prefix)
        {
            md.AppendLine($"- telemetry on {prefix}/… through {r.Endpoint}");
        }
        md.AppendLine();

        md.AppendLine("## 2. Verify (read-only)");
        md.AppendLine();
        if (result.Checks.Count > 0)
        {
            md.AppendLine($"Read at {result.Reading?.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z through a read-only driver.");
            md.AppendLine();
            md.AppendLine("| point | role | value | unit | verdict | why |");
            md.AppendLine("|---|---|---:|---|---|---|");
            foreach (var c in result.Checks)
                md.AppendLine($"| {c.Point} | {c.Role} | {(c.Value is { } v ? Num(v) : "—")}{(c.Text is { } t ? $" ({Escape(t)})" : "")} | {c.Unit} | {c.Verdict.ToString().ToLowerInvariant()} | {Escape(c.Why)} |");
        }
        md.AppendLine();

        md.AppendLine("## 3. Setpoint step");
        md.AppendLine();
        if (result.WritesSkipped is { } skipped) md.AppendLine($"Skipped: {skipped}.");
        else if (result.Step is { } s)
        {
            md.AppendLine($"- asked {Num(s.RequestedKw)} kW; wrote {Num(s.WrittenValue)} {s.Unit}{(s.Unit == "kW" ? "" : $" (= {Num(s.TargetKw)} kW)")}{(s.ClampedBy is { } by ? $", clamped by {by}" : "")}, valid for {Num(s.ValidFor.TotalSeconds)} s");
            md.AppendLine($"- read back {(s.ReadBackValue is { } rb ? $"{Num(rb)} {s.Unit}" : "nothing")}: **{(s.Confirmed ? "confirmed" : "NOT confirmed")}**");
            md.AppendLine($"- held {Num(r.Hold.TotalSeconds)} s with the heartbeat refreshed, read every {Num(r.SampleEvery.TotalSeconds)} s");
        }
        md.AppendLine();

        md.AppendLine("## 4. Fail-safe");
        md.AppendLine();
        if (result.HeartbeatStoppedAt is { } stopped)
        {
            md.AppendLine($"- heartbeat stopped at {Num(stopped)} s after the step; revert time {Num(r.RevertTime.TotalSeconds)} s (pass if the fall-back shows within {Num(result.FallBackAllowed)} s: the revert time, one reading interval and one answer timeout)");
            md.AppendLine(result.FellBackAfter is { } after
                ? $"- fell back after **{Num(after)} s**: **{(result.FailSafePassed == true ? "pass" : "FAIL")}**"
                : "- **FAIL**: the device never fell back while we watched — do not let the gateway write to it");
        }
        else
        {
            md.AppendLine("Not run.");
        }
        md.AppendLine();
        if (result.Samples.Count >= 2)
        {
            md.AppendLine(png ? "![setpoint step and fall-back](step.png)" : "![setpoint step and fall-back](step.svg)");
            md.AppendLine();
            md.AppendLine("| t [s] | phase | setpoint in force [kW] | measured power [kW] | fallen back |");
            md.AppendLine("|---:|---|---:|---:|---|");
            foreach (var sample in result.Samples)
                md.AppendLine($"| {Num(sample.Seconds)} | {sample.Phase} | {(sample.SetpointKw is { } sp ? Num(sp) : "—")} | {(sample.PowerKw is { } p ? Num(p) : "—")} | {(sample.FallenBack ? "yes" : "")} |");
            md.AppendLine();
        }

        if (result.Profile is not null)
        {
            md.AppendLine("## Rig entry");
            md.AppendLine();
            md.AppendLine("Paste under `devices:` in the site's rig file (also in `rig-entry.yaml`):");
            md.AppendLine();
            md.AppendLine("```yaml");
            md.Append(CommissionRigEntry.Yaml(result));
            md.AppendLine("```");
            if (CommissionRigEntry.BrokerYaml(result) is { } broker)
            {
                md.AppendLine();
                md.AppendLine("And under `brokers:`, how the gateway reaches its broker (also in `rig-broker.yaml`):");
                md.AppendLine();
                md.AppendLine("```yaml");
                md.Append(broker);
                md.AppendLine("```");
            }
        }
        return md.ToString();
    }

    /// <summary>The result as JSON (commission.json, and stdout with --json).</summary>
    public static string Json(CommissionResult result) => JsonSerializer.Serialize(new
    {
        endpoint = result.Request.Endpoint,
        unitId = result.Request.IsMqtt ? (byte?)null : result.Request.UnitId,
        device = result.Request.DeviceId,
        topicPrefix = result.TopicPrefix,
        profile = result.Profile?.Name,
        profileChosenBecause = result.ProfileChosenBecause,
        startedUtc = result.StartedUtc,
        exitCode = result.ExitCode,
        error = result.Error is null ? null : CliFailure.OneLine(result.Error),
        verdict = Verdict(result),
        identity = result.Identity is { } id ? new
        {
            answer = id.Answer,
            sunSpec = id.SunSpec is { } map ? new { baseAddress = map.BaseAddress, models = map.Models.Select(m => new { id = m.Id, address = m.Address, length = m.Length }) } : null,
            manufacturer = id.Manufacturer,
            model = id.Model,
            version = id.Version,
            serialNumber = id.SerialNumber,
        } : null,
        verification = new { passed = result.VerificationPassed, checks = result.Checks },
        writesSkipped = result.WritesSkipped,
        step = result.Step,
        failSafe = result.HeartbeatStoppedAt is null ? null : new
        {
            revertSeconds = result.Request.RevertTime.TotalSeconds,
            heartbeatStoppedAtSeconds = result.HeartbeatStoppedAt,
            fellBackAfterSeconds = result.FellBackAfter,
            allowedSeconds = result.FallBackAllowed,
            passed = result.FailSafePassed,
        },
        samples = result.Samples,
        notes = result.Notes.Count == 0 ? null : result.Notes,
        reportDirectory = result.ReportDirectory,
    }, JsonOptions);

    /// <summary>The session's outcome in a few words.</summary>
    public static string Verdict(CommissionResult result) =>
        result.Error is not null ? "not completed"
        : !result.VerificationPassed ? "verification failed"
        : result.Step is { Confirmed: false } ? "step not confirmed"
        : result.FailSafePassed == false ? "fail-safe FAILED"
        : result.FailSafePassed == true ? "passed: verified, step confirmed, fail-safe within its revert time"
        : "verified read-only";

    private static string Host(string endpoint)
    {
        var rest = endpoint[(endpoint.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return rest.Split('?')[0].Trim('/').Replace(':', '-').Replace('/', '-');
    }

    private static string Version() =>
        typeof(CommissionReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static string Escape(string text) => text.Replace("|", "\\|");

    private static string Num(double v) => CommissionChecks.Num(v);
}
