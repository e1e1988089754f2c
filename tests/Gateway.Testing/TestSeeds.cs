using System.Globalization;

namespace Gateway.Testing;

/// <summary>Seeds for random tests: fresh on every run, and replayable.</summary>
public static class TestSeeds
{
    /// <summary>The environment variable that pins the fresh seed, to replay a failure: <c>GATEWAY_TEST_SEED=123 dotnet test …</c>.</summary>
    public const string Variable = "GATEWAY_TEST_SEED";

    /// <summary>
    /// The seed named by <see cref="Variable"/> when it is set, otherwise a new one. The tests print it (in their
    /// output or their assertion messages), so a failure names the seed that replays it.
    /// </summary>
    public static int Fresh()
    {
        var pinned = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(pinned)) return Environment.TickCount;
        return int.TryParse(pinned, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new FormatException($"{Variable}='{pinned}' is not a whole number");
    }
}
