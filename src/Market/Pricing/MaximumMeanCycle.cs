namespace Gateway.Market.Pricing;

/// <summary>
/// Howard's policy iteration for the maximum cycle mean of a strongly connected digraph (Cochet-Terrasson et al. 1998;
/// Dasdan 2004 found it the fastest in practice). Returns λ* = max over cycles of mean arc weight and potentials h with
/// h[u] ≥ w(u→v) − λ* + h[v] for every arc, tight on the arcs of the final policy.
/// </summary>
internal sealed class MaximumMeanCycle
{
    private const int MaxIterations = 100_000;

    private readonly int _nodeCount;
    private readonly int[] _first;
    private readonly int[] _target;
    private readonly double[] _weight;
    private readonly double _tolerance;
    private readonly double[] _mean;
    private readonly double[] _potential;
    private readonly int[] _state;
    private readonly List<int> _path = new();

    /// <summary>The graph in CSR form: the arcs leaving u are <c>first[u] .. first[u+1]−1</c>.</summary>
    public MaximumMeanCycle(int nodeCount, int[] first, int[] target, double[] weight, double tolerance)
    {
        this._nodeCount = nodeCount;
        this._first = first;
        this._target = target;
        this._weight = weight;
        this._tolerance = tolerance;
        _mean = new double[nodeCount];
        _potential = new double[nodeCount];
        _state = new int[nodeCount];
        Policy = new int[nodeCount];
    }

    /// <summary>The arc each node follows; set entries ≥ 0 before <see cref="Solve"/> to warm-start, −1 to let it choose.</summary>
    public int[] Policy { get; }

    /// <summary>h after <see cref="Solve"/>.</summary>
    public double[] Potential => _potential;

    /// <summary>Runs the iteration and returns λ*.</summary>
    /// <exception cref="InvalidOperationException">A node has no outgoing arc, or the iteration does not settle.</exception>
    public double Solve()
    {
        for (var u = 0; u < _nodeCount; u++)
        {
            if (_first[u] == _first[u + 1]) throw new InvalidOperationException($"maximum mean cycle: node {u} has no outgoing arc (graph not strongly connected)");
            var p = Policy[u];
            if (p >= _first[u] && p < _first[u + 1]) continue;
            var best = _first[u];
            for (var a = _first[u] + 1; a < _first[u + 1]; a++)
                if (_weight[a] > _weight[best]) best = a;
            Policy[u] = best;
        }

        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            Evaluate();
            if (!ImproveMeans() && !ImprovePotentials())
            {
                var lambda = double.NegativeInfinity;
                for (var u = 0; u < _nodeCount; u++) lambda = Math.Max(lambda, _mean[u]);
                return lambda;
            }
        }

        throw new InvalidOperationException("maximum mean cycle: policy iteration did not settle (numerical trouble)");
    }

    // Each node follows one arc, so every node leads into exactly one policy cycle: its mean is the node's value and the
    // potentials follow back along the arcs from a fixed anchor on the cycle (its smallest node, so they are reproducible).
    private void Evaluate()
    {
        Array.Clear(_state);
        for (var s = 0; s < _nodeCount; s++)
        {
            if (_state[s] != 0) continue;
            _path.Clear();
            var v = s;
            while (_state[v] == 0)
            {
                _state[v] = 1;
                _path.Add(v);
                v = _target[Policy[v]];
            }

            var treeLength = _path.Count;
            if (_state[v] == 1)
            {
                var start = _path.LastIndexOf(v);
                var sum = 0.0;
                var anchorAt = start;
                for (var i = start; i < _path.Count; i++)
                {
                    sum += _weight[Policy[_path[i]]];
                    if (_path[i] < _path[anchorAt]) anchorAt = i;
                }

                var cycleMean = sum / (_path.Count - start);
                var length = _path.Count - start;
                var anchor = _path[anchorAt];
                _potential[anchor] = 0;
                _mean[anchor] = cycleMean;
                _state[anchor] = 2;
                // Walk the cycle backwards from the anchor's predecessor.
                for (var step = 1; step < length; step++)
                {
                    var x = _path[start + ((anchorAt - start - step) % length + length) % length];
                    var y = _target[Policy[x]];
                    _mean[x] = cycleMean;
                    _potential[x] = _weight[Policy[x]] - cycleMean + _potential[y];
                    _state[x] = 2;
                }

                treeLength = start;
            }

            for (var i = treeLength - 1; i >= 0; i--)
            {
                var x = _path[i];
                var y = _target[Policy[x]];
                _mean[x] = _mean[y];
                _potential[x] = _weight[Policy[x]] - _mean[y] + _potential[y];
                _state[x] = 2;
            }
        }
    }

    private bool ImproveMeans()
    {
        var changed = false;
        for (var u = 0; u < _nodeCount; u++)
        {
            var best = Policy[u];
            var bestMean = _mean[u];
            for (var a = _first[u]; a < _first[u + 1]; a++)
            {
                if (_mean[_target[a]] > bestMean + _tolerance)
                {
                    best = a;
                    bestMean = _mean[_target[a]];
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
        for (var u = 0; u < _nodeCount; u++)
        {
            var best = -1;
            var bestValue = _potential[u] + _tolerance;
            for (var a = _first[u]; a < _first[u + 1]; a++)
            {
                var v = _target[a];
                if (_mean[v] < _mean[u] - _tolerance) continue;
                var value = _weight[a] - _mean[u] + _potential[v];
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
