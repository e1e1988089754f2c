using Gateway.Market.Decision;
using Gateway.Market.Grid;
using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Pricing;
using Gateway.Market.Storage;
using Gateway.Market.Validation;

namespace Gateway.Market;

/// <summary>
/// Clears one market round: weights (eqs. 1–5), exact b-matching (eqs. 5–8), nucleolus pricing (eqs. 9–11), safety check
/// on the radial feeder, SMES fallback, settlements and KPIs. Pure: no I/O, no clock; the same round gives the same
/// decision (participants are processed in ordinal id order).
/// </summary>
public sealed class MarketCore
{
    /// <summary>Clears <paramref name="round"/>; throws <see cref="RoundValidationException"/> when it is invalid.</summary>
    public RoundDecision Clear(MarketRound round)
    {
        RoundValidator.ThrowIfInvalid(round);
        var graph = CandidateGraph.Build(round);
        var (buyers, sellers, candidates, edges) = (graph.Buyers, graph.Sellers, graph.Candidates, graph.Edges);
        var matched = graph.Match();
        var split = AssignmentNucleolus.Compute(graph.Game(matched)).BuyerShares;

        // Prices follow from the buyer's share: x_b = (v − p)·q − F_b.
        var trades = new List<(Quotation Buyer, Quotation Seller, CandidatePair Pair, double BuyerPayoff, double Price)>();
        for (var t = 0; t < matched.Length; t++)
        {
            var pair = candidates[matched[t]];
            var b = buyers[edges[matched[t]].Buyer];
            var s = sellers[edges[matched[t]].Seller];
            var xb = Math.Clamp(split[t], 0, pair.Weight);
            // Q is kept on a 10⁻⁶ grid for the exact matching; a share at an end of [0, Q] would carry that rounding, divided
            // by q, into the price, so the price is held to [c, v] where it belongs.
            var value = BenefitModel.BuyerValuePerKwh(b, round);
            var price = Math.Clamp(value - (xb + BenefitModel.FixedCostPerTrade(b, round)) / pair.EnergyKwh, Math.Min(BenefitModel.SellerCostPerKwh(s, round), value), value);
            trades.Add((b, s, pair, xb, price));
        }

        var topology = new FeederTopology(round.Feeder);
        var flowsIn = trades.Select(t => new TradeFlow(t.Buyer.Id, t.Seller.Id, t.Buyer.NodeId, t.Seller.NodeId, t.Pair.EnergyKwh / round.IntervalHours, t.Pair.Weight)).ToArray();
        var safety = SafetyCheck.Run(topology, flowsIn);
        var flows = safety.FlowsKw;

        var decidedTrades = trades.Select((t, k) => new Trade(
            t.Buyer.Id, t.Seller.Id, t.Pair.EnergyKwh, t.Pair.Weight, t.Price, t.BuyerPayoff, t.Pair.Weight - t.BuyerPayoff,
            safety.FailedLineIds[k] is null ? TradeStatus.Executed : TradeStatus.Failed, safety.FailedLineIds[k])).ToList();

        var actions = new List<SmesAction>();
        SmesOutcome? smesOutcome = null;
        if (round.Smes is { } smes)
        {
            var requests = new List<SmesRequest>();
            var failedOrder = decidedTrades.Select((t, k) => (t, k)).Where(p => p.t.Status == TradeStatus.Failed)
                .OrderByDescending(p => p.t.Weight).ThenBy(p => p.t.BuyerId, StringComparer.Ordinal).ThenBy(p => p.t.SellerId, StringComparer.Ordinal);
            foreach (var (t, k) in failedOrder)
            {
                requests.Add(new SmesRequest(t.BuyerId, trades[k].Buyer.NodeId, SmesDirection.Discharge, t.EnergyKwh, t.PricePerKwh, t.BuyerId, t.SellerId));
                requests.Add(new SmesRequest(t.SellerId, trades[k].Seller.NodeId, SmesDirection.Charge, t.EnergyKwh, t.PricePerKwh, t.BuyerId, t.SellerId));
            }

            (actions, smesOutcome) = SmesFallback.Run(smes, topology, round.IntervalHours, flows, requests);
        }

        return Assemble(round, buyers, sellers, candidates, decidedTrades, actions, smesOutcome, topology, flows, safety);
    }

