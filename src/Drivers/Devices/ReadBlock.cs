namespace Gateway.Drivers.Devices;

/// <summary>One block read: <paramref name="Count"/> registers from <paramref name="Start"/> in <paramref name="Table"/>.</summary>
internal readonly record struct ReadBlock(RegisterTable Table, int Start, int Count)
{
    /// <summary>One past the last register.</summary>
    public int End => Start + Count;
}
