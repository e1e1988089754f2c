using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gateway.Fuzz;

/// <summary>
/// Seeded mutation fuzzing of one <see cref="FuzzTarget"/>: starts from its corpus, mutates a
/// random entry per step, and keeps every input that produced an outcome not seen before (a
/// new documented error, or acceptance) as a parent for later steps — a cheap stand-in for
/// coverage that steers towards the parser's different branches. Undocumented exceptions and
/// inputs that take longer than <see cref="SlowInput"/> are crashes.
/// </summary>
internal static partial class FuzzEngine
{
    /// <summary>An input that takes this long counts as a hang.</summary>
    public static readonly TimeSpan SlowInput = TimeSpan.FromSeconds(5);

    private const int MaxCorpus = 4000;

    public static FuzzReport Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, int seed, TimeSpan budget, long maxIterations = long.MaxValue)
    {
        var random = new Random(seed);
        var mutator = new Mutator(random);
        var corpus = new List<byte[]>(seeds.Count > 0 ? seeds : [[]]);
        var outcomes = new HashSet<string>();
        var crashes = new Dictionary<string, FuzzCrash>();
        long iterations = 0;
        foreach (var input in corpus.ToList())
        {
            Execute(target, input, outcomes, crashes);
            iterations++;
        }

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < budget && iterations < maxIterations)
        {
            var child = mutator.Mutate(corpus[random.Next(corpus.Count)], corpus, target.IsText);
            if (Execute(target, child, outcomes, crashes) && corpus.Count < MaxCorpus)
            {
                corpus.Add(child);
            }

            iterations++;
        }

        return new FuzzReport(target.Name, seed, iterations, corpus.Count, outcomes.Count, [.. crashes.Values]);
    }

    /// <summary>Feeds one input; true when its outcome is new.</summary>
    public static bool Execute(FuzzTarget target, byte[] input, HashSet<string> outcomes, Dictionary<string, FuzzCrash> crashes)
    {
        string outcome;
        var watch = Stopwatch.StartNew();
        try
        {
            target.Run(input);
            outcome = "accepted";
        }
        catch (Exception e) when (target.IsDocumented(e))
        {
            outcome = e.GetType().Name + ": " + Normalise(e.Message);
        }
        catch (Exception e)
        {
            string signature = $"{e.GetType().Name} in {e.TargetSite?.DeclaringType?.Name}.{e.TargetSite?.Name}";
            crashes.TryAdd(signature, new FuzzCrash(target.Name, input, e.ToString(), signature));
            outcome = "crash " + signature;
        }

        if (watch.Elapsed > SlowInput)
        {
            string signature = $"slow input ({watch.Elapsed.TotalSeconds:0.0} s)";
            crashes.TryAdd("slow", new FuzzCrash(target.Name, input, signature, signature));
        }

        return outcomes.Add(outcome);
    }

    /// <summary>Replays one input: null when it passes, else the crash.</summary>
    public static FuzzCrash? Replay(FuzzTarget target, byte[] input)
    {
        var crashes = new Dictionary<string, FuzzCrash>();
        Execute(target, input, [], crashes);
        return crashes.Values.FirstOrDefault();
    }

    /// <summary>Loads the files of a folder (corpus/TARGET or regressions/TARGET next to the binary), in name order.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> LoadFolder(string kind, string target)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, kind, target);
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList()
            : [];
    }

    // Messages differ by numbers (positions, values); the kind of problem is what tells outcomes apart.
    private static string Normalise(string message) => Digits().Replace(message.Length > 48 ? message[..48] : message, "#");

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
