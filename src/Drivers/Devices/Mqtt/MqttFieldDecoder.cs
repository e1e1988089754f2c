using System.Globalization;
using System.Text.Json;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Turns one JSON field of a telemetry message into a point's value: numbers are scaled like a
/// register (× 10^scale, negated when the profile says so), true/false are 1/0, an enumerated
/// point also takes its state name, a point without a unit takes text, and JSON null or the
/// profile's absent marker mean "not available" — never 0. Pure: drivers and tests share it.
/// </summary>
internal static class MqttFieldDecoder
{
    /// <summary>Decodes <paramref name="field"/> for <paramref name="point"/> at <paramref name="location"/>.</summary>
    public static MqttFieldValue Decode(ProfilePoint point, MqttPointLocation location, JsonElement field)
    {
        if (field.ValueKind == JsonValueKind.Null || IsAbsentMarker(location.AbsentMarker, field)) return new MqttFieldValue(MqttFieldKind.Absent);
        switch (field.ValueKind)
        {
            case JsonValueKind.Number:
                if (!field.TryGetDouble(out var raw) || !double.IsFinite(raw))
                    return Wrong($"{field.GetRawText()} is not a number a double can hold");
                return Number(point, location.ToEngineering(raw));
            case JsonValueKind.True:
                return Number(point, 1);
            case JsonValueKind.False:
                return Number(point, 0);
            case JsonValueKind.String:
                string text;
                try
                {
                    text = field.GetString() ?? "";
                }
                catch (InvalidOperationException)
                {
                    // JsonDocument checks a string's UTF-8 only when it is read (found by fuzzing).
                    return Wrong("is a string that is not valid UTF-8, or holds a \\uD800–\\uDFFF escape without its pair");
                }
                foreach (var (key, name) in point.States)
                    if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return new MqttFieldValue(MqttFieldKind.Number, key, name);
                if (point.Unit.Length == 0 && point.States.Count == 0) return new MqttFieldValue(MqttFieldKind.Text, Text: text);
                return Wrong(point.States.Count > 0
                    ? $"\"{Shorten(text)}\" is neither a number nor one of its states ({string.Join(", ", point.States.Values)})"
                    : $"is a string (\"{Shorten(text)}\"), expected a number in {(point.Unit.Length == 0 ? "the device's units" : point.Unit)}");
            default:
                return Wrong($"is {(field.ValueKind == JsonValueKind.Object ? "an object" : "an array")}, expected a number");
        }
    }

    private static MqttFieldValue Number(ProfilePoint point, double value)
    {
        var state = point.States.Count > 0 && point.States.TryGetValue((long)Math.Round(value), out var name) ? name : null;
        return new MqttFieldValue(MqttFieldKind.Number, value, state);
    }

    private static MqttFieldValue Wrong(string why) => new(MqttFieldKind.WrongType, Problem: why);

    private static bool IsAbsentMarker(string? marker, JsonElement field)
    {
        if (marker is null) return false;
        return field.ValueKind switch
        {
            JsonValueKind.Number => double.TryParse(marker, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && field.TryGetDouble(out var v) && v == m,
            // Compared as UTF-8, without decoding: a string that is not valid UTF-8 is simply not the marker.
            JsonValueKind.String => field.ValueEquals(marker),
            _ => string.Equals(field.GetRawText(), marker, StringComparison.Ordinal),
        };
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
