using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Market.Decision;

namespace Gateway.Market.Contracts;

/// <summary>
/// Writes a <see cref="RoundDecision"/> as JSON. The first keys (<c>buyers</c>, <c>sellers</c>, <c>edges</c>,
/// <c>matches</c>, <c>payoffs</c>) are the plain assignment-game view any independent tool can re-check; the rest carry
/// the trades, failures, SMES actions, prices, settlements, line flows and KPIs.
/// </summary>
public static class DecisionJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Serialises the decision (indented, numbers rounded to 9 significant decimals).</summary>
    public static string Serialize(RoundDecision d) => ToJson(d).ToJsonString(Indented);

    /// <summary>
    /// The decision as a journal keeps it: compact, and without the candidate pairs (<c>edges</c>). Those are a function
    /// of the round's input, journaled beside it, and at a thousand buyers and a thousand sellers they number ~700,000:
    /// tens of megabytes a round, which cost seconds to write and read back in every round.
    /// </summary>
    public static string SerializeForJournal(RoundDecision d) => Build(d, withCandidates: false).ToJsonString();

    /// <summary>The decision as a JSON tree.</summary>
    public static JsonObject ToJson(RoundDecision d) => Build(d, withCandidates: true);

    private static JsonObject Build(RoundDecision d, bool withCandidates)
    {
        var payoffs = new JsonObject();
        foreach (var (id, x) in d.Payoffs) payoffs[id] = R(x);
        var realized = new JsonObject();
        foreach (var (id, x) in d.RealizedIncome) realized[id] = R(x);

        var root = new JsonObject
        {
            ["roundId"] = d.RoundId,
            ["buyers"] = new JsonArray(d.BuyerIds.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()),
            ["sellers"] = new JsonArray(d.SellerIds.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["edges"] = withCandidates ? new JsonArray(d.Candidates.Select(c => (JsonNode?)new JsonObject
            {
                ["buyer"] = c.BuyerId, ["seller"] = c.SellerId, ["weight"] = R(c.Weight), ["energyKwh"] = R(c.EnergyKwh),
            }).ToArray()) : null,
            ["matches"] = new JsonArray(d.Trades.Select(t => (JsonNode?)new JsonObject { ["buyer"] = t.BuyerId, ["seller"] = t.SellerId }).ToArray()),
            ["payoffs"] = payoffs,
            ["trades"] = new JsonArray(d.Trades.Select(t => (JsonNode?)new JsonObject
            {
                ["buyer"] = t.BuyerId, ["seller"] = t.SellerId, ["energyKwh"] = R(t.EnergyKwh), ["weight"] = R(t.Weight),
                ["pricePerKwh"] = R(t.PricePerKwh), ["buyerPayoff"] = R(t.BuyerPayoff), ["sellerPayoff"] = R(t.SellerPayoff),
                ["status"] = t.Status == TradeStatus.Executed ? "executed" : "failed", ["failedLine"] = t.FailedLineId,
                ["overloadKw"] = t.OverloadKw is { } o ? R(o) : null,
                ["cancelledBecause"] = t.CancelledBecause,
            }).ToArray()),
            ["failedTrades"] = new JsonArray(d.Trades.Where(t => t.Status == TradeStatus.Failed).Select(t => (JsonNode?)new JsonObject
            {
                ["buyer"] = t.BuyerId, ["seller"] = t.SellerId, ["energyKwh"] = R(t.EnergyKwh), ["line"] = t.FailedLineId,
                ["overloadKw"] = t.OverloadKw is { } o ? R(o) : null,
                ["reason"] = FailureReason(d, t),
            }).ToArray()),
            ["prices"] = new JsonArray(d.Trades.Select(t => (JsonNode?)new JsonObject
            {
                ["buyer"] = t.BuyerId, ["seller"] = t.SellerId, ["pricePerKwh"] = R(t.PricePerKwh),
            }).ToArray()),
            ["smesActions"] = new JsonArray(d.SmesActions.Select(a => (JsonNode?)new JsonObject
            {
                ["counterparty"] = a.CounterpartyId, ["direction"] = a.Direction == SmesDirection.Discharge ? "discharge" : "charge",
                ["energyKwh"] = R(a.EnergyKwh), ["requestedKwh"] = R(a.RequestedKwh), ["pricePerKwh"] = R(a.PricePerKwh),
                ["buyer"] = a.BuyerId, ["seller"] = a.SellerId, ["limitedBy"] = a.LimitedBy,
            }).ToArray()),
            ["smes"] = d.Smes is { } s ? new JsonObject
            {
                ["id"] = s.SmesId, ["dischargedKwh"] = R(s.DischargedKwh), ["chargedKwh"] = R(s.ChargedKwh), ["netPowerKw"] = R(s.NetPowerKw),
                ["storedEnergyBeforeKwh"] = R(s.StoredEnergyBeforeKwh), ["storedEnergyAfterKwh"] = R(s.StoredEnergyAfterKwh),
                ["currentAfterA"] = R(s.CurrentAfterA), ["revenue"] = R(s.Revenue),
            } : null,
            ["realizedIncome"] = realized,
            ["settlements"] = new JsonArray(d.Settlements.Select(x => (JsonNode?)new JsonObject
            {
                ["payer"] = x.PayerId, ["payee"] = x.PayeeId, ["energyKwh"] = R(x.EnergyKwh), ["pricePerKwh"] = R(x.PricePerKwh), ["amount"] = R(x.Amount),
            }).ToArray()),
            ["lineFlows"] = new JsonArray(d.LineFlows.Select(l => (JsonNode?)new JsonObject
            {
                ["line"] = l.LineId, ["flowKw"] = R(l.FlowKw), ["limitKw"] = R(l.LimitKw), ["baseFlowKw"] = R(l.BaseFlowKw),
                ["marketFlowKw"] = R(l.MarketFlowKw),
            }).ToArray()),
            ["feedIn"] = new JsonArray(d.FeedIn.Select(f => (JsonNode?)new JsonObject
            {
                ["participant"] = f.ParticipantId, ["soldKw"] = R(f.SoldKw), ["feedInKw"] = R(f.FeedInKw), ["capKw"] = R(f.CapKw), ["limitedBy"] = f.LimitedBy,
            }).ToArray()),
            ["execution"] = d.Execution is { } ex ? new JsonObject
            {
                ["rule"] = MarketRuleNames.NameOf(MarketRuleNames.Execution, ex.Rule), ["executedWeight"] = R(ex.ExecutedWeight),
                ["upperBoundWeight"] = R(ex.UpperBoundWeight), ["provenOptimal"] = ex.ProvenOptimal, ["nodes"] = ex.Nodes,
            } : null,
            ["rules"] = JsonSerializer.SerializeToNode(RoundJson.ToDocument(d.Rules), RoundJson.Options),
            ["kpis"] = new JsonObject
            {
                ["matchedTrades"] = d.Kpis.MatchedTrades, ["executedTrades"] = d.Kpis.ExecutedTrades, ["failedTrades"] = d.Kpis.FailedTrades,
                ["transactionSuccessRate"] = R(d.Kpis.TransactionSuccessRate), ["renewableOfferedKwh"] = R(d.Kpis.RenewableOfferedKwh),
                ["renewableConsumedKwh"] = R(d.Kpis.RenewableConsumedKwh), ["renewableConsumptionRate"] = R(d.Kpis.RenewableConsumptionRate),
                ["totalWelfare"] = R(d.Kpis.TotalWelfare),
            },
            ["warnings"] = new JsonArray(d.Warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
        };
        if (!withCandidates) root.Remove("edges");
        return root;
    }

    /// <summary>One sentence saying why a failed trade failed: which line, by how much.</summary>
    public static string FailureReason(RoundDecision d, Trade t)
    {
        if (t.CancelledBecause is { } why) return why;
        var line = d.LineFlows.FirstOrDefault(l => l.LineId == t.FailedLineId);
        if (t.OverloadKw is not { } over || line is null) return $"line {t.FailedLineId} would exceed its limit";
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return over > 0
            ? string.Format(inv, "with it, line {0} would carry {1:0.###} kW over its {2:0.###} kW limit, on top of the executed trades and base load",
                t.FailedLineId, over, line.LimitKw)
            : string.Format(inv, "failed on line {0} by the greedy rule, though with it the line would still be {1:0.###} kW below its {2:0.###} kW limit (over-curtailed)",
                t.FailedLineId, -over, line.LimitKw);
    }

    // Nine decimals hide LP round-off (1e-12) without losing anything a kWh or a fen cares about.
    private static double R(double x) => Math.Round(x, 9) is var r && r == 0 ? 0 : Math.Round(x, 9);
}
