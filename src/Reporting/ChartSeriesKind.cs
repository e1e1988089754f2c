namespace Gateway.Reporting;

/// <summary>How a series is drawn.</summary>
public enum ChartSeriesKind
{
    /// <summary>A polyline with markers through the category centres.</summary>
    Line,

    /// <summary>A bar segment stacked on the previous stacked series of the same category.</summary>
    StackedBar,
}
