using Gateway.Market.Decision;
using Gateway.Market.Grid;
using Gateway.Market.Matching;
using Gateway.Market.Model;
using Gateway.Market.Pricing;
using Gateway.Market.Storage;
using Gateway.Market.Validation;

namespace Gateway.Market;

/// <summary>
/// Clears one market round: weights (eqs. 2–5), exact b-matching (eqs. 5–8), nucleolus pricing (eqs. 9–11) — as a fixed
/// point when a buyer's travel energy is priced at its own trade price (eq. 2) —, the safety check on the radial feeder
/// (exact maximum-welfare execution by default), the SMES fallback (eq. 1), PV feed-in caps, settlements and KPIs. Pure:
/// no I/O, no clock; the same round gives the same decision (participants are processed in ordinal id order).
/// </summary>
public sealed partial class MarketCore
{
    private const double EmptyRoundEnergyKwh = 1e-9;

    /// <summary>Clears <paramref name="round"/>; throws <see cref="RoundValidationException"/> when it is invalid.</summary>
    public RoundDecision Clear(MarketRound round)
    {
        RoundValidator.ThrowIfInvalid(round);
        var rules = round.Rules;
        var warnings = new List<string>();
        var graph = CandidateGraph.Build(round);
        var (buyers, sellers, candidates, edges) = (graph.Buyers, graph.Sellers, graph.Candidates, graph.Edges);
        if (round.Participants.Count == 0) warnings.Add("no participants: nothing to trade this round");
        else if (!buyers.Any(b => b.EnergyKwh > EmptyRoundEnergyKwh) || !sellers.Any(s => s.EnergyKwh > EmptyRoundEnergyKwh))
            warnings.Add(buyers.Count == 0 || !buyers.Any(b => b.EnergyKwh > EmptyRoundEnergyKwh) ? "no buyer: nothing to trade this round" : "no seller: nothing to trade this round");
        var matched = graph.Match();
        var priced = Price(round, graph, matched, warnings);

        var topology = new FeederTopology(round.Feeder);
        var flowsIn = priced.Select(t => new TradeFlow(t.Buyer.Id, t.Seller.Id, t.Buyer.NodeId, t.Seller.NodeId, t.EnergyKwh / round.IntervalHours, t.Weight, t.WeightUnits)).ToArray();
        var safety = SafetyCheck.Run(topology, flowsIn, rules);
        warnings.AddRange(safety.Warnings);
        var flows = (double[])safety.FlowsKw.Clone();

        var decidedTrades = priced.Select((t, k) => new Trade(
            t.Buyer.Id, t.Seller.Id, t.EnergyKwh, t.Weight, t.Price, t.BuyerPayoff, t.Weight - t.BuyerPayoff,
            safety.FailedLineIds[k] is null ? TradeStatus.Executed : TradeStatus.Failed, safety.FailedLineIds[k],
            safety.FailedLineIds[k] is null ? null : safety.OverloadKw[k])).ToList();

        var actions = new List<SmesAction>();
        SmesOutcome? smesOutcome = null;
        if (round.Smes is { } smes)
        {
            var requests = new List<SmesRequest>();
            var failedOrder = decidedTrades.Select((t, k) => (t, k)).Where(p => p.t.Status == TradeStatus.Failed)
                .OrderByDescending(p => p.t.Weight).ThenBy(p => p.t.BuyerId, StringComparer.Ordinal).ThenBy(p => p.t.SellerId, StringComparer.Ordinal);
            foreach (var (t, k) in failedOrder)
            {
                requests.Add(new SmesRequest(t.BuyerId, priced[k].Buyer.NodeId, SmesDirection.Discharge, t.EnergyKwh, t.PricePerKwh, t.BuyerId, t.SellerId));
                requests.Add(new SmesRequest(t.SellerId, priced[k].Seller.NodeId, SmesDirection.Charge, t.EnergyKwh, t.PricePerKwh, t.BuyerId, t.SellerId));
            }

            (actions, smesOutcome) = SmesFallback.Run(smes, topology, safety.Windows, round.IntervalHours, round.GridPricePerKwh, rules, flows, requests);
        }

        var marketFlows = (double[])flows.Clone();
        var feedIn = FeedInCaps.Compute(round, topology, safety.Windows, decidedTrades, actions, flows);
        return Assemble(round, candidates, priced, decidedTrades, actions, smesOutcome, topology, flows, marketFlows, safety, feedIn, warnings) with
        {
            Execution = safety.Execution,
            FeedIn = feedIn,
            Rules = rules,
        };
    }

