using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>Prints a scan as tables (people) or JSON (scripts), with the next command to run.</summary>
internal static class ScanOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(ScanResult result, TextWriter stdout, TextWriter stderr)
    {
        if (result.Request.Json) stdout.WriteLine(JsonSerializer.Serialize(ToJson(result), JsonOptions));
        else WriteTables(result, stdout);
        if (result.Error is not null) stderr.WriteLine($"scan: {CliFailure.OneLine(result.Error)}");
    }

    private static void WriteTables(ScanResult result, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 140;
        var r = result.Request;
        if (r.IsMqtt)
        {
            if (result.MqttDevices.Count > 0)
            {
                var table = new Table { Title = new TableTitle($"devices publishing on {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(r.Endpoint)} within {ScanRunner.Seconds(r.Listen)} s") };
                table.AddColumns("profile", "device", "topics", "messages", "note");
                foreach (var d in result.MqttDevices)
                    table.AddRow(Markup.Escape(d.Profile), Markup.Escape(d.DeviceId.Length == 0 ? "(fixed topics)" : d.DeviceId), Markup.Escape(string.Join(", ", d.Topics)),
                        d.Messages.ToString(CultureInfo.InvariantCulture), d.RetainedOnly ? "retained only: may be gone" : "");
                console.Write(table);
                var first = result.MqttDevices[0];
                console.WriteLine(Markup.Escape($"next: gateway probe {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(r.Endpoint)} --profile {first.Profile} --device {first.DeviceId}"));
            }
            foreach (var filter in result.RefusedFilters) console.WriteLine(Markup.Escape($"the broker refused the subscription to {filter}"));
            return;
        }
        if (result.Units.Count == 0) return;
        var units = new Table { Title = new TableTitle($"units answering at {r.Endpoint} ({ScanRunner.Describe(r.Units)} asked in {ScanRunner.Seconds(result.Elapsed)} s)") };
        units.AddColumns("unit", "answer", "SunSpec models", "manufacturer", "model", "serial", "profile");
        foreach (var u in result.Units)
            units.AddRow(u.UnitId.ToString(CultureInfo.InvariantCulture), Markup.Escape(u.Answer),
                Markup.Escape(u.SunSpec is { } map ? string.Join(", ", map.Models.Select(m => m.Id)) : ""),
                Markup.Escape(u.Manufacturer ?? ""), Markup.Escape(u.Model ?? ""), Markup.Escape(u.SerialNumber ?? ""), Markup.Escape(u.Profile ?? ""));
        console.Write(units);
        var next = result.Units.FirstOrDefault(u => u.Profile is not null) ?? result.Units[0];
        console.WriteLine(Markup.Escape(next.Profile is not null
            ? $"next: gateway probe {r.Endpoint} --unit {next.UnitId} --sunspec, then gateway commission {r.Endpoint} --unit {next.UnitId}"
            : $"next: gateway probe {r.Endpoint} --unit {next.UnitId} --profile PROFILE"));
    }

    private static object ToJson(ScanResult result) => new
    {
        endpoint = result.Request.Endpoint,
        exitCode = result.ExitCode,
        error = result.Error is null ? null : CliFailure.OneLine(result.Error),
        elapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
        unitsAsked = result.Request.IsMqtt ? null : (int?)result.Request.Units.Count,
        units = result.Request.IsMqtt ? null : result.Units.Select(u => new
        {
            unitId = u.UnitId,
            answer = u.Answer,
            sunSpec = u.SunSpec is { } map ? new { baseAddress = map.BaseAddress, models = map.Models.Select(m => m.Id) } : null,
            manufacturer = u.Manufacturer,
            model = u.Model,
            version = u.Version,
            serialNumber = u.SerialNumber,
            profile = u.Profile,
        }),
        listenSeconds = result.Request.IsMqtt ? result.Request.Listen.TotalSeconds : (double?)null,
        profiles = result.Request.IsMqtt ? result.ProfilesListened : null,
        devices = result.Request.IsMqtt ? result.MqttDevices.Select(d => new
        {
            profile = d.Profile,
            device = d.DeviceId,
            topicPrefix = d.TopicPrefix,
            topics = d.Topics,
            messages = d.Messages,
            retainedOnly = d.RetainedOnly,
        }) : null,
        refusedFilters = result.RefusedFilters.Count == 0 ? null : result.RefusedFilters,
    };
}
