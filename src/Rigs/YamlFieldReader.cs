using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// Reads typed fields out of a YAML document while collecting every problem with its path
/// and line, so a wrong rig file is reported whole instead of one error per attempt.
/// Missing or wrong fields yield null and a problem; the caller goes on reading.
/// </summary>
internal sealed class YamlFieldReader
{
    private readonly string _file;
    private readonly List<RigProblem> _problems = new();

    public YamlFieldReader(string file) => _file = file;

    public IReadOnlyList<RigProblem> Problems => _problems;

    // Problems already reported, by node position, path and words: a value two checks refuse alike (a '.nan' the document-wide
    // number check and the field's own reader both see) is reported once.
    private readonly HashSet<(long Line, long Column, string Path, string Message)> _reported = new();

    public void Problem(YamlNode? node, string path, string message)
    {
        if (node is not null && !_reported.Add((node.Start.Line, node.Start.Column, path, message))) return;
        _problems.Add(new RigProblem(_file, path, node is null ? 0 : (int)node.Start.Line, message));
    }

    public YamlMappingNode? Mapping(YamlMappingNode parent, string key, string path, bool required = true)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            if (required) Problem(parent, Join(path, key), "is missing");
            return null;
        }
        if (node is YamlMappingNode map) return map;
        Problem(node, Join(path, key), "must be a mapping (key: value pairs)");
        return null;
    }

    public IReadOnlyList<YamlNode> Sequence(YamlMappingNode parent, string key, string path, bool required = true)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            if (required) Problem(parent, Join(path, key), "is missing");
            return Array.Empty<YamlNode>();
        }
        if (node is YamlSequenceNode seq) return seq.Children.ToList();
        Problem(node, Join(path, key), "must be a list");
        return Array.Empty<YamlNode>();
    }

    public string? String(YamlMappingNode parent, string key, string path, bool required = true)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            if (required) Problem(parent, Join(path, key), "is missing");
            return null;
        }
        if (node is YamlScalarNode { Value: { Length: > 0 } value }) return value;
        Problem(node, Join(path, key), "must be a non-empty text value");
        return null;
    }

    public string? Choice(YamlMappingNode parent, string key, string path, IReadOnlyCollection<string> allowed, bool required = true, string? fallback = null)
    {
        var value = String(parent, key, path, required);
        if (value is null) return fallback;
        if (allowed.Contains(value)) return value;
        Problem(Child(parent, key), Join(path, key), $"'{value}' is not one of: {string.Join(", ", allowed)}");
        return null;
    }

    public double? Number(YamlMappingNode parent, string key, string path, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool required = true, double? fallback = null, string? unit = null)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            if (required) Problem(parent, Join(path, key), "is missing");
            return fallback;
        }
        if (node is YamlScalarNode { Value: { } written } && IsNonFinite(written))
        {
            Problem(node, Join(path, key), NonFiniteProblem(written));
            return null;
        }
        if (node is not YamlScalarNode { Value: { } text } ||
            !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ||
            double.IsNaN(value) || double.IsInfinity(value))
        {
            Problem(node, Join(path, key), "must be a number");
            return null;
        }
        if (value < min || value > max)
        {
            var u = unit is null ? "" : " " + unit;
            Problem(node, Join(path, key), $"{value.ToString(CultureInfo.InvariantCulture)}{u} is out of range [{Fmt(min)}, {Fmt(max)}]{u}");
            return null;
        }
        return value;
    }

    public int? Integer(YamlMappingNode parent, string key, string path, int min = int.MinValue, int max = int.MaxValue, bool required = true, int? fallback = null)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            if (required) Problem(parent, Join(path, key), "is missing");
            return fallback;
        }
        if (node is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Problem(node, Join(path, key), "must be a whole number");
            return null;
        }
        if (value < min || value > max)
        {
            Problem(node, Join(path, key), $"{value} is out of range [{min}, {max}]");
            return null;
        }
        return value;
    }

    public bool? Boolean(YamlMappingNode parent, string key, string path, bool required = true, bool? fallback = null)
    {
        var node = Child(parent, key);
        if (node is null)
        {
            if (required) Problem(parent, Join(path, key), "is missing");
            return fallback;
        }
        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value)) return value;
        Problem(node, Join(path, key), "must be true or false");
        return null;
    }

    /// <summary>An ISO 8601 date-time with its time of day (a bare date is refused: the simulators' clock starts at an instant).</summary>
    public DateTimeOffset? Instant(YamlMappingNode parent, string key, string path, bool required = true)
    {
        var text = String(parent, key, path, required);
        if (text is null) return null;
        if (ParseInstant(text) is { } value) return value;
        Problem(Child(parent, key), Join(path, key), $"'{text}' is not an ISO 8601 date-time (e.g. 2026-06-01T00:00:00Z)");
        return null;
    }

    /// <summary>
    /// An ISO 8601 date-time, or a time of day (HH:mm or HH:mm:ss) on the date of <paramref name="day"/>: how a scenario
    /// writes when a car arrives on the rig's first day.
    /// </summary>
    public DateTimeOffset? InstantOrTimeOfDay(YamlMappingNode parent, string key, string path, DateTimeOffset day)
    {
        var text = String(parent, key, path);
        if (text is null) return null;
        if (ParseInstant(text) is { } value) return value;
        if (ParseTimeOfDay(text) is { } tod) return new DateTimeOffset(day.UtcDateTime.Date, TimeSpan.Zero) + tod;
        Problem(Child(parent, key), Join(path, key), $"'{text}' is neither an ISO 8601 date-time (e.g. 2026-06-01T06:00:00Z) nor a time of day (e.g. 07:30)");
        return null;
    }

    /// <summary>A time of day, HH:mm or HH:mm:ss.</summary>
    public TimeSpan? TimeOfDay(YamlMappingNode parent, string key, string path)
    {
        var text = String(parent, key, path);
        if (text is null) return null;
        if (ParseTimeOfDay(text) is { } value) return value;
        Problem(Child(parent, key), Join(path, key), $"'{text}' is not a time of day (e.g. 06:30)");
        return null;
    }

    private static DateTimeOffset? ParseInstant(string text)
        => text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value : null;

    private static TimeSpan? ParseTimeOfDay(string text)
        => TimeSpan.TryParseExact(text, ["hh\\:mm", "hh\\:mm\\:ss"], CultureInfo.InvariantCulture, out var value) && value < TimeSpan.FromDays(1) ? value : null;

    /// <summary>Report keys the schema does not know, so a typo never passes silently.</summary>
    public void RejectUnknownKeys(YamlMappingNode node, string path, params string[] known)
    {
        foreach (var key in node.Children.Keys.OfType<YamlScalarNode>())
        {
            if (key.Value is { } k && !known.Contains(k, StringComparer.Ordinal))
                Problem(key, Join(path, k), $"unknown key (expected one of: {string.Join(", ", known)})");
        }
    }

    /// <summary>A number that is not one: <c>.nan</c>, <c>.inf</c> and their spellings, which YAML reads as valid doubles.</summary>
    public static bool IsNonFinite(string text) =>
        text.Trim().TrimStart('+', '-').ToLowerInvariant() is ".nan" or ".inf" or "nan" or "inf" or "infinity";

    /// <summary>Why a non-finite number is refused, in the same words wherever it is found.</summary>
    public static string NonFiniteProblem(string text) => $"'{text}' is not a number the gateway or the simulators can use (not a number, or infinite)";

    public static YamlNode? Child(YamlMappingNode parent, string key)
        => parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    public static string Join(string path, string key) => string.IsNullOrEmpty(path) ? key : $"{path}.{key}";

    private static string Fmt(double v) => double.IsInfinity(v) ? (v > 0 ? "∞" : "-∞") : v.ToString(CultureInfo.InvariantCulture);
}
