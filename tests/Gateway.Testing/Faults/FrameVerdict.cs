namespace Gateway.Testing;

/// <summary>What a <see cref="LinkFaults"/> decided for one frame.</summary>
/// <param name="Drop">The frame is not delivered.</param>
/// <param name="CorruptOffset">Index of the byte to damage, or -1.</param>
/// <param name="CorruptMask">Bits flipped in that byte.</param>
/// <param name="Reorder">The frame is delivered after the one that follows it.</param>
/// <param name="Delay">Extra time before delivery (delay plus jitter).</param>
/// <param name="Cut">Only the first half of the frame is delivered, then the connection is reset.</param>
internal readonly record struct FrameVerdict(bool Drop, int CorruptOffset, byte CorruptMask, bool Reorder, TimeSpan Delay, bool Cut = false);
