using System.Text;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Makes an id safe as one topic level: <c>/</c>, <c>+</c>, <c>#</c>, <c>%</c> and control characters
/// would add a level or become a wildcard, so they are written as <c>%XX</c> (UTF-8, upper-case hex),
/// the same scheme as the operator topics. Gateway and simulator escape alike, so they meet on the same topic.
/// </summary>
internal static class MqttTopicLevel
{
    /// <summary><paramref name="id"/> escaped for use as one topic level.</summary>
    public static string Escape(string id)
    {
        if (!id.Any(NeedsEscape)) return id;
        var text = new StringBuilder(id.Length + 8);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in id.EnumerateRunes())
        {
            if (rune.IsBmp && NeedsEscape((char)rune.Value))
            {
                var n = rune.EncodeToUtf8(bytes);
                for (var i = 0; i < n; i++) text.Append('%').Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(rune.ToString());
            }
        }
        return text.ToString();
    }

    /// <summary>The id that <see cref="Escape"/> turned into <paramref name="level"/>: %XX sequences decoded as UTF-8, the rest kept.</summary>
    public static string Unescape(string level)
    {
        if (!level.Contains('%')) return level;
        var text = new StringBuilder(level.Length);
        var pending = new List<byte>();
        for (var i = 0; i < level.Length; i++)
        {
            if (level[i] == '%' && i + 2 < level.Length
                && byte.TryParse(level.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var b))
            {
                pending.Add(b);
                i += 2;
                continue;
            }
            Flush();
            text.Append(level[i]);
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            if (pending.Count == 0) return;
            text.Append(Encoding.UTF8.GetString(pending.ToArray()));
            pending.Clear();
        }
    }

    private static bool NeedsEscape(char c) => c is '/' or '+' or '#' or '%' || char.IsControl(c);
}
