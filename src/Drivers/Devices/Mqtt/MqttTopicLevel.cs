using System.Text;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Makes an id safe as one topic level: <c>/</c>, <c>+</c>, <c>#</c>, <c>%</c> and control characters
/// would add a level or become a wildcard, so they are written as <c>%XX</c> (UTF-8, upper-case hex),
/// the same scheme as the operator topics. Gateway and simulator escape alike, so they meet on the same topic.
/// </summary>
public static class MqttTopicLevel
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

    private static bool NeedsEscape(char c) => c is '/' or '+' or '#' or '%' || char.IsControl(c);
}
