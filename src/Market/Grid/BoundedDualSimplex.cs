namespace Gateway.Market.Grid;

/// <summary>
/// The LP relaxation of the execution problem: maximise Σ w_j·x_j subject to L_i ≤ Σ_j A_ij·x_j ≤ U_i and 0 ≤ x_j ≤ 1,
/// by the bounded dual simplex method (revised, with an explicit basis inverse: the rows are the few binding lines).
/// Every w_j is positive, so all x_j at 1 with the row activities basic is dual feasible from the start, whatever the
/// rows' bounds: no phase one, and an infeasible node shows as a dual ratio test with no candidate.
/// </summary>
internal sealed class BoundedDualSimplex
{
    private const int RefactorEvery = 32;
    private readonly int _m;
    private readonly int _n;
    private readonly double[,] _a;
    private readonly double[] _w;
    private readonly double _tolerance;

    /// <summary>Sets up the program; <paramref name="a"/> is m × n, <paramref name="w"/> positive.</summary>
    public BoundedDualSimplex(double[,] a, double[] w, double feasibilityTolerance)
    {
        this._a = a;
        this._w = w;
        _m = a.GetLength(0);
        _n = a.GetLength(1);
        _tolerance = feasibilityTolerance;
    }

    /// <summary>Outcome of one solve.</summary>
    public enum Status
    {
        /// <summary>Optimal: <see cref="Result.X"/> and <see cref="Result.ReducedCost"/> are meaningful.</summary>
        Optimal,
        /// <summary>No x satisfies the rows.</summary>
        Infeasible,
        /// <summary>The iteration limit was reached (numerical trouble); the caller must not prune on this node.</summary>
        Stalled,
    }

    /// <summary>An LP solution: status, objective, x, and for each column its reduced cost (max sense: the change in the
    /// objective per unit increase of x_j from where it sits; 0 for basic columns) and whether it is basic.</summary>
    public readonly record struct Result(Status Status, double Objective, double[] X, double[] ReducedCost, bool[] Basic);

    /// <summary>
    /// Solves with the columns whose <paramref name="fixedValue"/> is 0 or 1 held there (−1 = free) and row bounds
    /// <paramref name="lower"/>, <paramref name="upper"/>.
    /// </summary>
    public Result Solve(sbyte[] fixedValue, double[] lower, double[] upper)
    {
        // Variables 0..n−1 are the columns, n..n+m−1 the row activities r_i (A·x − r = 0). Minimise −w·x.
        var total = _n + _m;
        var value = new double[total];
        var atUpper = new bool[total];
        var isFixed = new bool[total];
        var lo = new double[total];
        var hi = new double[total];
        for (var j = 0; j < _n; j++)
        {
            lo[j] = fixedValue[j] == 1 ? 1 : 0;
            hi[j] = fixedValue[j] == 0 ? 0 : 1;
            isFixed[j] = fixedValue[j] >= 0;
            value[j] = hi[j];
            atUpper[j] = true;
        }

        for (var i = 0; i < _m; i++)
        {
            lo[_n + i] = lower[i];
            hi[_n + i] = upper[i];
        }

        var basis = new int[_m];
        var positionOf = Enumerable.Repeat(-1, total).ToArray();
        for (var i = 0; i < _m; i++)
        {
            basis[i] = _n + i;
            positionOf[_n + i] = i;
        }

        // B = −I at the start.
        var inverse = new double[_m, _m];
        for (var i = 0; i < _m; i++) inverse[i, i] = -1;
        var beta = new double[_m];
        ComputeBasicValues(basis, positionOf, value, inverse, beta);

        // Reduced costs of the minimisation: d_j = c_j − πᵀ·column_j with π = c_Bᵀ·B⁻¹ = 0 at the start.
        var d = new double[total];
        for (var j = 0; j < _n; j++) d[j] = isFixed[j] ? 0 : -_w[j];

        var pivots = 0;
        var limit = 50 * (total + 10);
        var rho = new double[_m];
        var alpha = new double[total];
        while (true)
        {
            // Leaving row: the largest bound violation.
            var r = -1;
            var worst = 0.0;
            for (var i = 0; i < _m; i++)
            {
                var v = basis[i];
                var tol = _tolerance * (1 + Math.Abs(beta[i]));
                var below = lo[v] - beta[i];
                var above = beta[i] - hi[v];
                if (below > tol && below > worst) { worst = below; r = i; }
                else if (above > tol && above > worst) { worst = above; r = i; }
            }

            if (r < 0) break;
            if (++pivots > limit) return new Result(Status.Stalled, 0, [], [], []);
            var p = basis[r];
            var delta = beta[r] < lo[p] ? beta[r] - lo[p] : beta[r] - hi[p];

            for (var k = 0; k < _m; k++) rho[k] = inverse[r, k];
            var entering = -1;
            var bestRatio = double.PositiveInfinity;
            var bestAlpha = 0.0;
            for (var j = 0; j < total; j++)
            {
                alpha[j] = 0;
                if (positionOf[j] >= 0 || isFixed[j]) continue;
                double arj;
                if (j < _n)
                {
                    arj = 0;
                    for (var k = 0; k < _m; k++) arj += rho[k] * _a[k, j];
                }
                else
                {
                    arj = -rho[j - _n];
                }

                alpha[j] = arj;
                if (Math.Abs(arj) <= 1e-11) continue;
                // x_p changes by −α_rj·Δx_j; it must move toward the bound it violates.
                var eligible = delta < 0
                    ? (arj < 0 && !atUpper[j] && hi[j] > lo[j]) || (arj > 0 && atUpper[j] && hi[j] > lo[j])
                    : (arj > 0 && !atUpper[j] && hi[j] > lo[j]) || (arj < 0 && atUpper[j] && hi[j] > lo[j]);
                if (!eligible) continue;
                var ratio = Math.Abs(d[j] / arj);
                // Ties: the larger |α| for stability, then the lower index for determinism.
                if (ratio < bestRatio - 1e-12 || (ratio <= bestRatio + 1e-12 && Math.Abs(arj) > Math.Abs(bestAlpha)))
                {
                    bestRatio = ratio;
                    entering = j;
                    bestAlpha = arj;
                }
            }

            if (entering < 0) return new Result(Status.Infeasible, 0, [], [], []);

            // Primal step: x_q moves by δ/α_rq, the basics along the entering column y = B⁻¹·a_q.
            var q = entering;
            var y = new double[_m];
            for (var i = 0; i < _m; i++)
            {
                double yi = 0;
                if (q < _n)
                    for (var k = 0; k < _m; k++) yi += inverse[i, k] * _a[k, q];
                else
                    yi = -inverse[i, q - _n];
                y[i] = yi;
            }

            var step = delta / bestAlpha;
            for (var i = 0; i < _m; i++) beta[i] -= y[i] * step;
            var enteringValue = value[q] + step;

            // Dual step.
            var theta = d[q] / bestAlpha;
            for (var j = 0; j < total; j++)
                if (positionOf[j] < 0 && !isFixed[j]) d[j] -= theta * alpha[j];
            d[q] = 0;
            d[p] = -theta;

            // The leaving variable sits at the bound it violated.
            value[p] = delta < 0 ? lo[p] : hi[p];
            atUpper[p] = delta > 0;
            positionOf[p] = -1;
            basis[r] = q;
            positionOf[q] = r;
            beta[r] = enteringValue;

            // Basis inverse: eliminate along the pivot column.
            var pivot = y[r];
            for (var k = 0; k < _m; k++) inverse[r, k] /= pivot;
            for (var i = 0; i < _m; i++)
            {
                if (i == r || y[i] == 0) continue;
                for (var k = 0; k < _m; k++) inverse[i, k] -= y[i] * inverse[r, k];
            }

            if (pivots % RefactorEvery == 0)
            {
                if (!Refactor(basis, inverse)) return new Result(Status.Stalled, 0, [], [], []);
                ComputeBasicValues(basis, positionOf, value, inverse, beta);
            }
        }

        var x = new double[_n];
        var basic = new bool[_n];
        var reduced = new double[_n];
        double objective = 0;
        for (var j = 0; j < _n; j++)
        {
            x[j] = positionOf[j] >= 0 ? beta[positionOf[j]] : value[j];
            basic[j] = positionOf[j] >= 0;
            reduced[j] = basic[j] || isFixed[j] ? 0 : -d[j];
            objective += _w[j] * x[j];
        }

        return new Result(Status.Optimal, objective, x, reduced, basic);
    }

