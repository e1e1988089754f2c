using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// A dotted path to a field inside a JSON object (<c>soc</c>, <c>power.w</c>): each segment names a
/// member of the object one level down. Arrays are not indexed: device telemetry is objects.
/// </summary>
public sealed class MqttJsonPath : IEquatable<MqttJsonPath>
{
    private readonly string[] _segments;

    private MqttJsonPath(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The path as written in the profile.</summary>
    public string Text { get; }

    /// <summary>Why <paramref name="text"/> is not a valid path, or null when it is.</summary>
    public static string? Check(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "a JSON field path must not be empty";
        foreach (var segment in text.Split('.'))
        {
            if (segment.Length == 0) return $"'{text}' has an empty segment (write power.w, not power..w or .power)";
            if (segment.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '[' or ']' or '"'))
                return $"'{text}': segment '{segment}' may hold letters, digits, '_' and '-' only";
        }
        return null;
    }

    /// <summary>Parses a path checked by <see cref="Check"/>.</summary>
    /// <exception cref="ArgumentException">The path is not valid.</exception>
    public static MqttJsonPath Parse(string text) =>
        Check(text) is { } why ? throw new ArgumentException(why, nameof(text)) : new MqttJsonPath(text, text.Split('.'));

    /// <summary>Finds the field in <paramref name="root"/>; false when a level is missing or not an object.</summary>
    public bool TryFind(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var segment in _segments)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out var next))
            {
                value = default;
                return false;
            }
            value = next;
        }
        return true;
    }

    /// <summary>Sets the field in <paramref name="root"/>, creating the objects on the way (simulators build telemetry with it).</summary>
    public void Set(JsonObject root, JsonNode? value)
    {
        var at = root;
        for (var i = 0; i < _segments.Length - 1; i++)
        {
            if (at[_segments[i]] is not JsonObject child)
            {
                child = new JsonObject();
                at[_segments[i]] = child;
            }
            at = child;
        }
        at[_segments[^1]] = value;
    }

    /// <inheritdoc />
    public bool Equals(MqttJsonPath? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MqttJsonPath);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <inheritdoc />
    public override string ToString() => Text;
}
