namespace Gateway.Testing;

/// <summary>
/// The faults of one direction of a <see cref="FaultProxy"/>, changeable while traffic flows:
/// latency with jitter, and per frame a chance (or the next N frames, for deterministic tests)
/// to be dropped, corrupted or swapped with the following frame; and a stall that holds every
/// byte until <see cref="Resume"/>. Order is kept unless a reorder is asked for, as on a TCP link.
/// </summary>
public sealed class LinkFaults
{
    private readonly Lock sync = new();
    private readonly Random random;
    private readonly Queue<(int? Offset, byte Mask)> corruptNext = new();
    private TimeSpan delay;
    private TimeSpan jitter;
    private double dropProbability;
    private double corruptProbability;
    private double reorderProbability;
    private int dropNext;
    private int reorderNext;
    private int cutNext;
    private TaskCompletionSource? stall;

    internal LinkFaults(FaultDirection direction, Random random)
    {
        Direction = direction;
        this.random = random;
    }

    /// <summary>Which way these faults apply.</summary>
    public FaultDirection Direction { get; }

    /// <summary>Fixed latency added to every frame.</summary>
    public TimeSpan Delay
    {
        get { lock (sync) return delay; }
        set { lock (sync) delay = NotNegative(value); }
    }

    /// <summary>Up to this much more latency, drawn per frame from the proxy's seeded generator.</summary>
    public TimeSpan Jitter
    {
        get { lock (sync) return jitter; }
        set { lock (sync) jitter = NotNegative(value); }
    }

    /// <summary>Chance (0–1) that a frame is dropped.</summary>
    public double DropProbability
    {
        get { lock (sync) return dropProbability; }
        set { lock (sync) dropProbability = Probability(value); }
    }

    /// <summary>Chance (0–1) that one random bit of a frame is flipped.</summary>
    public double CorruptProbability
    {
        get { lock (sync) return corruptProbability; }
        set { lock (sync) corruptProbability = Probability(value); }
    }

    /// <summary>Chance (0–1) that a frame is delivered after the next one.</summary>
    public double ReorderProbability
    {
        get { lock (sync) return reorderProbability; }
        set { lock (sync) reorderProbability = Probability(value); }
    }

    /// <summary>True while every byte in this direction is held back.</summary>
    public bool IsStalled
    {
        get { lock (sync) return stall is not null; }
    }

    /// <summary>Drops the next <paramref name="frames"/> frames.</summary>
    public void DropNext(int frames = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        lock (sync) dropNext += frames;
    }

    /// <summary>
    /// Damages the next <paramref name="frames"/> frames: the byte at <paramref name="byteOffset"/> is
    /// XORed with <paramref name="mask"/>, or, without an offset, one random bit of the frame is flipped.
    /// </summary>
    public void CorruptNext(int frames = 1, int? byteOffset = null, byte mask = 0xFF)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        if (byteOffset is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset), byteOffset, "A byte offset is 0 or more.");
        }

        lock (sync)
        {
            for (int i = 0; i < frames; i++)
            {
                corruptNext.Enqueue((byteOffset, mask));
            }
        }
    }

    /// <summary>
    /// Cuts the connection in the middle of the next <paramref name="frames"/> frames: the first half of
    /// the frame is delivered, then both sides see a reset (a device that lost power while it answered).
    /// </summary>
    public void CutNext(int frames = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        lock (sync) cutNext += frames;
    }

    /// <summary>Delivers each of the next <paramref name="frames"/> frames after the frame that follows it.</summary>
    public void ReorderNext(int frames = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        lock (sync) reorderNext += frames;
    }

    /// <summary>Holds every byte in this direction (nothing is lost) until <see cref="Resume"/>.</summary>
    public void Stall()
    {
        lock (sync) stall ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Delivers what a stall held, and lets traffic flow again.</summary>
    public void Resume()
    {
        TaskCompletionSource? released;
        lock (sync)
        {
            released = stall;
            stall = null;
        }

        released?.TrySetResult();
    }

    /// <summary>Switches every fault of this direction off and resumes it.</summary>
    public void Clear()
    {
        lock (sync)
        {
            delay = jitter = TimeSpan.Zero;
            dropProbability = corruptProbability = reorderProbability = 0;
            dropNext = reorderNext = cutNext = 0;
            corruptNext.Clear();
        }

        Resume();
    }

    /// <summary>Completes when this direction is not stalled.</summary>
    internal Task WhenFlowing()
    {
        lock (sync) return stall?.Task ?? Task.CompletedTask;
    }

    internal FrameVerdict Decide(int frameLength)
    {
        lock (sync)
        {
            bool drop = dropNext > 0 || (dropProbability > 0 && random.NextDouble() < dropProbability);
            if (dropNext > 0)
            {
                dropNext--;
            }

            if (drop)
            {
                return new FrameVerdict(true, -1, 0, false, TimeSpan.Zero);
            }

            int corruptOffset = -1;
            byte corruptMask = 0;
            if (corruptNext.TryDequeue(out var planned))
            {
                corruptOffset = Math.Min(planned.Offset ?? random.Next(frameLength), frameLength - 1);
                corruptMask = planned.Offset is null ? (byte)(1 << random.Next(8)) : planned.Mask;
            }
            else if (corruptProbability > 0 && random.NextDouble() < corruptProbability)
            {
                corruptOffset = random.Next(frameLength);
                corruptMask = (byte)(1 << random.Next(8));
            }

            bool reorder = reorderNext > 0 || (reorderProbability > 0 && random.NextDouble() < reorderProbability);
            if (reorderNext > 0)
            {
                reorderNext--;
            }

            bool cut = cutNext > 0;
            if (cut)
            {
                cutNext--;
            }

            var extra = delay + (jitter > TimeSpan.Zero ? TimeSpan.FromTicks((long)(random.NextDouble() * jitter.Ticks)) : TimeSpan.Zero);
            return new FrameVerdict(false, corruptOffset, corruptMask, reorder, extra, cut);
        }
    }

    private static TimeSpan NotNegative(TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A delay is zero or more.");

    private static double Probability(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A probability is 0–1.");
}
