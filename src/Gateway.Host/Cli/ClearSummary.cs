using System.Globalization;
using Gateway.Market.Decision;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>The human summary of a cleared round: one row per trade, then the KPIs.</summary>
internal static class ClearSummary
{
    public static void Write(RoundDecision d, TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        var table = new Table().Title($"round {d.RoundId}");
        foreach (var h in new[] { "buyer", "seller", "kWh", "price/kWh", "status", "SMES" }) table.AddColumn(h);
        foreach (var t in d.Trades)
        {
            var smes = string.Join(", ", d.SmesActions
                .Where(a => a.BuyerId == t.BuyerId && a.SellerId == t.SellerId && a.EnergyKwh > 0)
                .Select(a => $"{a.Direction.ToString().ToLowerInvariant()} {F(a.EnergyKwh)}"));
            table.AddRow(t.BuyerId, t.SellerId, F(t.EnergyKwh), F(t.PricePerKwh),
                t.Status == TradeStatus.Executed ? "executed" : $"failed ({t.FailedLineId})", smes);
        }

        console.Write(table);
        var k = d.Kpis;
        console.WriteLine($"matched {k.MatchedTrades}, executed {k.ExecutedTrades}, failed {k.FailedTrades}; " +
            $"success rate {k.TransactionSuccessRate:P1}, renewable consumption {k.RenewableConsumptionRate:P1}, welfare {F(k.TotalWelfare)}");
        foreach (var w in d.Warnings) console.WriteLine("warning: " + w);
    }

    private static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}