    /// <summary>A matched pair with its weight at its own price and the nucleolus split.</summary>
    private sealed record PricedTrade(Quotation Buyer, Quotation Seller, double EnergyKwh, double Weight, long WeightUnits, double TravelPrice, double Price, double BuyerPayoff);

    /// <summary>
    /// Prices the matched trades by the nucleolus. With the buyer's travel energy at the grid price a trade's weight does
    /// not depend on its price: one pass. Under eq. 2 as written it is valued at the trade's own price p, so the weight
    /// Q(p) = (v − c)·q − p·e_b − F_s and the split that sets p depend on each other; the prices are the fixed point where
    /// the nucleolus of the game with every trade weighted at its own price gives back those prices. Other pairs keep their
    /// weight at C_ep, the price they face without a trade. Raising a trade's weight keeps the matching optimal (every other
    /// matching gains at most as much), so the matching is solved once.
    /// <para>
    /// The fixed point is found Newton-like: the nucleolus is piecewise affine in the weights, so along the structure of the
    /// last full solution (<see cref="NucleolusStructure"/>) the iteration weights → shares → prices → weights runs in
    /// linear time until it settles; the game with the settled weights (on the round's grid) is then solved in full, and
    /// when its prices give back the same weights the fixed point is exact on the grid. Usually two full solutions.
    /// </para>
    /// </summary>
    private static List<PricedTrade> Price(MarketRound round, CandidateGraph graph, int[] matched, List<string> warnings)
    {
        var n = matched.Length;
        var weights = matched.Select(k => graph.Candidates[k].Weight).ToArray();
        var solver = new NucleolusSolver(graph.Game(matched, weights));
        var (shares, stages, structure) = solver.Solve(weights);
        if (round.Rules.BuyerTravel == BuyerTravelPricing.TradePrice && n > 0)
        {
            var scale = Math.Max(1e-300, weights.Max());
            var settled = false;
            for (var solve = 1; solve <= MaxPriceSolves && !settled; solve++)
            {
                // Along the structure: iterate to a fixed point of the affine map.
                var u = shares;
                for (var step = 0; step < 1000; step++)
                {
                    var next = structure.Replay(WeightsAt(round, graph, matched, u, quantize: false));
                    var moved = 0.0;
                    for (var t = 0; t < n; t++) moved = Math.Max(moved, Math.Abs(next[t] - u[t]));
                    u = next;
                    if (moved <= 1e-14 * scale) break;
                }

                var candidate = WeightsAt(round, graph, matched, u, quantize: true);
                (shares, stages, structure) = solver.Solve(candidate);
                var back = WeightsAt(round, graph, matched, shares, quantize: true);
                settled = back.SequenceEqual(candidate);
                weights = candidate;
            }

            if (!settled) warnings.Add($"pricing: the eq. 2 fixed point of weights and prices did not settle on the weight grid in {MaxPriceSolves} solutions; the last is used");
        }

        var result2 = new List<PricedTrade>(n);
        for (var t = 0; t < n; t++)
        {
            var e = graph.Edges[matched[t]];
            var (b, s) = (graph.Buyers[e.Buyer], graph.Sellers[e.Seller]);
            var share = Math.Clamp(shares[t], 0, weights[t]);
            var price = PriceOf(round, b, s, graph.Candidates[matched[t]].EnergyKwh, share);
            result2.Add(new PricedTrade(b, s, graph.Candidates[matched[t]].EnergyKwh, weights[t], graph.Grid.ToUnits(weights[t]),
                BenefitModel.TravelPrice(round, price), price, share));
        }

        return result2;
    }

    /// <summary>Most full nucleolus solutions the eq. 2 fixed point may take.</summary>
    public const int MaxPriceSolves = 8;

