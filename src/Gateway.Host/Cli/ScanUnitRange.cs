using System.Globalization;

namespace Gateway.Host.Cli;

/// <summary>The unit ids a scan asks, as typed: <c>1-247</c>, <c>3</c>, <c>1,3,10-20</c>.</summary>
internal static class ScanUnitRange
{
    /// <summary>The default range: every unit id a Modbus serial line may address (1–247).</summary>
    public const string Default = "1-247";

    /// <summary>Parses <paramref name="text"/> into distinct unit ids in order; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string text, out IReadOnlyList<byte> units, out string error)
    {
        var list = new SortedSet<byte>();
        units = [];
        error = "";
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1);
            var (fromText, toText) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!int.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out var from) ||
                !int.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out var to) || from > 255 || to > 255 || from > to)
            {
                error = $"--units '{text}': '{part}' is not a unit id (0–255) or a range such as 1-247";
                return false;
            }
            for (var u = from; u <= to; u++) list.Add((byte)u);
        }
        if (list.Count == 0)
        {
            error = $"--units '{text}' names no unit id";
            return false;
        }
        units = list.ToList();
        return true;
    }
}
