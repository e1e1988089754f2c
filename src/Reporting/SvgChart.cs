using System.Globalization;
using System.Text;

namespace Gateway.Reporting;

/// <summary>
/// A small, dependency-free SVG chart: categories on the x axis, line and stacked-bar series on a
/// linear y axis with "nice" ticks, a title, axis labels with units and a legend. Deterministic
/// output (invariant culture, fixed precision) so reports diff cleanly.
/// </summary>
public sealed class SvgChart
{
    private static readonly string[] Palette =
    [
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ];

    private const double MarginLeft = 78;
    private const double MarginRight = 24;
    private const double MarginTop = 48;
    private const double LegendRowHeight = 20;

    /// <summary>Creates a chart with the given category labels (x axis).</summary>
    public SvgChart(string title, IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(categories);
        if (categories.Count == 0)
        {
            throw new ArgumentException("a chart needs at least one category", nameof(categories));
        }
        Title = title;
        Categories = categories;
    }

    /// <summary>Chart title.</summary>
    public string Title { get; }

    /// <summary>Category labels along the x axis.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>X axis label, with its unit, e.g. "Hour of day [h]".</summary>
    public string XAxisLabel { get; init; } = "";

    /// <summary>Y axis label, with its unit, e.g. "Energy [kWh]".</summary>
    public string YAxisLabel { get; init; } = "";

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 860;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 460;

    /// <summary>Whether the y axis always includes 0.</summary>
    public bool YFromZero { get; init; } = true;

    /// <summary>Show every n-th category label (0 = choose automatically).</summary>
    public int LabelEvery { get; init; }

    /// <summary>The series, drawn in order (bars first, then lines on top).</summary>
    public List<ChartSeries> Series { get; } = [];

