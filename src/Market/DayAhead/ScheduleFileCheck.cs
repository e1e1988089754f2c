namespace Gateway.Market.DayAhead;

/// <summary>Re-checks a schedule read from a file: every constraint of the model, and the objective it states against the one its flows give.</summary>
public static class ScheduleFileCheck
{
    /// <summary>Largest difference between the stated and the recomputed objective that still counts as equal, Yuan.</summary>
    public const double ObjectiveToleranceYuan = 1e-6;

    /// <summary>Violations (empty when the schedule holds) and the recomputed outcome.</summary>
    public static (IReadOnlyList<string> Violations, DayAheadOutcome Outcome) Check(ScheduleFileContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var violations = ScheduleChecker.Check(content.Market, content.Schedule).ToList();
        var outcome = DayAheadEconomics.Evaluate(content.Market, content.Schedule);
        if (content.StatedObjective is double stated && !(Math.Abs(stated - outcome.Objective) <= ObjectiveToleranceYuan * Math.Max(1.0, Math.Abs(outcome.Objective))))
        {
            violations.Add(FormattableString.Invariant($"objective: the file states {stated:R} Yuan, its flows give {outcome.Objective:R} Yuan"));
        }
        return (violations, outcome);
    }
}
