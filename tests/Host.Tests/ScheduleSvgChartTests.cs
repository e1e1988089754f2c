using System.Xml.Linq;
using Gateway.Reporting;

namespace Gateway.Host.Tests;

public class ScheduleSvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Renders_well_formed_svg_with_title_axes_and_legend()
    {
        var chart = new SvgChart("Energy & <test>", ["1", "2", "3"]) { XAxisLabel = "Hour [h]", YAxisLabel = "Energy [kWh]" }
            .Add(new ChartSeries("grid", [1, 2, 3], ChartSeriesKind.StackedBar))
            .Add(new ChartSeries("company", [2, 0, 1], ChartSeriesKind.StackedBar))
            .Add(new ChartSeries("level", [0.5, double.NaN, 4], Dashed: true));
        var doc = XDocument.Parse(chart.ToSvg());
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("Energy & <test>", texts);
        Assert.Contains("Hour [h]", texts);
        Assert.Contains("Energy [kWh]", texts);
        Assert.Contains("grid", texts);
        Assert.Contains("company", texts);
        // Five positive bar values → five rectangles with a tooltip; the zero is not drawn.
        Assert.Equal(5, doc.Descendants(Svg + "rect").Count(r => r.Element(Svg + "title") is not null));
        // The NaN breaks the line into two pieces (two move-to commands).
        var path = doc.Descendants(Svg + "path").Single().Attribute("d")!.Value;
        Assert.Equal(2, path.Count(ch => ch == 'M'));
    }

    [Fact]
    public void Stacked_bars_set_the_axis_range()
    {
        var chart = new SvgChart("t", ["a", "b"]).Add(new ChartSeries("x", [40, 10], ChartSeriesKind.StackedBar)).Add(new ChartSeries("y", [45, 0], ChartSeriesKind.StackedBar));
        var labels = XDocument.Parse(chart.ToSvg()).Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("100", labels); // 85 stacked rounds up to a nice 100
        Assert.Contains("0", labels);
    }

    [Fact]
    public void Nice_ticks_use_1_2_2point5_5_steps()
    {
        Assert.Equal([0, 250, 500, 750, 1000, 1250], SvgChart.NiceTicks(0, 1233, 6));
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2], SvgChart.NiceTicks(0, 1.1, 6));
        Assert.Equal([1200, 1300, 1400, 1500, 1600, 1700, 1800], SvgChart.NiceTicks(1234, 1749.8, 6));
    }

    [Fact]
    public void A_series_of_the_wrong_length_is_refused()
    {
        var chart = new SvgChart("t", ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => chart.Add(new ChartSeries("x", [1.0])));
        Assert.Contains("'x' has 1 values for 2 categories", e.Message, StringComparison.Ordinal);
    }
}