    /// <summary>Adds a series and returns the chart for chaining.</summary>
    public SvgChart Add(ChartSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Values.Count != Categories.Count)
        {
            throw new ArgumentException($"series '{series.Name}' has {series.Values.Count} values for {Categories.Count} categories", nameof(series));
        }
        Series.Add(series);
        return this;
    }

    /// <summary>Renders the chart as a standalone SVG document.</summary>
    public string ToSvg()
    {
        var colors = Series.Select((s, i) => s.Color ?? Palette[i % Palette.Length]).ToArray();
        var legend = LegendLayout();
        int legendRows = legend.Length == 0 ? 0 : legend.Max(p => p.Row) + 1;
        double marginBottom = 62 + legendRows * LegendRowHeight;
        double plotW = Width - MarginLeft - MarginRight;
        double plotH = Height - MarginTop - marginBottom;

        var (lo, hi) = Range();
        var ticks = NiceTicks(lo, hi, 6);
        double yMin = ticks[0], yMax = ticks[^1];
        double Y(double v) => MarginTop + plotH * (1 - (v - yMin) / (yMax - yMin));
        int n = Categories.Count;
        double band = plotW / n;
        double X(int i) => MarginLeft + band * (i + 0.5);

        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Inv($"<text x=\"{Width / 2.0:0.#}\" y=\"28\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">{Escape(Title)}</text>\n"));

        // Grid and y ticks.
        foreach (double tick in ticks)
        {
            double y = Y(tick);
            svg.Append(Inv($"<line x1=\"{MarginLeft:0.##}\" y1=\"{y:0.##}\" x2=\"{MarginLeft + plotW:0.##}\" y2=\"{y:0.##}\" stroke=\"{(tick == 0 ? "#888" : "#e3e3e3")}\" stroke-width=\"1\"/>\n"));
            svg.Append(Inv($"<text x=\"{MarginLeft - 8:0.##}\" y=\"{y + 4:0.##}\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">{Escape(FormatTick(tick, ticks))}</text>\n"));
        }

        // Stacked bars (positive values stack upwards from 0).
        var stack = new double[n];
        double barW = band * 0.72;
        for (int s = 0; s < Series.Count; s++)
        {
            if (Series[s].Kind != ChartSeriesKind.StackedBar)
            {
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                double v = Series[s].Values[i];
                if (!double.IsFinite(v) || v <= 0)
                {
                    continue;
                }
                double top = Y(stack[i] + v), bottom = Y(stack[i]);
                svg.Append(Inv($"<rect x=\"{X(i) - barW / 2:0.##}\" y=\"{top:0.##}\" width=\"{barW:0.##}\" height=\"{Math.Max(0.5, bottom - top):0.##}\" fill=\"{colors[s]}\"><title>{Escape(Series[s].Name)} {Escape(Categories[i])}: {v:0.###}</title></rect>\n"));
                stack[i] += v;
            }
        }

        // Lines.
        for (int s = 0; s < Series.Count; s++)
        {
            if (Series[s].Kind != ChartSeriesKind.Line)
            {
                continue;
            }
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < n; i++)
            {
                double v = Series[s].Values[i];
                if (!double.IsFinite(v))
                {
                    pen = false;
                    continue;
                }
                path.Append(Inv($"{(pen ? "L" : "M")}{X(i):0.##} {Y(v):0.##} "));
                pen = true;
            }
            string dash = Series[s].Dashed ? " stroke-dasharray=\"6 4\"" : "";
            svg.Append(Inv($"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{colors[s]}\" stroke-width=\"2.2\"{dash}/>\n"));
            if (n <= 48 && !Series[s].Dashed)
            {
                for (int i = 0; i < n; i++)
                {
                    double v = Series[s].Values[i];
                    if (double.IsFinite(v))
                    {
                        svg.Append(Inv($"<circle cx=\"{X(i):0.##}\" cy=\"{Y(v):0.##}\" r=\"3\" fill=\"{colors[s]}\"/>\n"));
                    }
                }
            }
        }

        // Axes, x labels, axis titles.
        svg.Append(Inv($"<line x1=\"{MarginLeft:0.##}\" y1=\"{MarginTop:0.##}\" x2=\"{MarginLeft:0.##}\" y2=\"{MarginTop + plotH:0.##}\" stroke=\"#333\"/>\n"));
        svg.Append(Inv($"<line x1=\"{MarginLeft:0.##}\" y1=\"{MarginTop + plotH:0.##}\" x2=\"{MarginLeft + plotW:0.##}\" y2=\"{MarginTop + plotH:0.##}\" stroke=\"#333\"/>\n"));
        int every = LabelEvery > 0 ? LabelEvery : Math.Max(1, (int)Math.Ceiling(n / (plotW / 34)));
        for (int i = 0; i < n; i += every)
        {
            svg.Append(Inv($"<line x1=\"{X(i):0.##}\" y1=\"{MarginTop + plotH:0.##}\" x2=\"{X(i):0.##}\" y2=\"{MarginTop + plotH + 5:0.##}\" stroke=\"#333\"/>\n"));
            svg.Append(Inv($"<text x=\"{X(i):0.##}\" y=\"{MarginTop + plotH + 19:0.##}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">{Escape(Categories[i])}</text>\n"));
        }
        svg.Append(Inv($"<text x=\"{MarginLeft + plotW / 2:0.##}\" y=\"{MarginTop + plotH + 40:0.##}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222\">{Escape(XAxisLabel)}</text>\n"));
        double yMid = MarginTop + plotH / 2;
        svg.Append(Inv($"<text x=\"20\" y=\"{yMid:0.##}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222\" transform=\"rotate(-90 20 {yMid:0.##})\">{Escape(YAxisLabel)}</text>\n"));

        // Legend rows under the x axis title.
        double legendTop = MarginTop + plotH + 52;
        for (int s = 0; s < Series.Count; s++)
        {
            double lx = legend[s].X, ly = legendTop + legend[s].Row * LegendRowHeight;
            if (Series[s].Kind == ChartSeriesKind.StackedBar)
            {
                svg.Append(Inv($"<rect x=\"{lx:0.##}\" y=\"{ly:0.##}\" width=\"14\" height=\"12\" fill=\"{colors[s]}\"/>\n"));
            }
            else
            {
                string dash = Series[s].Dashed ? " stroke-dasharray=\"6 4\"" : "";
                svg.Append(Inv($"<line x1=\"{lx:0.##}\" y1=\"{ly + 6:0.##}\" x2=\"{lx + 22:0.##}\" y2=\"{ly + 6:0.##}\" stroke=\"{colors[s]}\" stroke-width=\"2.2\"{dash}/>\n"));
            }
            svg.Append(Inv($"<text x=\"{lx + 28:0.##}\" y=\"{ly + 11:0.##}\" font-size=\"12\" fill=\"#222\">{Escape(Series[s].Name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    // Legend entries flow left to right and wrap; widths are estimated from the text length
    // (about 7 px per character at 12 px) because SVG has no text measurement.
    private (double X, int Row)[] LegendLayout()
    {
        var result = new (double X, int Row)[Series.Count];
        double x = MarginLeft, right = Width - MarginRight;
        int row = 0;
        for (int s = 0; s < Series.Count; s++)
        {
            double width = 28 + 7.0 * Series[s].Name.Length + 22;
            if (x > MarginLeft && x + width > right)
            {
                row++;
                x = MarginLeft;
            }
            result[s] = (x, row);
            x += width;
        }
        return result;
    }

    private (double Lo, double Hi) Range()
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        var stack = new double[Categories.Count];
        foreach (var s in Series)
        {
            for (int i = 0; i < s.Values.Count; i++)
            {
                double v = s.Values[i];
                if (!double.IsFinite(v))
                {
                    continue;
                }
                if (s.Kind == ChartSeriesKind.StackedBar)
                {
                    if (v > 0)
                    {
                        stack[i] += v;
                    }
                    hi = Math.Max(hi, stack[i]);
                    lo = Math.Min(lo, 0);
                }
                else
                {
                    hi = Math.Max(hi, v);
                    lo = Math.Min(lo, v);
                }
            }
        }
        if (!double.IsFinite(lo))
        {
            return (0, 1);
        }
        if (YFromZero)
        {
            lo = Math.Min(lo, 0);
            hi = Math.Max(hi, 0);
        }
        if (hi - lo < 1e-12)
        {
            hi = lo + (Math.Abs(lo) > 0 ? Math.Abs(lo) * 0.1 : 1);
        }
        return (lo, hi);
    }

    /// <summary>Tick values covering [lo, hi] at a step of 1, 2 or 5 × 10^k.</summary>
    internal static double[] NiceTicks(double lo, double hi, int target)
    {
        double raw = (hi - lo) / Math.Max(1, target);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        long first = (long)Math.Floor(lo / step);
        long last = (long)Math.Ceiling(hi / step);
        var ticks = new List<double>();
        for (long i = first; i <= Math.Max(last, first + 1); i++)
        {
            // Integer multiples rounded to 10 decimals so 3 × 0.2 prints and compares as 0.6.
            ticks.Add(Math.Round(i * step, 10));
        }
        return ticks.ToArray();
    }

    private static string FormatTick(double tick, double[] ticks)
    {
        double step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) + 1e-9));
        return tick.ToString("N" + Math.Min(decimals, 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}
