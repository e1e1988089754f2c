namespace Gateway.Market.Solvers;

/// <summary>Direction of a linear program's objective.</summary>
public enum ObjectiveSense
{
    /// <summary>Minimise the objective.</summary>
    Minimize,
    /// <summary>Maximise the objective.</summary>
    Maximize,
}
