using Gateway.Market.Model;

namespace Gateway.Market.Grid;

/// <summary>
/// How the executed trades were chosen: the rule, the executed weight, and for the exact rule whether it is proven
/// optimal, the proven upper bound on the best possible executed weight and the branch-and-bound nodes spent.
/// </summary>
/// <param name="Rule">The execution rule applied.</param>
/// <param name="ExecutedWeight">Σ Q of the executed trades (currency).</param>
/// <param name="UpperBoundWeight">No selection within the line limits executes more weight than this (equal to <paramref name="ExecutedWeight"/> when proven optimal; for the greedy rule, the weight of all matched trades).</param>
/// <param name="ProvenOptimal">Whether no other selection within the limits executes more weight.</param>
/// <param name="Nodes">Branch-and-bound nodes explored (0 for the greedy rule or an uncongested round).</param>
public sealed record ExecutionReport(ExecutionRule Rule, double ExecutedWeight, double UpperBoundWeight, bool ProvenOptimal, int Nodes);
