using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Drivers.Devices;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>Prints a probe report as tables (people) or JSON (scripts); failures go to stderr in plain words.</summary>
internal static class ProbeOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private static readonly Dictionary<int, string> SunSpecModelNames = new()
    {
        [1] = "common", [101] = "inverter (single phase)", [102] = "inverter (split phase)", [103] = "inverter (three phase)",
        [111] = "inverter float (single phase)", [112] = "inverter float (split phase)", [113] = "inverter float (three phase)",
        [120] = "nameplate", [121] = "basic settings", [122] = "measurements status", [123] = "immediate controls",
        [124] = "storage", [160] = "MPPT", [201] = "meter (single phase)", [202] = "meter (split phase)",
        [203] = "meter (wye three phase)", [204] = "meter (delta three phase)", [701] = "DER AC measurement",
        [302] = "irradiance", [702] = "DER capacity", [704] = "DER AC controls", [713] = "DER storage capacity", [802] = "battery",
    };

    public static void Write(ProbeReport report, TextWriter stdout, TextWriter stderr)
    {
        if (report.Request.Json) stdout.WriteLine(JsonSerializer.Serialize(ToJson(report), JsonOptions));
        else WriteTables(report, stdout);
        foreach (var warning in report.Warnings) stderr.WriteLine($"probe: warning: {warning}");
        if (report.Error is not null) stderr.WriteLine($"probe: {CliFailure.OneLine(report.Error)}");
    }

    private static void WriteTables(ProbeReport report, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 120;
        var r = report.Request;
        var chosen = report.ProfileChosenBecause is { } why ? $" ({why})" : "";
        console.WriteLine(r.IsOcpp
            ? $"OCPP endpoint ws://{r.Endpoint["ocpp://".Length..]}/ocpp/{r.DeviceId ?? "<station>"}, profile {report.ProfileName ?? r.Profile}"
            : r.IsMqtt
            ? $"device {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(r.Endpoint)} topics {report.TopicPrefix ?? r.DeviceId}/…, profile {report.ProfileName ?? r.Profile}{chosen}"
            : $"device {r.Endpoint} unit {r.UnitId}, profile {report.ProfileName ?? r.Profile}{chosen}");
        if (report.SunSpec is { } map)
        {
            var models = new Table { Title = new TableTitle($"SunSpec models (base {map.BaseAddress})") };
            models.AddColumns("model", "name", "address", "length");
            foreach (var m in map.Models)
                models.AddRow(Num(m.Id), Markup.Escape(SunSpecModelNames.GetValueOrDefault(m.Id, "")), Num(m.Address), Num(m.Length));
            console.Write(models);
        }
        if (report.Reading is { } reading)
        {
            var table = new Table { Title = new TableTitle($"measurements at {reading.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z") };
            table.AddColumns("point", "value", "unit", "quality", "role");
            table.Columns[1].RightAligned();
            foreach (var m in reading.Measurements)
                table.AddRow(Markup.Escape(m.Point), Markup.Escape(Value(m)), Markup.Escape(m.Unit), Kebab(m.Quality.ToString()), Kebab(m.Role.ToString()));
            console.Write(table);
        }
        if (report.Stations.Count > 0)
        {
            var stations = new Table { Title = new TableTitle("stations that dialed in") };
            stations.AddColumns("station", "OCPP", "model", "plug", "power kW", "SoC %", "setpoint kW", "imported kWh");
            foreach (var st in report.Stations)
            {
                string Cell(PointRole role) => st.Reading.Find(role) is { } m ? Value(m) : "—";
                stations.AddRow(Markup.Escape(st.Id), st.Version, Markup.Escape(st.Model ?? "—"), Markup.Escape(Cell(PointRole.PlugState)), Cell(PointRole.MeasuredPower),
                    Cell(PointRole.StateOfCharge), Cell(PointRole.Setpoint), Cell(PointRole.EnergyImported));
            }
            console.Write(stations);
        }
        if (report.Setpoint is { } s)
        {
            var wrote = s.Unit == "kW" ? $"{Num(s.WrittenValue)} kW" : $"{Num(s.WrittenValue)} {s.Unit} (= {Num(s.TargetKw)} kW)";
            var clamp = s.ClampedBy is null ? "" : $" (clamped by {s.ClampedBy})";
            var back = s.ReadBackValue is { } v ? $"{Num(v)} {s.Unit}" : "nothing";
            var valid = s.ValidFor > TimeSpan.Zero ? $", valid for {Num(s.ValidFor.TotalSeconds)} s" : "";
            console.WriteLine(Markup.Escape($"setpoint: asked {Num(s.RequestedKw)} kW, wrote {wrote}{clamp}{valid}, read back {back}: {(s.Confirmed ? "confirmed" : "NOT confirmed")}"));
        }
    }

    private static object ToJson(ProbeReport report) => new
    {
        endpoint = Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(report.Request.Endpoint),
        unitId = report.Request.IsMqtt || report.Request.IsOcpp ? (byte?)null : report.Request.UnitId,
        device = report.Request.IsMqtt || report.Request.IsOcpp ? report.Request.DeviceId : null,
        topicPrefix = report.TopicPrefix,
        profile = report.ProfileName ?? report.Request.Profile,
        profileChosenBecause = report.ProfileChosenBecause,
        exitCode = report.ExitCode,
        error = report.Error is null ? null : CliFailure.OneLine(report.Error),
        warnings = report.Warnings.Count == 0 ? null : report.Warnings,
        sunSpec = report.SunSpec is { } map
            ? new { baseAddress = map.BaseAddress, models = map.Models.Select(m => new { id = m.Id, name = SunSpecModelNames.GetValueOrDefault(m.Id), address = m.Address, length = m.Length }) }
            : null,
        timestamp = report.Reading?.Timestamp,
        measurements = report.Reading?.Measurements.Select(m => new { point = m.Point, role = m.Role, value = m.Value, unit = m.Unit, quality = m.Quality, text = m.Text }),
        setpoint = report.Setpoint,
        stations = report.Stations.Count == 0 ? null : report.Stations.Select(st => new
        {
            station = st.Id, ocpp = st.Version, model = st.Model,
            measurements = st.Reading.Measurements.Select(m => new { point = m.Point, role = m.Role, value = m.Value, unit = m.Unit, quality = m.Quality, text = m.Text }),
        }),
    };

    private static string Value(Measurement m) =>
        m.Value is { } v ? (m.Text is { } t ? $"{Num(v)} ({t})" : Num(v)) : m.Text ?? "—";

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
