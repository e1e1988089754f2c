namespace Gateway.Market.Pricing;

/// <summary>
/// The nucleolus of an <see cref="AssignmentGame"/> (Li et al. eqs. 9–11), exactly and without an LP solver.
/// <para>
/// Every essential coalition's excess is κ − (u[a] − u[b]) over two nodes a, b (<see cref="ExcessRows"/>), so the stage
/// LP of Maschler–Peleg–Shapley, min ε subject to κ − u[a] + u[b] ≤ ε, is a system of difference constraints: it is
/// feasible exactly when no cycle of rows has a mean κ above ε. Each stage's ε is therefore the maximum cycle mean of the
/// row graph (<see cref="MaximumMeanCycle"/>), and the rows tight in every optimum are the arcs on zero-slack cycles —
/// the strongly connected parts of the zero-slack subgraph. Those parts are contracted into one node each (their relative
/// shares are now fixed), rows inside a part drop out as constants, and the next stage runs on the smaller graph, until
/// one node is left and every share is known. At most one stage per trade (<see cref="NucleolusStages"/>).
/// </para>
/// <para>
/// The stages run on a subset of the rows, and the rest are checked once at the end (<see cref="NucleolusSolver"/>): a
/// left-out row whose excess at the result stays at or below the level ε of the stage in which its two ends were
/// contracted cannot change any stage, so the result is the nucleolus of the whole game; rows that break this join the
/// subset and the stages run again. A round whose pairs are nearly all alike in cost takes one stage with a huge number
/// of tied rows; one whose participants all differ takes a stage per trade — either way the rows are scanned a few
/// times, not once per stage.
/// </para>
/// </summary>
internal static class AssignmentNucleolus
{
    /// <summary>Computes the nucleolus of <paramref name="game"/>.</summary>
    public static NucleolusResult Compute(AssignmentGame game)
    {
        var weights = game.Trades.Select(t => game.Edges[t].Weight).ToArray();
        var (shares, stages, _) = new NucleolusSolver(game).Solve(weights);
        return new NucleolusResult(shares, weights, stages);
    }
}
