namespace Gateway.Drivers.Devices;

/// <summary>
/// Coalesces the register spans of many points into few block reads: spans in the same table are
/// merged while the block stays within the size limit and the unused registers between two spans
/// stay within the gap limit.
/// </summary>
internal static class ReadPlanner
{
    /// <summary>The blocks covering every span, ordered by table and address.</summary>
    /// <param name="spans">Register spans to cover (duplicates and overlaps allowed).</param>
    /// <param name="maxBlockRegisters">Largest block (1–125).</param>
    /// <param name="maxGapRegisters">Largest run of unrequested registers inside one block.</param>
    public static IReadOnlyList<ReadBlock> Plan(IEnumerable<ReadBlock> spans, int maxBlockRegisters = 125, int maxGapRegisters = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlockRegisters, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBlockRegisters, 125);
        var blocks = new List<ReadBlock>();
        ReadBlock? current = null;
        foreach (var span in spans.OrderBy(s => s.Table).ThenBy(s => s.Start).ThenBy(s => s.Count))
        {
            if (span.Count > maxBlockRegisters)
                throw new ArgumentException($"a span of {span.Count} registers at {span.Start} is larger than a block", nameof(spans));
            if (current is { } c && c.Table == span.Table && span.Start - c.End <= maxGapRegisters
                && Math.Max(c.End, span.End) - c.Start <= maxBlockRegisters)
            {
                current = c with { Count = Math.Max(c.End, span.End) - c.Start };
                continue;
            }
            if (current is { } done) blocks.Add(done);
            current = span;
        }
        if (current is { } last) blocks.Add(last);
        return blocks;
    }
}
