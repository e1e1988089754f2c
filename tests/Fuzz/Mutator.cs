using System.Text;

namespace Gateway.Fuzz;

/// <summary>
/// Seeded mutations of an input: byte-level (bit flips, interesting values, inserts, deletes,
/// duplicated ranges, splices with another corpus entry) and, for text, token-level (numbers
/// swapped for extreme ones, lines deleted, duplicated, swapped or re-indented, YAML/JSON
/// punctuation inserted). One to four stacked per input.
/// </summary>
internal sealed class Mutator(Random random)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x20, 0x0A, 0x22, 0x3A];
    private static readonly ushort[] InterestingWords = [0x0000, 0x0001, 0x007D, 0x007E, 0x00FF, 0x0100, 0x07D0, 0x07D1, 0x7FFF, 0x8000, 0xFF00, 0xFFFF];
    private static readonly string[] InterestingNumbers =
        ["0", "-0", "1", "-1", "0.5", "1e308", "-1e308", "1e-320", "NaN", "Infinity", "-Infinity", "2147483648", "-2147483649", "9223372036854775808", "99999999999999999999999", "0x10", "1_000", ".5", "5."];

    private static readonly string[] Tokens =
        ["null", "~", "[]", "{}", "\"", "'", ":", ": ", "- ", "&a ", "*a", "!!binary ", "<<: *a", "\t", "#", ",", "[", "]", "{", "}", "\\u0000", "\"\\ud800\"", "true", "false", "''", "---", "...", "? ", "|", ">", "%YAML 1.2"];

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus, bool isText)
    {
        var data = input;
        int rounds = 1 + random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            data = isText && random.Next(2) == 0 ? MutateText(data) : MutateBytes(data, corpus);
        }

        return data;
    }

    private byte[] MutateBytes(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        switch (random.Next(9))
        {
            case 0 when data.Count > 0:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 2 when data.Count > 0:
                data[random.Next(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 3 when data.Count > 1:
            {
                int at = random.Next(data.Count - 1);
                ushort word = InterestingWords[random.Next(InterestingWords.Length)];
                data[at] = (byte)(word >> 8);
                data[at + 1] = (byte)word;
                break;
            }

            case 4:
            {
                int count = 1 + random.Next(8);
                var bytes = new byte[count];
                random.NextBytes(bytes);
                data.InsertRange(random.Next(data.Count + 1), bytes);
                break;
            }

            case 5 when data.Count > 0:
            {
                int at = random.Next(data.Count);
                data.RemoveRange(at, 1 + random.Next(Math.Min(16, data.Count - at)));
                break;
            }

            case 6 when data.Count > 0:
            {
                int at = random.Next(data.Count);
                int length = 1 + random.Next(Math.Min(32, data.Count - at));
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                break;
            }

            case 7 when corpus.Count > 0:
            {
                // Splice: this input's head with another entry's tail.
                var other = corpus[random.Next(corpus.Count)];
                int cut = random.Next(data.Count + 1);
                int from = random.Next(other.Length + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            }

            default:
                if (data.Count > 0)
                {
                    // Truncate: the input ends early.
                    int at = random.Next(data.Count);
                    data.RemoveRange(at, data.Count - at);
                }

                break;
        }

        return [.. data];
    }

    private byte[] MutateText(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var lines = text.Split('\n').ToList();
        switch (random.Next(7))
        {
            case 0:
                text = ReplaceNumber(text);
                return Encoding.UTF8.GetBytes(text);
            case 1 when lines.Count > 1:
                lines.RemoveAt(random.Next(lines.Count));
                break;
            case 2 when lines.Count > 0:
                lines.Insert(random.Next(lines.Count + 1), lines[random.Next(lines.Count)]);
                break;
            case 3 when lines.Count > 1:
            {
                int a = random.Next(lines.Count);
                int b = random.Next(lines.Count);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                break;
            }

            case 4 when lines.Count > 0:
            {
                int at = random.Next(lines.Count);
                lines[at] = random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                break;
            }

            default:
            {
                string token = Tokens[random.Next(Tokens.Length)];
                int at = random.Next(text.Length + 1);
                return Encoding.UTF8.GetBytes(text[..at] + token + text[at..]);
            }
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private string ReplaceNumber(string text)
    {
        var starts = new List<(int Start, int Length)>();
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiLetterOrDigit(text[i - 1])))
            {
                int j = i;
                while (j < text.Length && (char.IsAsciiDigit(text[j]) || text[j] is '.' or 'e' or 'E' or '-' or '+'))
                {
                    j++;
                }

                starts.Add((i, j - i));
                i = j;
            }
        }

        if (starts.Count == 0)
        {
            return text;
        }

        var (start, length) = starts[random.Next(starts.Count)];
        return text[..start] + InterestingNumbers[random.Next(InterestingNumbers.Length)] + text[(start + length)..];
    }
}
