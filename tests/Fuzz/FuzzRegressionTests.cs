namespace Gateway.Fuzz;

/// <summary>
/// Every input a fuzzer ever crashed a parser with (regressions/TARGET/*, each named after what it
/// found) and every corpus entry is replayed: none may crash again.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string, string, string> Inputs()
    {
        var inputs = new TheoryData<string, string, string>();
        foreach (var target in FuzzTargets.All)
        {
            foreach (var kind in new[] { "regressions", "corpus" })
            {
                foreach (var (file, _) in FuzzEngine.LoadFolder(kind, target.Name))
                {
                    inputs.Add(target.Name, kind, file);
                }
            }
        }

        return inputs;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_is_handled_without_a_crash(string target, string kind, string file)
    {
        var input = FuzzEngine.LoadFolder(kind, target).Single(f => f.Name == file).Bytes;
        var crash = FuzzEngine.Replay(FuzzTargets.Find(target)!, input);
        Assert.True(crash is null, $"{target}/{file}: {crash?.Error}");
    }
}