    // β = B⁻¹·(−N·x_N): the basics solve A·x − r = 0 with the nonbasics at their values.
    private void ComputeBasicValues(int[] basis, int[] positionOf, double[] value, double[,] inverse, double[] beta)
    {
        var rhs = new double[_m];
        for (var j = 0; j < _n; j++)
        {
            if (positionOf[j] >= 0 || value[j] == 0) continue;
            for (var k = 0; k < _m; k++) rhs[k] -= _a[k, j] * value[j];
        }

        for (var i = 0; i < _m; i++)
        {
            var v = _n + i;
            if (positionOf[v] >= 0) continue;
            rhs[i] += value[v];
        }

        for (var i = 0; i < _m; i++)
        {
            double s = 0;
            for (var k = 0; k < _m; k++) s += inverse[i, k] * rhs[k];
            beta[i] = s;
        }
    }

    // Rebuilds B⁻¹ from the basis columns by Gauss–Jordan with partial pivoting; false if B is singular.
    private bool Refactor(int[] basis, double[,] inverse)
    {
        var b = new double[_m, 2 * _m];
        for (var i = 0; i < _m; i++)
        {
            var v = basis[i];
            for (var k = 0; k < _m; k++) b[k, i] = v < _n ? _a[k, v] : (k == v - _n ? -1 : 0);
            b[i, _m + i] = 1;
        }

        for (var col = 0; col < _m; col++)
        {
            var best = col;
            for (var row = col + 1; row < _m; row++)
                if (Math.Abs(b[row, col]) > Math.Abs(b[best, col])) best = row;
            if (Math.Abs(b[best, col]) < 1e-12) return false;
            if (best != col)
                for (var k = 0; k < 2 * _m; k++) (b[col, k], b[best, k]) = (b[best, k], b[col, k]);
            var pv = b[col, col];
            for (var k = 0; k < 2 * _m; k++) b[col, k] /= pv;
            for (var row = 0; row < _m; row++)
            {
                if (row == col || b[row, col] == 0) continue;
                var f = b[row, col];
                for (var k = 0; k < 2 * _m; k++) b[row, k] -= f * b[col, k];
            }
        }

        for (var i = 0; i < _m; i++)
            for (var k = 0; k < _m; k++) inverse[i, k] = b[i, _m + k];
        return true;
    }
}
