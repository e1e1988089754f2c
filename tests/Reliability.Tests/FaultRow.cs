using System.Text.Json;
using Xunit.Abstractions;

namespace Gateway.Reliability.Tests;

/// <summary>
/// One row of the fault table (docs/reliability.md): what a fault did, counted from the journal, the ledger and
/// the simulators' write log. Each test asserts the zero columns and appends its row to
/// <c>$RELIABILITY_RESULTS/&lt;fault&gt;.json</c> when that variable names a folder (scripts/reliability.sh).
/// </summary>
internal sealed record FaultRow
{
    public required string Fault { get; init; }
    public required string Injected { get; init; }
    public int Seed { get; init; }
    public int Rounds { get; init; }
    public int RoundsAffected { get; init; }
    /// <summary>Intervals that began while the fault was on (from its wall duration and the rig's time scale).</summary>
    public int IntervalsUnderFault { get; init; }
    /// <summary>Rounds the fault left open at the clean stop (resumed by the next start before the audit).</summary>
    public int OpenAfterStop { get; init; }
    public int SetpointsWritten { get; init; }
    public int SetpointsLost { get; init; }
    public int SetpointsDoubled { get; init; }
    public int SameValueResent { get; init; }
    public int OverLimit { get; init; }
    public int Settlements { get; init; }
    public int SettlementsLost { get; init; }
    public int SettlementsDoubled { get; init; }
    public double? RecoverySeconds { get; init; }
    public string? RecoveryNote { get; init; }
    public bool LedgerVerified { get; init; }
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Writes the row for the doc script, and prints it for the test log.</summary>
    public void Publish(ITestOutputHelper output)
    {
        var json = JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = false });
        output.WriteLine(json);
        if (Environment.GetEnvironmentVariable("RELIABILITY_RESULTS") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, Fault + ".json"), json + "\n");
        }
    }

    /// <summary>The assertions every row must pass: nothing lost, doubled or over a limit, the ledger intact.</summary>
    public void AssertSafe()
    {
        var detail = string.Join("; ", Problems);
        Assert.True(SetpointsLost == 0, $"{Fault}: {SetpointsLost} setpoint(s) lost: {detail}");
        Assert.True(SetpointsDoubled == 0, $"{Fault}: {SetpointsDoubled} setpoint(s) doubled: {detail}");
        Assert.True(OverLimit == 0, $"{Fault}: {OverLimit} setpoint(s) or line flow(s) over a limit: {detail}");
        Assert.True(SettlementsLost == 0, $"{Fault}: {SettlementsLost} settlement(s) lost: {detail}");
        Assert.True(SettlementsDoubled == 0, $"{Fault}: {SettlementsDoubled} settlement(s) doubled: {detail}");
        Assert.True(LedgerVerified, $"{Fault}: gateway ledger verify failed: {detail}");
        Assert.True(SetpointsWritten > 0, $"{Fault}: the devices received no setpoint at all");
    }
}
