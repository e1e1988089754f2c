using Gateway.Drivers.Devices;

namespace Gateway.Drivers.Tests.Devices;

public sealed class ReadPlannerTests
{
    private static ReadBlock H(int start, int count = 1) => new(RegisterTable.Holding, start, count);

    [Fact]
    public void Close_spans_merge_and_far_ones_do_not()
    {
        var blocks = ReadPlanner.Plan([H(10), H(12, 2), H(30), H(100)], maxGapRegisters: 16);
        Assert.Equal([H(10, 21), H(100)], blocks);
    }

    [Fact]
    public void Tables_are_never_mixed()
    {
        var blocks = ReadPlanner.Plan([H(10), new ReadBlock(RegisterTable.Input, 11, 1)]);
        Assert.Equal(2, blocks.Count);
    }

    [Fact]
    public void No_block_exceeds_the_size_limit()
    {
        var spans = Enumerable.Range(0, 400).Select(i => H(i * 2, 2)).ToArray();
        var blocks = ReadPlanner.Plan(spans, maxBlockRegisters: 125);
        Assert.All(blocks, b => Assert.InRange(b.Count, 1, 125));
        Assert.Equal(800, blocks.Sum(b => b.Count));
        Assert.All(spans, s => Assert.Contains(blocks, b => b.Start <= s.Start && s.End <= b.End));
    }

    [Fact]
    public void Overlapping_and_duplicate_spans_are_covered_once()
    {
        Assert.Equal([H(5, 4)], ReadPlanner.Plan([H(5, 2), H(5, 2), H(6, 3)]));
    }
}