    private static RoundDecision Assemble(
        MarketRound round, IReadOnlyList<Quotation> buyers, IReadOnlyList<Quotation> sellers, IReadOnlyList<CandidatePair> candidates, List<Trade> trades,
        List<SmesAction> actions, SmesOutcome? smes, FeederTopology topology, double[] flows, SafetyCheckResult safety)
    {
        var payoffs = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var realized = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in round.Participants)
        {
            payoffs[p.Id] = 0;
            realized[p.Id] = 0;
        }

        var settlements = new List<Settlement>();
        foreach (var t in trades)
        {
            payoffs[t.BuyerId] += t.BuyerPayoff;
            payoffs[t.SellerId] += t.SellerPayoff;
            if (t.Status != TradeStatus.Executed) continue;
            realized[t.BuyerId] += t.BuyerPayoff;
            realized[t.SellerId] += t.SellerPayoff;
            settlements.Add(new Settlement(t.BuyerId, t.SellerId, t.EnergyKwh, t.PricePerKwh, t.EnergyKwh * t.PricePerKwh));
        }

        var tradeByPair = trades.ToDictionary(t => (t.BuyerId, t.SellerId));
        var rescuedKwh = 0.0;
        var pvIds = round.Participants.Where(p => p.Kind == ParticipantKind.Pv).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var pvConsumed = trades.Where(t => t.Status == TradeStatus.Executed && pvIds.Contains(t.SellerId)).Sum(t => t.EnergyKwh);
        foreach (var a in actions)
        {
            if (a.EnergyKwh <= 0) continue;
            var t = tradeByPair[(a.BuyerId, a.SellerId)];
            var fraction = a.EnergyKwh / t.EnergyKwh;
            rescuedKwh += a.EnergyKwh / 2;
            if (a.Direction == SmesDirection.Discharge)
            {
                realized[a.CounterpartyId] += t.BuyerPayoff * fraction;
                settlements.Add(new Settlement(a.CounterpartyId, smes!.SmesId, a.EnergyKwh, a.PricePerKwh, a.EnergyKwh * a.PricePerKwh));
            }
            else
            {
                realized[a.CounterpartyId] += t.SellerPayoff * fraction;
                if (pvIds.Contains(a.CounterpartyId)) pvConsumed += a.EnergyKwh;
                settlements.Add(new Settlement(smes!.SmesId, a.CounterpartyId, a.EnergyKwh, a.PricePerKwh, a.EnergyKwh * a.PricePerKwh));
            }
        }

        var matchedKwh = trades.Sum(t => t.EnergyKwh);
        var executedKwh = trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.EnergyKwh);
        var pvOffered = round.Participants.Where(p => p.Kind == ParticipantKind.Pv).Sum(p => p.EnergyKwh);
        var executed = trades.Count(t => t.Status == TradeStatus.Executed);
        var kpis = new RoundKpis(
            trades.Count,
            executed,
            trades.Count - executed,
            matchedKwh > 0 ? (executedKwh + rescuedKwh) / matchedKwh : 0,
            pvOffered,
            pvConsumed,
            pvOffered > 0 ? pvConsumed / pvOffered : 0,
            realized.Values.Sum() + (smes?.Revenue ?? 0));

        var lines = topology.Feeder.Lines;
        var lineFlows = lines.Select((l, k) => new LineFlow(l.Id, flows[k], l.LimitKw, safety.BaseFlowsKw[k])).ToList();
        return new RoundDecision(
            round.RoundId, buyers.Select(b => b.Id).ToList(), sellers.Select(s => s.Id).ToList(), candidates, trades, actions, smes,
            payoffs, realized, settlements, lineFlows, kpis, safety.Warnings);
    }
}
