namespace Gateway.Market.Grid;

/// <summary>
/// The flows a line may carry after the market's decision, kW in the line's orientation (+ = away from the root):
/// [−limit, +limit], widened to the base flow where base load alone already exceeds the limit — the market cannot relieve
/// such a line and must not make it worse.
/// </summary>
internal readonly record struct LineWindow(double LowKw, double HighKw)
{
    /// <summary>The window of a line with thermal limit <paramref name="limitKw"/> and base flow <paramref name="baseFlowKw"/>.</summary>
    public static LineWindow For(double limitKw, double baseFlowKw) => new(Math.Min(-limitKw, baseFlowKw), Math.Max(limitKw, baseFlowKw));

    /// <summary>How far <paramref name="flowKw"/> lies outside the window (≤ 0 when inside: then minus the margin to the nearer end).</summary>
    public double Excess(double flowKw) => Math.Max(flowKw - HighKw, LowKw - flowKw);

    /// <summary>Slack below which a flow counts as at its limit, scaled to the line's size.</summary>
    public double Tolerance => 1e-9 * Math.Max(1, Math.Max(Math.Abs(LowKw), Math.Abs(HighKw)));
}
