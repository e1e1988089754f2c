namespace Gateway.Reporting;

/// <summary>One named data series of a <see cref="SvgChart"/>; one value per category (NaN = gap).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">Values in the y axis unit.</param>
/// <param name="Kind">Line or stacked bar.</param>
/// <param name="Color">CSS colour; null picks the next palette colour.</param>
/// <param name="Dashed">Draw a line series dashed (e.g. for published reference data).</param>
public sealed record ChartSeries(
    string Name,
    IReadOnlyList<double> Values,
    ChartSeriesKind Kind = ChartSeriesKind.Line,
    string? Color = null,
    bool Dashed = false);
