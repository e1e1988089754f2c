using BenchmarkDotNet.Running;
using Gateway.Bench;

// `scale [SIZES…] [--seeds N] [--lp-nucleolus-limit N] [--assignment-limit N] [--figure FILE.svg] [--nucleolus-only]`: the market core phase by
// phase beside OR-Tools: min-cost flow, linear-sum assignment, GLOP (default sizes 15+5, 70+70, 100+100, 1000+1000 and the tied thousand-unit 1000+1000t;
// 10 seeds each; the LP nucleolus reference up to 140 participants, the OR-Tools assignment up to 400); anything else goes to
// BenchmarkDotNet.
if (args is ["scale", ..])
{
    var sizes = new List<MarketScaleBench.Size>();
    int lpLimit = 140, assignmentLimit = 400, seeds = 10;
    string? figure = null;
    var nucleolusOnly = false;
    for (var i = 1; i < args.Length; i++)
    {
        try
        {
            if (args[i] == "--lp-nucleolus-limit" && i + 1 < args.Length) lpLimit = int.Parse(args[++i]);
            else if (args[i] == "--assignment-limit" && i + 1 < args.Length) assignmentLimit = int.Parse(args[++i]);
            else if (args[i] == "--seeds" && i + 1 < args.Length) seeds = Math.Max(1, int.Parse(args[++i]));
            else if (args[i] == "--figure" && i + 1 < args.Length) figure = args[++i];
            else if (args[i] == "--nucleolus-only") nucleolusOnly = true;
            else sizes.Add(MarketScaleBench.Size.Parse(args[i]));
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"scale: {e.Message} (options: --seeds N, --lp-nucleolus-limit N, --assignment-limit N, --figure FILE.svg, --nucleolus-only)");
            return 2;
        }
    }

    if (sizes.Count == 0) sizes = new[] { "15+5", "70+70", "100+100", "1000+1000", "1000+1000t" }.Select(MarketScaleBench.Size.Parse).ToList();
    return MarketScaleBench.Run(sizes, seeds, lpLimit, assignmentLimit, figure, nucleolusOnly);
}

// `chart TABLE.md --figure FILE.svg`: the scale bench's figure from the table it printed (a long run cut short on a loaded
// machine still leaves its rows on stderr; rows measured in separate runs can be drawn together).
if (args is ["chart", var tablePath, "--figure", var chartPath])
{
    try
    {
        return MarketScaleBench.Chart(File.ReadAllLines(tablePath), chartPath);
    }
    catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"chart: {e.Message}");
        return 2;
    }
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
