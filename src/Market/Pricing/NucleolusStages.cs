namespace Gateway.Market.Pricing;

/// <summary>
/// The Maschler–Peleg–Shapley stages over a given subset of the excess rows (see <see cref="AssignmentNucleolus"/>): each
/// stage's ε is the maximum cycle mean of the row graph over the current parts, the strongly connected parts of its
/// zero-slack subgraph are contracted, and so on until one part is left. Shares are kept as offsets: u[v] = U[part of v] +
/// Offset[v]. Records each stage's level, when any two nodes were contracted (<see cref="Tree"/>), and the structure that
/// fixed the shares (<see cref="Structure"/>).
/// <para>
/// A round whose participants all differ takes about one stage per trade, so a stage must cost little more than a pass
/// over the rows still in play: flat arrays throughout, the row graph rebuilt in place, and rows between the same two
/// parts collapsed to the one that can still bind as soon as a contraction makes them twins.
/// </para>
/// </summary>
internal sealed class NucleolusStages
{
    private readonly ExcessRows _rows;
    private readonly double[] _kappa;
    private readonly double _tolerance;
    private readonly int[] _group;
    private readonly int[] _dense;
    private readonly int[] _policyRowOfGroup;
    private readonly List<double> _levels = [];
    private readonly int[] _arcOfRow;
    private int[] _activeRows;
    private int _activeCount;
    private int[] _groupOfDense = [];
    private int _groupCount;

    // The stage graph in CSR form over dense part numbers, rebuilt in place each stage.
    private int[] _first = [];
    private int[] _target = [];
    private double[] _weight = [];
    private int[] _rowOfArc = [];
    private int[] _tailOfArc = [];
    private int[]? _outSlot;
    private int[]? _inSlot;

    public NucleolusStages(ExcessRows rows, double[] kappa, List<int> activeRows, double tolerance)
    {
        this._rows = rows;
        this._kappa = kappa;
        this._tolerance = tolerance;
        var n = rows.NodeCount;
        _group = Enumerable.Range(0, n).ToArray();
        Offset = new double[n];
        _dense = new int[n];
        _policyRowOfGroup = Enumerable.Repeat(-1, n).ToArray();
        _groupCount = n;
        this._activeRows = activeRows.ToArray();
        _activeCount = this._activeRows.Length;
        _arcOfRow = new int[rows.Count];
        Tree = new ContractionTree(n);
        Structure = new NucleolusStructure(n);
    }

    /// <summary>u[v] − u[0] = Offset[v] − Offset[0] once <see cref="Run"/> is done.</summary>
    public double[] Offset { get; }

    /// <summary>When each pair of nodes was contracted.</summary>
    public ContractionTree Tree { get; }

    /// <summary>How the shares were fixed.</summary>
    public NucleolusStructure Structure { get; }

    /// <summary>Stages run.</summary>
    public int Stages => _levels.Count;

    /// <summary>ε of stage <paramref name="stage"/> (1-based; +∞ for a stage that never came).</summary>
    public double Level(int stage) => stage >= 1 && stage <= _levels.Count ? _levels[stage - 1] : double.PositiveInfinity;

    /// <summary>Runs every stage.</summary>
    public void Run()
    {
        while (_groupCount > 1) RunStage();
    }

    private double Weight(int r) => _kappa[r] - Offset[_rows.From[r]] + Offset[_rows.To[r]];

