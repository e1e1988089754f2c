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
