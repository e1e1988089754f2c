using System.Globalization;

namespace Gateway.Runtime.Worker;

/// <summary>
/// Wall-clock seconds one round spent in each of its steps, so a round that runs late says where its time went (a lab
/// at ×60 has 15 s per interval, and a round that cannot begin within the first half of the next interval costs that
/// interval). Steps a resumed round skipped are 0.
/// </summary>
/// <param name="LateSeconds">How far into its interval the round began (plant time converted to wall time).</param>
/// <param name="RefreshSeconds">Reading every device afresh for the quotations.</param>
/// <param name="ClearSeconds">Building the quotations, clearing the market and journaling the decision.</param>
/// <param name="DispatchSeconds">Writing and reading back every setpoint, re-checks included.</param>
/// <param name="StartMetersSeconds">Reading the energy counters at the start of delivery.</param>
/// <param name="EndMetersSeconds">Reading the energy counters at the end of the interval.</param>
/// <param name="SettleSeconds">Settlements from the metered energy, the ledger records and their commit to the outbox.</param>
internal sealed record RoundPhaseTimes(double LateSeconds, double RefreshSeconds, double ClearSeconds, double DispatchSeconds,
    double StartMetersSeconds, double EndMetersSeconds, double SettleSeconds)
{
    /// <summary>One line for the log: each step's wall time.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"began {LateSeconds:0.00} s into its interval; fresh readings {RefreshSeconds:0.00} s, cleared {ClearSeconds:0.00} s, dispatched {DispatchSeconds:0.00} s, meters {StartMetersSeconds:0.00} s at the start and {EndMetersSeconds:0.00} s at the end, settled {SettleSeconds:0.00} s (wall time)");
}
