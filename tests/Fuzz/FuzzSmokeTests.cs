namespace Gateway.Fuzz;

/// <summary>
/// The bounded fuzz run of CI: every target for one second from its corpus, with a fixed seed and a
/// fresh one (printed in the failure, with the crashing input in hex). scripts/fuzz.sh runs longer.
/// </summary>
public sealed class FuzzSmokeTests
{
    private const int FixedSeed = 20261203;

    public static TheoryData<string, int> Runs()
    {
        var runs = new TheoryData<string, int>();
        int fresh = Random.Shared.Next();
        foreach (var target in FuzzTargets.All)
        {
            runs.Add(target.Name, FixedSeed);
            runs.Add(target.Name, fresh);
        }

        return runs;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Target_survives_a_second_of_mutated_inputs(string name, int seed)
    {
        var target = FuzzTargets.Find(name)!;
        var corpus = FuzzEngine.LoadFolder("corpus", name).Select(f => f.Bytes).ToList();
        Assert.NotEmpty(corpus);
        var report = FuzzEngine.Run(target, corpus, seed, TimeSpan.FromSeconds(1));
        Assert.True(report.Crashes.Count == 0, string.Join("\n\n", report.Crashes.Select(c =>
            $"{name}, seed {seed}: {c.Signature}\ninput (hex): {Convert.ToHexString(c.Input)}\n{c.Error}")));
        Assert.True(report.Iterations > corpus.Count, $"{name}: only {report.Iterations} inputs in a second");
    }
}
