namespace Gateway.Testing;

/// <summary>
/// The faults of one direction of a <see cref="FaultProxy"/>, changeable while traffic flows:
/// latency with jitter, and per frame a chance (or the next N frames, for deterministic tests)
/// to be dropped, corrupted or swapped with the following frame; and a stall that holds every
/// byte until <see cref="Resume"/>. Order is kept unless a reorder is asked for, as on a TCP link.
/// </summary>
public sealed class LinkFaults
{
    private readonly Lock _sync = new();
    private readonly Random _random;
    private readonly Queue<(int? Offset, byte Mask)> _corruptNext = new();
    private TimeSpan _delay;
    private TimeSpan _jitter;
    private double _dropProbability;
    private double _corruptProbability;
    private double _reorderProbability;
    private int _dropNext;
    private int _reorderNext;
    private int _cutNext;
    private TaskCompletionSource? _stall;

    internal LinkFaults(FaultDirection direction, Random random)
    {
        Direction = direction;
        this._random = random;
    }

    /// <summary>Which way these faults apply.</summary>
    public FaultDirection Direction { get; }

    /// <summary>Fixed latency added to every frame.</summary>
    public TimeSpan Delay
    {
        get { lock (_sync) return _delay; }
        set { lock (_sync) _delay = NotNegative(value); }
    }

    /// <summary>Up to this much more latency, drawn per frame from the proxy's seeded generator.</summary>
    public TimeSpan Jitter
    {
        get { lock (_sync) return _jitter; }
        set { lock (_sync) _jitter = NotNegative(value); }
    }

    /// <summary>Chance (0–1) that a frame is dropped.</summary>
    public double DropProbability
    {
        get { lock (_sync) return _dropProbability; }
        set { lock (_sync) _dropProbability = Probability(value); }
    }

    /// <summary>Chance (0–1) that one random bit of a frame is flipped.</summary>
    public double CorruptProbability
    {
        get { lock (_sync) return _corruptProbability; }
        set { lock (_sync) _corruptProbability = Probability(value); }
    }

    /// <summary>Chance (0–1) that a frame is delivered after the next one.</summary>
    public double ReorderProbability
    {
        get { lock (_sync) return _reorderProbability; }
        set { lock (_sync) _reorderProbability = Probability(value); }
    }

    /// <summary>True while every byte in this direction is held back.</summary>
    public bool IsStalled
    {
        get { lock (_sync) return _stall is not null; }
    }

    /// <summary>Drops the next <paramref name="frames"/> frames.</summary>
    public void DropNext(int frames = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        lock (_sync) _dropNext += frames;
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

        lock (_sync)
        {
            for (int i = 0; i < frames; i++)
            {
                _corruptNext.Enqueue((byteOffset, mask));
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
        lock (_sync) _cutNext += frames;
    }

    /// <summary>Delivers each of the next <paramref name="frames"/> frames after the frame that follows it.</summary>
    public void ReorderNext(int frames = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        lock (_sync) _reorderNext += frames;
    }

    /// <summary>Holds every byte in this direction (nothing is lost) until <see cref="Resume"/>.</summary>
    public void Stall()
    {
        lock (_sync) _stall ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Delivers what a stall held, and lets traffic flow again.</summary>
    public void Resume()
    {
        TaskCompletionSource? released;
        lock (_sync)
        {
            released = _stall;
            _stall = null;
        }

        released?.TrySetResult();
    }

    /// <summary>Switches every fault of this direction off and resumes it.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _delay = _jitter = TimeSpan.Zero;
            _dropProbability = _corruptProbability = _reorderProbability = 0;
            _dropNext = _reorderNext = _cutNext = 0;
            _corruptNext.Clear();
        }

        Resume();
    }

    /// <summary>Completes when this direction is not stalled.</summary>
    internal Task WhenFlowing()
    {
        lock (_sync) return _stall?.Task ?? Task.CompletedTask;
    }

    internal FrameVerdict Decide(int frameLength)
    {
        lock (_sync)
        {
            bool drop = _dropNext > 0 || (_dropProbability > 0 && _random.NextDouble() < _dropProbability);
            if (_dropNext > 0)
            {
                _dropNext--;
            }

            if (drop)
            {
                return new FrameVerdict(true, -1, 0, false, TimeSpan.Zero);
            }

            int corruptOffset = -1;
            byte corruptMask = 0;
            if (_corruptNext.TryDequeue(out var planned))
            {
                corruptOffset = Math.Min(planned.Offset ?? _random.Next(frameLength), frameLength - 1);
                corruptMask = planned.Offset is null ? (byte)(1 << _random.Next(8)) : planned.Mask;
            }
            else if (_corruptProbability > 0 && _random.NextDouble() < _corruptProbability)
            {
                corruptOffset = _random.Next(frameLength);
                corruptMask = (byte)(1 << _random.Next(8));
            }

            bool reorder = _reorderNext > 0 || (_reorderProbability > 0 && _random.NextDouble() < _reorderProbability);
            if (_reorderNext > 0)
            {
                _reorderNext--;
            }

            bool cut = _cutNext > 0;
            if (cut)
            {
                _cutNext--;
            }

            var extra = _delay + (_jitter > TimeSpan.Zero ? TimeSpan.FromTicks((long)(_random.NextDouble() * _jitter.Ticks)) : TimeSpan.Zero);
            return new FrameVerdict(false, corruptOffset, corruptMask, reorder, extra, cut);
        }
    }

    private static TimeSpan NotNegative(TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A delay is zero or more.");

    private static double Probability(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A probability is 0–1.");
}