    // The price that gives the buyer its share: Q sits on the round's grid, and a share at an end of [0, Q] would carry that
    // rounding into the price, so the price is held to [c, v] where it belongs.
    private static double PriceOf(MarketRound round, Quotation b, Quotation s, double q, double share)
    {
        var value = BenefitModel.BuyerValuePerKwh(b, round);
        return Math.Clamp(BenefitModel.PriceForBuyerShare(b, round, q, share), Math.Min(BenefitModel.SellerCostPerKwh(s, round), value), value);
    }

    // Each trade's weight with the buyer's travel energy at the price its share implies (eq. 2).
    private static double[] WeightsAt(MarketRound round, CandidateGraph graph, int[] matched, double[] shares, bool quantize)
    {
        var w = new double[matched.Length];
        for (var t = 0; t < w.Length; t++)
        {
            var e = graph.Edges[matched[t]];
            var (b, s) = (graph.Buyers[e.Buyer], graph.Sellers[e.Seller]);
            var q = graph.Candidates[matched[t]].EnergyKwh;
            var price = PriceOf(round, b, s, q, Math.Max(0, shares[t]));
            var raw = BenefitModel.PairWeight(b, s, round, BenefitModel.TravelPrice(round, price));
            w[t] = quantize ? graph.Grid.Round(raw) : raw;
        }

        return w;
    }

    private static RoundDecision Assemble(
        MarketRound round, IReadOnlyList<CandidatePair> candidates, List<PricedTrade> priced, List<Trade> trades, List<SmesAction> actions, SmesOutcome? smes,
        FeederTopology topology, double[] flows, double[] marketFlows, SafetyCheckResult safety, IReadOnlyList<FeedInAllowance> feedIn, List<string> warnings)
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

        var index = trades.Select((t, k) => (t, k)).ToDictionary(p => (p.t.BuyerId, p.t.SellerId), p => p.k);
        var rescuedKwh = 0.0;
        var pvIds = round.Participants.Where(p => p.Kind == ParticipantKind.Pv).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var pvConsumed = trades.Where(t => t.Status == TradeStatus.Executed && pvIds.Contains(t.SellerId)).Sum(t => t.EnergyKwh);
        foreach (var a in actions)
        {
            if (a.EnergyKwh <= 0) continue;
            var k = index[(a.BuyerId, a.SellerId)];
            var t = trades[k];
            var fraction = a.EnergyKwh / t.EnergyKwh;
            rescuedKwh += a.EnergyKwh / 2;
            if (a.Direction == SmesDirection.Discharge)
            {
                realized[a.CounterpartyId] += round.Rules.SmesSettlement == SmesSettlementRule.TradePriceGross
                    ? t.BuyerPayoff * fraction
                    : (BenefitModel.BuyerValuePerKwh(priced[k].Buyer, round) - a.PricePerKwh) * a.EnergyKwh
                      - priced[k].TravelPrice * BenefitModel.BuyerTravelEnergyKwh(priced[k].Buyer, round.Rules) * fraction;
                settlements.Add(new Settlement(a.CounterpartyId, smes!.SmesId, a.EnergyKwh, a.PricePerKwh, a.EnergyKwh * a.PricePerKwh));
            }
            else
            {
                realized[a.CounterpartyId] += round.Rules.SmesSettlement == SmesSettlementRule.TradePriceGross
                    ? t.SellerPayoff * fraction
                    : (a.PricePerKwh - BenefitModel.SellerCostPerKwh(priced[k].Seller, round)) * a.EnergyKwh
                      - BenefitModel.SellerFixedCost(priced[k].Seller, round.Rules) * fraction;
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
        var lineFlows = lines.Select((l, k) => new LineFlow(l.Id, flows[k], l.LimitKw, safety.BaseFlowsKw[k], marketFlows[k])).ToList();
        var buyerIds = round.Participants.Where(p => p.Role == TradeRole.Buyer).Select(p => p.Id).Order(StringComparer.Ordinal).ToList();
        var sellerIds = round.Participants.Where(p => p.Role == TradeRole.Seller).Select(p => p.Id).Order(StringComparer.Ordinal).ToList();
        return new RoundDecision(
            round.RoundId, buyerIds, sellerIds, candidates, trades, actions, smes,
            payoffs, realized, settlements, lineFlows, kpis, warnings);
    }
}
