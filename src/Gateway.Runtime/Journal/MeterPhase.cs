namespace Gateway.Runtime.Journal;

/// <summary>Which end of a market interval an energy-counter reading belongs to.</summary>
internal enum MeterPhase
{
    /// <summary>Read when the round's setpoints take effect.</summary>
    Start,
    /// <summary>Read when the interval ends; start → end is the metered energy.</summary>
    End,
}
