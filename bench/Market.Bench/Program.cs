using BenchmarkDotNet.Running;
using Gateway.Bench;

// `scale [SIZES…] [--lp-nucleolus-limit N] [--figure FILE.svg]`: the market core phase by phase beside COIN-OR (default sizes 15+5,
// 70+70, 100+100, 1000+1000; the LP nucleolus reference up to 140 participants, it takes a minute there and grows ~k^3.5);
// anything else goes to BenchmarkDotNet.
if (args is ["scale", ..])
{
    var sizes = new List<(int, int)>();
    var lpLimit = 140;
    string? figure = null;
    for (var i = 1; i < args.Length; i++)
    {
        if (args[i] == "--lp-nucleolus-limit" && i + 1 < args.Length) lpLimit = int.Parse(args[++i]);
        else if (args[i] == "--figure" && i + 1 < args.Length) figure = args[++i];
        else if (args[i].Split('+') is [var b, var s] && int.TryParse(b, out var nb) && int.TryParse(s, out var ns)) sizes.Add((nb, ns));
        else { Console.Error.WriteLine($"scale: '{args[i]}' is not BUYERS+SELLERS, --lp-nucleolus-limit N or --figure FILE.svg"); return 2; }
    }

    return MarketScaleBench.Run(sizes.Count > 0 ? sizes : [(15, 5), (70, 70), (100, 100), (1000, 1000)], lpLimit, figure);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
