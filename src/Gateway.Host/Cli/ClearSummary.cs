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
                t.Status == TradeStatus.Executed ? "executed"
                : t.OverloadKw is { } o ? $"failed ({t.FailedLineId} {(o > 0 ? "+" : "−")}{F(Math.Abs(o))} kW)" : $"failed ({t.FailedLineId})", smes);
        }

        if (d.Trades.Count > 0) console.Write(table);
        else console.WriteLine($"round {d.RoundId}: no trade ({d.BuyerIds.Count} buyers, {d.SellerIds.Count} sellers)");
        foreach (var t in d.Trades.Where(t => t.Status == TradeStatus.Failed))
            console.WriteLine($"{t.BuyerId}–{t.SellerId} failed: {Gateway.Market.Contracts.DecisionJson.FailureReason(d, t)}");
        if (d.Execution is { } x && x.Rule == Gateway.Market.Model.ExecutionRule.MaximumWelfare && d.Kpis.FailedTrades > 0)
            console.WriteLine(x.ProvenOptimal
                ? $"execution: the executed trades carry the most weight the feeder allows ({F(x.ExecutedWeight)}, proven optimal, {x.Nodes} nodes)"
                : $"execution: {F(x.ExecutedWeight)} executed of at most {F(x.UpperBoundWeight)} (search stopped after {x.Nodes} nodes)");
        var k = d.Kpis;
        console.WriteLine($"matched {k.MatchedTrades}, executed {k.ExecutedTrades}, failed {k.FailedTrades}; " +
            $"success rate {k.TransactionSuccessRate:P1}, renewable consumption {k.RenewableConsumptionRate:P1}, welfare {F(k.TotalWelfare)}");
        foreach (var w in d.Warnings) console.WriteLine("warning: " + w);
    }

    private static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}
