namespace Gateway.Market.Solvers;

/// <summary>How a solve ended.</summary>
public enum LinearSolutionStatus
{
    /// <summary>Proven optimal.</summary>
    Optimal,
    /// <summary>Proven infeasible (no point satisfies the constraints).</summary>
    Infeasible,
    /// <summary>The objective is unbounded in the optimisation direction.</summary>
    Unbounded,
    /// <summary>Stopped on an iteration, node or time limit before proving optimality.</summary>
    IterationLimit,
    /// <summary>The solver gave up (numerical trouble or another error).</summary>
    Error,
}
