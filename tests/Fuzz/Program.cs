using System.Globalization;
using System.Security.Cryptography;
using Gateway.Fuzz;

// scripts/fuzz.sh runs this: fuzz each target (or one) for a while, print what was found, save each crash.
// Usage: Gateway.Fuzz [TARGET|all] [--seconds N] [--seed S] [--crashes DIR]
string which = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
double seconds = 60;
int? seed = null;
string crashDir = Path.Combine(Environment.CurrentDirectory, "artifacts", "fuzz");
for (int i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--crashes": crashDir = args[i + 1]; break;
    }
}

var targets = which == "all" ? FuzzTargets.All : FuzzTargets.Find(which) is { } one ? [one] : [];
if (targets.Count == 0)
{
    Console.Error.WriteLine($"fuzz: unknown target '{which}'; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}

Console.WriteLine("| target | seed | inputs | inputs/s | corpus | outcomes | crashes |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
int crashes = 0;
foreach (var target in targets)
{
    int runSeed = seed ?? Random.Shared.Next();
    var corpus = FuzzEngine.LoadFolder("corpus", target.Name).Select(f => f.Bytes).ToList();
    var report = FuzzEngine.Run(target, corpus, runSeed, TimeSpan.FromSeconds(seconds));
    Console.WriteLine($"| {target.Name} | {runSeed} | {report.Iterations:N0} | {report.Iterations / seconds:N0} | {report.CorpusSize} | {report.Outcomes} | {report.Crashes.Count} |");
    foreach (var crash in report.Crashes)
    {
        crashes++;
        string folder = Path.Combine(crashDir, target.Name);
        Directory.CreateDirectory(folder);
        string name = Convert.ToHexString(SHA256.HashData(crash.Input))[..16].ToLowerInvariant();
        File.WriteAllBytes(Path.Combine(folder, name), crash.Input);
        File.WriteAllText(Path.Combine(folder, name + ".txt"), crash.Error);
        Console.Error.WriteLine($"crash in {target.Name}: {crash.Signature} — input saved as {Path.Combine(folder, name)}");
    }
}

return crashes == 0 ? 0 : 1;
