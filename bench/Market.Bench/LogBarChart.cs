using System.Globalization;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// Grouped bars on a logarithmic time axis, as SVG: the scale bench's times span five decades, which a linear axis
/// (the gateway's own report charts) cannot show side by side. A missing value is drawn as "not run".
/// </summary>
internal sealed class LogBarChart(string title, IReadOnlyList<string> categories)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<(string Name, string Colour, double?[] Ms)> _series = [];

    public LogBarChart Add(string name, string colour, double?[] milliseconds)
    {
        if (milliseconds.Length != categories.Count) throw new ArgumentException("one value per category");
        _series.Add((name, colour, milliseconds));
        return this;
    }

    public string ToSvg()
    {
        const double width = 860, height = 440, left = 70, right = 20, top = 56, bottom = 70;
        var values = _series.SelectMany(s => s.Ms).Where(v => v is > 0).Select(v => v!.Value).ToList();
        var low = Math.Floor(Math.Log10(values.Min()));
        var high = Math.Ceiling(Math.Log10(values.Max()));
        if (high <= low) high = low + 1;
        double Y(double ms) => top + (height - top - bottom) * (high - Math.Log10(ms)) / (high - low);
        var svg = new StringBuilder();
        svg.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(Inv, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n");
        for (var decade = low; decade <= high; decade++)
        {
            var y = Y(Math.Pow(10, decade));
            svg.Append(Inv, $"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{width - right}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>\n");
            svg.Append(Inv, $"<text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Label(Math.Pow(10, decade))}</text>\n");
        }

        svg.Append(Inv, $"<text x=\"16\" y=\"{(top + height - bottom) / 2:0.#}\" transform=\"rotate(-90 16 {(top + height - bottom) / 2:0.#})\" text-anchor=\"middle\">time per run (log scale)</text>\n");
        var groupWidth = (width - left - right) / categories.Count;
        var barWidth = Math.Min(44, groupWidth * 0.8 / _series.Count);
        for (var c = 0; c < categories.Count; c++)
        {
            var x0 = left + c * groupWidth + (groupWidth - barWidth * _series.Count) / 2;
            for (var s = 0; s < _series.Count; s++)
            {
                var x = x0 + s * barWidth;
                if (_series[s].Ms[c] is not { } ms || ms <= 0)
                {
                    svg.Append(Inv, $"<text x=\"{x + barWidth / 2:0.#}\" y=\"{height - bottom - 4}\" text-anchor=\"start\" font-size=\"9\" fill=\"#888\" transform=\"rotate(-90 {x + barWidth / 2:0.#} {height - bottom - 4})\">not run</text>\n");
                    continue;
                }

                var y = Y(ms);
                svg.Append(Inv, $"<rect x=\"{x + 1:0.#}\" y=\"{y:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{height - bottom - y:0.#}\" fill=\"{_series[s].Colour}\"/>\n");
                svg.Append(Inv, $"<text x=\"{x + barWidth / 2:0.#}\" y=\"{y - 3:0.#}\" text-anchor=\"middle\" font-size=\"9\">{Label(ms)}</text>\n");
            }

            svg.Append(Inv, $"<text x=\"{left + (c + 0.5) * groupWidth:0.#}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{Escape(categories[c])}</text>\n");
        }

        svg.Append(Inv, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#333\"/>\n");
        var legendX = left;
        foreach (var (name, colour, _) in _series)
        {
            svg.Append(Inv, $"<rect x=\"{legendX}\" y=\"{height - 30}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>");
            svg.Append(Inv, $"<text x=\"{legendX + 16}\" y=\"{height - 20}\">{Escape(name)}</text>\n");
            legendX += 18 + 7.2 * name.Length;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Label(double ms) =>
        ms >= 1000 ? (ms / 1000).ToString(ms >= 10_000 ? "0" : "0.#", Inv) + " s"
        : ms >= 1 ? ms.ToString(ms >= 10 ? "0" : "0.#", Inv) + " ms"
        : ms.ToString("0.##", Inv) + " ms";

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
