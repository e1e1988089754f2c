using System.Globalization;

namespace Gateway.Host.Cli;

/// <summary>Mean, sample standard deviation, minimum and maximum of repeated measurements.</summary>
internal sealed record ScheduleStatistics(int Count, double Mean, double StandardDeviation, double Min, double Max)
{
    public static ScheduleStatistics Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new ScheduleStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        double mean = values.Average();
        double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0.0;
        return new ScheduleStatistics(values.Count, mean, sd, values.Min(), values.Max());
    }

    /// <summary>"mean ± sd" with <paramref name="format"/>.</summary>
    public string MeanSd(string format) =>
        string.Create(CultureInfo.InvariantCulture, $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {StandardDeviation.ToString(format, CultureInfo.InvariantCulture)}");

    /// <summary>"min–max" with <paramref name="format"/>.</summary>
    public string Range(string format) =>
        $"{Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)}";
}
