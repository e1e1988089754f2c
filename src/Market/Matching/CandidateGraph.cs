using Gateway.Market.Decision;
using Gateway.Market.Model;
using Gateway.Market.Pricing;

namespace Gateway.Market.Matching;

/// <summary>
/// The matching graph of one round (Li et al. eq. 5): buyers and sellers in ordinal id order, and every buyer–seller pair
/// whose weight Q[i,j] = R_i + R_j is positive, with Q in integer units of <see cref="BenefitModel.WeightResolution"/> for
/// the exact matching.
/// </summary>
public sealed class CandidateGraph
{
    private const double EnergyEpsilonKwh = 1e-9;

    private CandidateGraph(Quotation[] buyers, Quotation[] sellers, List<CandidatePair> candidates, List<MatchingEdge> edges)
    {
        Buyers = buyers;
        Sellers = sellers;
        Candidates = candidates;
        Edges = edges;
    }

    /// <summary>Buyers, ordinal by id (edge buyer indices point here).</summary>
    public IReadOnlyList<Quotation> Buyers { get; }

    /// <summary>Sellers, ordinal by id (edge seller indices point here).</summary>
    public IReadOnlyList<Quotation> Sellers { get; }

    /// <summary>The candidate pairs, aligned with <see cref="Edges"/>.</summary>
    public IReadOnlyList<CandidatePair> Candidates { get; }

    /// <summary>The same pairs as matching edges.</summary>
    public IReadOnlyList<MatchingEdge> Edges { get; }

    /// <summary>Builds the graph of a valid <paramref name="round"/>. Participants with nothing to trade have no edge.</summary>
    public static CandidateGraph Build(MarketRound round)
    {
        var buyers = round.Participants.Where(p => p.Role == TradeRole.Buyer).OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
        var sellers = round.Participants.Where(p => p.Role == TradeRole.Seller).OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
        var candidates = new List<CandidatePair>();
        var edges = new List<MatchingEdge>();
        for (var i = 0; i < buyers.Length; i++)
        {
            if (buyers[i].EnergyKwh <= EnergyEpsilonKwh) continue;
            for (var j = 0; j < sellers.Length; j++)
            {
                if (sellers[j].EnergyKwh <= EnergyEpsilonKwh) continue;
                var w = BenefitModel.PairWeight(buyers[i], sellers[j], round);
                var units = (long)Math.Round(w / BenefitModel.WeightResolution);
                if (units <= 0) continue;
                candidates.Add(new CandidatePair(buyers[i].Id, sellers[j].Id, BenefitModel.TradeEnergyKwh(buyers[i], sellers[j]), w));
                edges.Add(new MatchingEdge(i, j, units));
            }
        }

        return new CandidateGraph(buyers, sellers, candidates, edges);
    }

    /// <summary>A maximum-weight b-matching (eqs. 5–8): indices of the matched edges, ascending.</summary>
    public int[] Match() => BMatchingSolver.Solve(Buyers.Count, Sellers.Count, BuyerCapacities(), SellerCapacities(), Edges);

    /// <summary>The cooperative game whose nucleolus prices the <paramref name="trades"/> (eqs. 9–11).</summary>
    public AssignmentGame Game(IReadOnlyList<int> trades) =>
        new(BuyerCapacities(), SellerCapacities(), Edges.Select((e, k) => new AssignmentGameEdge(e.Buyer, e.Seller, Candidates[k].Weight)).ToList(), trades);

    private int[] BuyerCapacities() => Buyers.Select(b => b.MaxTrades).ToArray();

    private int[] SellerCapacities() => Sellers.Select(s => s.MaxTrades).ToArray();
}
