using Gateway.Market.Decision;
using Gateway.Market.Model;
using Gateway.Market.Pricing;

namespace Gateway.Market.Matching;

/// <summary>
/// The matching graph of one round (Li et al. eq. 5): buyers and sellers in ordinal id order, and every buyer–seller pair
/// whose weight Q[i,j] = R_i + R_j is positive on the round's <see cref="WeightGrid"/> (at least one unit, i.e. above
/// ~10⁻⁹ of the round's largest pair weight), with the buyer's travel energy valued at C_ep (the only price it faces until
/// its trade is priced).
/// </summary>
internal sealed class CandidateGraph
{
    private const double EnergyEpsilonKwh = 1e-9;

    private CandidateGraph(Quotation[] buyers, Quotation[] sellers, List<CandidatePair> candidates, List<MatchingEdge> edges, WeightGrid grid)
    {
        Buyers = buyers;
        Sellers = sellers;
        Candidates = candidates;
        Edges = edges;
        Grid = grid;
    }

    /// <summary>Buyers, ordinal by id (edge buyer indices point here).</summary>
    public IReadOnlyList<Quotation> Buyers { get; }

    /// <summary>Sellers, ordinal by id (edge seller indices point here).</summary>
    public IReadOnlyList<Quotation> Sellers { get; }

    /// <summary>The candidate pairs, aligned with <see cref="Edges"/>.</summary>
    public IReadOnlyList<CandidatePair> Candidates { get; }

    /// <summary>The same pairs as matching edges.</summary>
    public IReadOnlyList<MatchingEdge> Edges { get; }

    /// <summary>The round's integer weight grid.</summary>
    public WeightGrid Grid { get; }

    /// <summary>Builds the graph of a valid <paramref name="round"/>. Participants with nothing to trade have no edge.</summary>
    public static CandidateGraph Build(MarketRound round)
    {
        var buyers = round.Participants.Where(p => p.Role == TradeRole.Buyer).OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
        var sellers = round.Participants.Where(p => p.Role == TradeRole.Seller).OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
        var travelPrice = BenefitModel.InitialTravelPrice(round);
        var raw = new List<(int Buyer, int Seller, double Weight)>();
        var largest = 0.0;
        for (var i = 0; i < buyers.Length; i++)
        {
            if (buyers[i].EnergyKwh <= EnergyEpsilonKwh) continue;
            for (var j = 0; j < sellers.Length; j++)
            {
                if (sellers[j].EnergyKwh <= EnergyEpsilonKwh) continue;
                var w = BenefitModel.PairWeight(buyers[i], sellers[j], round, travelPrice);
                if (!(w > 0)) continue;
                raw.Add((i, j, w));
                largest = Math.Max(largest, w);
            }
        }

        var grid = WeightGrid.For(largest);
        var candidates = new List<CandidatePair>(raw.Count);
        var edges = new List<MatchingEdge>(raw.Count);
        foreach (var (i, j, w) in raw)
        {
            var units = grid.ToUnits(w);
            if (units <= 0) continue;
            candidates.Add(new CandidatePair(buyers[i].Id, sellers[j].Id, BenefitModel.TradeEnergyKwh(buyers[i], sellers[j]), grid.ToCurrency(units)));
            edges.Add(new MatchingEdge(i, j, units));
        }

        return new CandidateGraph(buyers, sellers, candidates, edges, grid);
    }

    /// <summary>A maximum-weight b-matching (eqs. 5–8): indices of the matched edges, ascending.</summary>
    public int[] Match() => BMatchingSolver.Solve(Buyers.Count, Sellers.Count, BuyerCapacities(), SellerCapacities(), Edges);

    /// <summary>The cooperative game whose nucleolus prices the <paramref name="trades"/> (eqs. 9–11).</summary>
    public AssignmentGame Game(IReadOnlyList<int> trades) => Game(trades, null);

    /// <summary>
    /// The game with the trades' own weights replaced by <paramref name="tradeWeights"/> (aligned with
    /// <paramref name="trades"/>): under eq. 2 a trade's weight depends on its price, other pairs keep the weight at C_ep.
    /// </summary>
    public AssignmentGame Game(IReadOnlyList<int> trades, IReadOnlyList<double>? tradeWeights)
    {
        var weights = Candidates.Select(c => c.Weight).ToArray();
        if (tradeWeights is not null)
            for (var t = 0; t < trades.Count; t++) weights[trades[t]] = tradeWeights[t];
        return new(BuyerCapacities(), SellerCapacities(), Edges.Select((e, k) => new AssignmentGameEdge(e.Buyer, e.Seller, weights[k])).ToList(), trades);
    }

    private int[] BuyerCapacities() => Buyers.Select(b => b.MaxTrades).ToArray();

    private int[] SellerCapacities() => Sellers.Select(s => s.MaxTrades).ToArray();
}