    private void RunStage()
    {
        var groups = Renumber();
        BuildGraph(groups);
        var cycle = new MaximumMeanCycle(groups, _first, _target, _weight, _tolerance);
        // Warm start: each part keeps the row it followed last stage while that row is still in the graph.
        for (var p = 0; p < groups; p++)
        {
            var row = _policyRowOfGroup[_groupOfDense[p]];
            cycle.Policy[p] = row >= 0 && _arcOfRow[row] < _rowOfArc.Length && _rowOfArc[_arcOfRow[row]] == row ? _arcOfRow[row] : -1;
        }

        var lambda = cycle.Solve();
        var h = cycle.Potential;
        for (var p = 0; p < groups; p++) _policyRowOfGroup[_groupOfDense[p]] = _rowOfArc[cycle.Policy[p]];

        // The zero-slack arcs.
        var arcs = _target.Length;
        var tightFirst = new int[groups + 1];
        var isTight = new bool[arcs];
        var tightCount = 0;
        for (var a = 0; a < arcs; a++)
        {
            if (lambda - _weight[a] + h[_tailOfArc[a]] - h[_target[a]] > _tolerance) continue;
            isTight[a] = true;
            tightFirst[_tailOfArc[a] + 1]++;
            tightCount++;
        }

        for (var p = 0; p < groups; p++) tightFirst[p + 1] += tightFirst[p];
        var fill = (int[])tightFirst.Clone();
        var tightArc = new int[tightCount];
        var tightTarget = new int[tightCount];
        for (var a = 0; a < arcs; a++)
        {
            if (!isTight[a]) continue;
            var k = fill[_tailOfArc[a]]++;
            tightArc[k] = a;
            tightTarget[k] = _target[a];
        }

        _levels.Add(lambda);
        Contract(groups, tightFirst, tightTarget, tightArc, h, lambda);
    }

    // The graph of the active rows between different parts, in CSR form, each row's arc noted in arcOfRow.
    private void BuildGraph(int groups)
    {
        _first = new int[groups + 1];
        var kept = 0;
        for (var i = 0; i < _activeCount; i++)
        {
            var r = _activeRows[i];
            var from = _dense[_group[_rows.From[r]]];
            var to = _dense[_group[_rows.To[r]]];
            if (from == to) continue;
            _first[from + 1]++;
            kept++;
        }

        for (var p = 0; p < groups; p++) _first[p + 1] += _first[p];
        var fill = (int[])_first.Clone();
        if (_target.Length != kept)
        {
            _target = new int[kept];
            _weight = new double[kept];
            _rowOfArc = new int[kept];
            _tailOfArc = new int[kept];
        }

        for (var i = 0; i < _activeCount; i++)
        {
            var r = _activeRows[i];
            var from = _dense[_group[_rows.From[r]]];
            var to = _dense[_group[_rows.To[r]]];
            if (from == to) continue;
            var a = fill[from]++;
            _target[a] = to;
            _weight[a] = Weight(r);
            _rowOfArc[a] = r;
            _tailOfArc[a] = from;
            _arcOfRow[r] = a;
        }
    }

    private void Contract(int groups, int[] tightFirst, int[] tightTarget, int[] tightArc, double[] h, double lambda)
    {
        var (component, count) = StronglyConnectedComponents.Find(groups, tightFirst, tightTarget);
        if (count == groups) throw new InvalidOperationException("nucleolus: no zero-slack cycle at a stage (numerical trouble)");

        // The representative of each component is its first part; members take their share relative to it.
        var representative = Enumerable.Repeat(-1, count).ToArray();
        var size = new int[count];
        for (var p = 0; p < groups; p++)
        {
            size[component[p]]++;
            if (representative[component[p]] < 0) representative[component[p]] = p;
        }

        Record(groups, tightFirst, tightTarget, tightArc, component, representative, size, lambda);

        var grown = new bool[_group.Length];
        for (var v = 0; v < _group.Length; v++)
        {
            var p = _dense[_group[v]];
            var rep = representative[component[p]];
            if (size[component[p]] > 1) grown[_groupOfDense[rep]] = true;
            if (rep == p) continue;
            Offset[v] += h[p] - h[rep];
            _group[v] = _groupOfDense[rep];
        }

        _groupCount = count;
        DropInternalAndDominated(grown);
    }

