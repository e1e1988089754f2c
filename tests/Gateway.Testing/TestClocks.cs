using Microsoft.Extensions.Time.Testing;

namespace Gateway.Testing;

/// <summary>Where the fake clocks of the tests start, unless a test needs a particular instant.</summary>
public static class TestClocks
{
    /// <summary>2026-01-01T00:00Z: a fixed instant, so file names, journal keys and ledger timestamps are the same on every run.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A fake clock at <see cref="Start"/> (or <paramref name="at"/>) that moves only when the test advances it.</summary>
    public static FakeTimeProvider New(DateTimeOffset? at = null) => new(at ?? Start);
}

/// <summary>Driving a <see cref="FakeTimeProvider"/> the way real time passes.</summary>
public static class FakeTimeProviderExtensions
{
    /// <summary>
    /// Advance by <paramref name="by"/> in steps of <paramref name="step"/>. <see cref="FakeTimeProvider.Advance"/> fires every
    /// timer that falls due with the clock already at the end of the jump; a sampler that measures how long a state has held
    /// (a debounce, a watchdog) needs to see the instants in between, as it would on real time.
    /// </summary>
    public static void AdvanceInSteps(this FakeTimeProvider clock, TimeSpan by, TimeSpan step)
    {
        if (step <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(step), "a step moves time forward");
        for (var left = by; left > TimeSpan.Zero; left -= step) clock.Advance(left < step ? left : step);
    }
}
