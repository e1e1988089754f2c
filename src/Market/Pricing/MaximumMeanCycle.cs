namespace Gateway.Market.Pricing;

/// <summary>
/// Howard's policy iteration for the maximum cycle mean of a strongly connected digraph (Cochet-Terrasson et al. 1998;
/// Dasdan 2004 found it the fastest in practice). Returns λ* = max over cycles of mean arc weight and potentials h with
/// h[u] ≥ w(u→v) − λ* + h[v] for every arc, tight on the arcs of the final policy.
/// </summary>
internal sealed class MaximumMeanCycle
{
    private const int MaxIterations = 100_000;

    private readonly int nodeCount;
    private readonly int[] first;
    private readonly int[] target;
    private readonly double[] weight;
    private readonly double tolerance;
    private readonly double[] mean;
    private readonly double[] potential;
    private readonly int[] state;
    private readonly List<int> path = new();

    /// <summary>The graph in CSR form: the arcs leaving u are <c>first[u] .. first[u+1]−1</c>.</summary>
    public MaximumMeanCycle(int nodeCount, int[] first, int[] target, double[] weight, double tolerance)
    {
        this.nodeCount = nodeCount;
        this.first = first;
        this.target = target;
        this.weight = weight;
        this.tolerance = tolerance;
        mean = new double[nodeCount];
        potential = new double[nodeCount];
        state = new int[nodeCount];
        Policy = new int[nodeCount];
    }

    /// <summary>The arc each node follows; set entries ≥ 0 before <see cref="Solve"/> to warm-start, −1 to let it choose.</summary>
    public int[] Policy { get; }

    /// <summary>h after <see cref="Solve"/>.</summary>
    public double[] Potential => potential;

    /// <summary>Runs the iteration and returns λ*.</summary>
    /// <exception cref="InvalidOperationException">A node has no outgoing arc, or the iteration does not settle.</exception>
    public double Solve()
    {
        for (var u = 0; u < nodeCount; u++)
        {
            if (first[u] == first[u + 1]) throw new InvalidOperationException($"maximum mean cycle: node {u} has no outgoing arc (graph not strongly connected)");
            var p = Policy[u];
            if (p >= first[u] && p < first[u + 1]) continue;
            var best = first[u];
            for (var a = first[u] + 1; a < first[u + 1]; a++)
                if (weight[a] > weight[best]) best = a;
            Policy[u] = best;
        }

        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            Evaluate();
            if (!ImproveMeans() && !ImprovePotentials())
            {
                var lambda = double.NegativeInfinity;
                for (var u = 0; u < nodeCount; u++) lambda = Math.Max(lambda, mean[u]);
                return lambda;
            }
        }

        throw new InvalidOperationException("maximum mean cycle: policy iteration did not settle (numerical trouble)");
    }

    // Each node follows one arc, so every node leads into exactly one policy cycle: its mean is the node's value and the
    // potentials follow back along the arcs from a fixed anchor on the cycle (its smallest node, so they are reproducible).
    private void Evaluate()
    {
        Array.Clear(state);
        for (var s = 0; s < nodeCount; s++)
        {
            if (state[s] != 0) continue;
            path.Clear();
            var v = s;
            while (state[v] == 0)
            {
                state[v] = 1;
                path.Add(v);
                v = target[Policy[v]];
            }

            var treeLength = path.Count;
            if (state[v] == 1)
            {
                var start = path.LastIndexOf(v);
                var sum = 0.0;
                var anchorAt = start;
                for (var i = start; i < path.Count; i++)
                {
                    sum += weight[Policy[path[i]]];
                    if (path[i] < path[anchorAt]) anchorAt = i;
                }

                var cycleMean = sum / (path.Count - start);
                var length = path.Count - start;
                var anchor = path[anchorAt];
                potential[anchor] = 0;
                mean[anchor] = cycleMean;
                state[anchor] = 2;
                // Walk the cycle backwards from the anchor's predecessor.
                for (var step = 1; step < length; step++)
                {
                    var x = path[start + ((anchorAt - start - step) % length + length) % length];
                    var y = target[Policy[x]];
                    mean[x] = cycleMean;
                    potential[x] = weight[Policy[x]] - cycleMean + potential[y];
                    state[x] = 2;
                }

                treeLength = start;
            }

            for (var i = treeLength - 1; i >= 0; i--)
            {
                var x = path[i];
                var y = target[Policy[x]];
                mean[x] = mean[y];
                potential[x] = weight[Policy[x]] - mean[y] + potential[y];
                state[x] = 2;
            }
        }
    }

    private bool ImproveMeans()
    {
        var changed = false;
        for (var u = 0; u < nodeCount; u++)
        {
            var best = Policy[u];
            var bestMean = mean[u];
            for (var a = first[u]; a < first[u + 1]; a++)
            {
                if (mean[target[a]] > bestMean + tolerance)
                {
                    best = a;
                    bestMean = mean[target[a]];
                }
            }

            if (best == Policy[u]) continue;
            Policy[u] = best;
            changed = true;
        }

        return changed;
    }

    private bool ImprovePotentials()
    {
        var changed = false;
        for (var u = 0; u < nodeCount; u++)
        {
            var best = -1;
            var bestValue = potential[u] + tolerance;
            for (var a = first[u]; a < first[u + 1]; a++)
            {
                var v = target[a];
                if (mean[v] < mean[u] - tolerance) continue;
                var value = weight[a] - mean[u] + potential[v];
                if (value > bestValue)
                {
                    best = a;
                    bestValue = value;
                }
            }

            if (best < 0) continue;
            Policy[u] = best;
            changed = true;
        }

        return changed;
    }
}