    // How this stage fixed the shares, as rows of the game: one zero-slack cycle (its mean is the stage's ε) and, for each
    // part that merges, a tree of zero-slack rows leading to its representative (h[a] − h[b] = w(row) − ε along it).
    private void Record(int groups, int[] tightFirst, int[] tightTarget, int[] tightArc, int[] component, int[] representative, int[] size, double lambda)
    {
        // Reverse of the zero-slack graph, for the search from each representative back along arcs into it.
        var inFirst = new int[groups + 1];
        for (var k = 0; k < tightTarget.Length; k++) inFirst[tightTarget[k] + 1]++;
        for (var p = 0; p < groups; p++) inFirst[p + 1] += inFirst[p];
        var inFill = (int[])inFirst.Clone();
        var inArc = new int[tightTarget.Length];
        for (var k = 0; k < tightTarget.Length; k++) inArc[inFill[tightTarget[k]]++] = tightArc[k];

        var parentArc = new int[groups];
        var seen = new bool[groups];
        var stage = new NucleolusStructure.Stage { Lambda = lambda };
        int[]? cycle = null;
        var queue = new Queue<int>();
        var members = new List<int>();
        for (var c = 0; c < representative.Length; c++)
        {
            if (size[c] < 2) continue;
            var rep = representative[c];
            members.Clear();
            members.Add(_groupOfDense[rep]);
            queue.Enqueue(rep);
            seen[rep] = true;
            while (queue.Count > 0)
            {
                var b = queue.Dequeue();
                for (var k = inFirst[b]; k < inFirst[b + 1]; k++)
                {
                    var a = inArc[k];
                    var from = _tailOfArc[a];
                    if (component[from] != c || seen[from]) continue;
                    seen[from] = true;
                    parentArc[from] = a;
                    members.Add(_groupOfDense[from]);
                    stage.Merges.Add(new NucleolusStructure.Merge(_groupOfDense[from], Structure.AddRow(_rowOfArc[a], _rows), _groupOfDense[b], _groupOfDense[rep]));
                    queue.Enqueue(from);
                }
            }

            Tree.Merge(_levels.Count, members, _groupOfDense[rep]);
            if (cycle is not null) continue;
            for (var k = tightFirst[rep]; k < tightFirst[rep + 1] && cycle is null; k++)
            {
                if (component[tightTarget[k]] != c) continue;
                var path = new List<int> { tightArc[k] };
                for (var v = tightTarget[k]; v != rep; v = _target[parentArc[v]]) path.Add(parentArc[v]);
                cycle = path.Select(x => Structure.AddRow(_rowOfArc[x], _rows)).ToArray();
            }
        }

        stage.Cycle = cycle ?? [];
        Structure.Stages.Add(stage);
    }

    // Rows inside a part are constants now. Of rows between the same two parts only the largest κ' can bind, in this
    // stage and every later one (a contraction shifts all rows between two parts alike), so the rest go. Only rows
    // touching a part that just grew can have gained such twins; they are collapsed per (part, part) with a scratch table
    // keyed by the other end, since one end is a grown part.
    private void DropInternalAndDominated(bool[] grown)
    {
        var n = _group.Length;
        var single = -1;
        for (var v = 0; v < n; v++)
        {
            if (!grown[v]) continue;
            single = single == -1 ? v : -2;
        }

        // Usually one part grew (a stage per trade): its twins are found by the other end in two flat tables.
        if (single >= 0)
        {
            _outSlot ??= new int[n];
            _inSlot ??= new int[n];
            Array.Fill(_outSlot, -1);
            Array.Fill(_inSlot, -1);
        }

        var bestOther = single == -2 ? new Dictionary<long, int>() : null;
        var kept = 0;
        for (var i = 0; i < _activeCount; i++)
        {
            var r = _activeRows[i];
            var from = _group[_rows.From[r]];
            var to = _group[_rows.To[r]];
            if (from == to) continue;
            if (grown[from] || grown[to])
            {
                int slot;
                if (bestOther is null)
                {
                    var table = from == single ? _outSlot! : _inSlot!;
                    var other = from == single ? to : from;
                    slot = table[other];
                    if (slot < 0) table[other] = kept;
                }
                else
                {
                    var key = (long)from * n + to;
                    if (!bestOther.TryGetValue(key, out slot)) { slot = -1; bestOther[key] = kept; }
                }

                if (slot >= 0)
                {
                    if (Weight(r) > Weight(_activeRows[slot])) _activeRows[slot] = r;
                    continue;
                }
            }

            _activeRows[kept++] = r;
        }

        _activeCount = kept;
    }

    private int Renumber()
    {
        Array.Fill(_dense, -1);
        var count = 0;
        _groupOfDense = new int[_groupCount];
        for (var v = 0; v < _group.Length; v++)
        {
            if (_dense[_group[v]] >= 0) continue;
            _groupOfDense[count] = _group[v];
            _dense[_group[v]] = count++;
        }

        return count;
    }
}
