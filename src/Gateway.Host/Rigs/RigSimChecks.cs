using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gateway.Host.Rigs;

/// <summary>
/// What the gateway checks of the parts of a rig it does not use itself (the simulators' <c>sim:</c> blocks), so it refuses
/// what the simulators refuse: a number that is not one (<c>.nan</c>, <c>.inf</c>) anywhere in the file, a state of charge
/// outside 0–100 %, a vehicle that leaves before it arrives.
/// </summary>
internal static class RigSimChecks
{
    private static readonly string[] PercentKeys = ["socAtArrivalPercent", "targetSocPercent", "minSocPercent", "maxSocPercent"];

    /// <summary>Reports every non-finite number in the document under <paramref name="root"/>.</summary>
    public static void NoNonFiniteNumbers(YamlFieldReader reader, YamlNode root, string path = "")
    {
        switch (root)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                    NoNonFiniteNumbers(reader, value, YamlFieldReader.Join(path, (key as YamlScalarNode)?.Value ?? "?"));
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++) NoNonFiniteNumbers(reader, list.Children[i], $"{path}[{i}]");
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text } scalar when IsNonFinite(text):
                reader.Problem(scalar, path, $"'{text}' is not a number the gateway or the simulators can use (not a number, or infinite)");
                break;
        }
    }

    /// <summary>Checks a charger's <c>sim:</c> block: percentages inside 0–100, departure after arrival.</summary>
    /// <param name="reader">Collects the problems.</param>
    /// <param name="sim">The charger's sim block.</param>
    /// <param name="path">Its YAML path.</param>
    /// <param name="start">The rig's start: a time of day (HH:mm) falls on its date, as in the simulators.</param>
    public static void Charger(YamlFieldReader reader, YamlMappingNode sim, string path, DateTimeOffset? start)
    {
        foreach (var key in PercentKeys)
        {
            if (YamlFieldReader.Child(sim, key) is YamlScalarNode { Value: { } text } node
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && double.IsFinite(percent) && percent is < 0 or > 100)
                reader.Problem(node, $"{path}.{key}", $"{text} % is out of range [0, 100] %");
        }
        if (Time(sim, "arrival", start) is { } arrival && Time(sim, "departure", start) is { } departure && departure <= arrival)
            reader.Problem(YamlFieldReader.Child(sim, "departure"), $"{path}.departure", "must be after 'arrival'");
    }

    private static bool IsNonFinite(string text) =>
        text.Trim().TrimStart('+', '-').ToLowerInvariant() is ".nan" or ".inf" or "nan" or "inf" or "infinity";

    // An ISO date-time, or a time of day (HH:mm[:ss]) on the date of the rig's start.
    private static DateTimeOffset? Time(YamlMappingNode sim, string key, DateTimeOffset? start)
    {
        if (YamlFieldReader.Child(sim, key) is not YamlScalarNode { Value: { } text }) return null;
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        if (TimeSpan.TryParseExact(text, ["hh\\:mm", "hh\\:mm\\:ss"], CultureInfo.InvariantCulture, out var tod))
            return new DateTimeOffset((start ?? DateTimeOffset.UnixEpoch).UtcDateTime.Date, TimeSpan.Zero) + tod;
        return null;
    }
}
