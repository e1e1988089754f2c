using Gateway.Runtime.Journal;
using HostRig = Gateway.Rigs.RigDefinition;

namespace Gateway.Reliability.Tests;

/// <summary>
/// Which rounds dispatched the whole site. Every device the gateway may set (a charger, PV inverter or SMES not
/// read-only) gets a setpoint in every round, an idle one included, unless it is isolated: then it sits the round out
/// and no setpoint is planned for it. "Every setpoint confirmed" alone would call such a round clean, so a fault that
/// isolates a device (a broker gone, a silent charger) could leave no trace and a recovery could be declared before
/// the device was back. A round is whole only when each of those devices has a confirmed setpoint in it.
/// </summary>
internal sealed class SiteDispatch
{
    private readonly string[] _dispatchable;

    public SiteDispatch(HostRig rig)
    {
        _dispatchable = rig.Devices.Where(d => !d.ReadOnly && d.Kind is "charger" or "pv-inverter" or "smes").Select(d => d.Id).ToArray();
    }

    /// <summary>The devices among the dispatchable ones with no setpoint at all in the round (sat it out).</summary>
    public IEnumerable<string> SatOut(IEnumerable<JournalSetpoint> roundSetpoints)
    {
        var present = roundSetpoints.Select(s => s.DeviceId).ToHashSet(StringComparer.Ordinal);
        return _dispatchable.Where(id => !present.Contains(id));
    }

    /// <summary>Every setpoint of the round confirmed, and every dispatchable device among them.</summary>
    public bool IsWhole(IReadOnlyCollection<JournalSetpoint> roundSetpoints) =>
        roundSetpoints.Count > 0 && roundSetpoints.All(s => s.Status == SetpointStatus.Confirmed) && !SatOut(roundSetpoints).Any();

    /// <summary>
    /// Why the latest round at or past <paramref name="atLeast"/> is not whole, for a failure message: the devices that sat
    /// it out and the setpoints not confirmed (with the journal's detail); "" when it is whole or the journal cannot be read.
    /// </summary>
    public string WhyNotWhole(string journal, RoundState atLeast = RoundState.Delivering) => ReadOr(journal, "", () =>
    {
        if (JournalView.Rounds(journal).Where(r => r.State >= atLeast).MaxBy(r => r.IntervalStart) is not { } last) return "";
        var setpoints = JournalView.Setpoints(journal).Where(s => s.RoundId == last.RoundId).ToList();
        var satOut = SatOut(setpoints).ToList();
        var open = setpoints.Where(s => s.Status != SetpointStatus.Confirmed).Select(s => $"{s.DeviceId} {s.Status} ({s.Detail})").ToList();
        if (satOut.Count == 0 && open.Count == 0) return "";
        return $"round {last.RoundId}: {satOut.Count} device(s) sat it out [{string.Join(", ", satOut.Take(20))}]; "
            + $"{open.Count} setpoint(s) not confirmed [{string.Join("; ", open.Take(20))}]";
    });

    /// <summary>
    /// Rounds at or past <paramref name="atLeast"/> that are whole; with <paramref name="notAmong"/>, only rounds the
    /// journal did not hold yet when that set was taken (begun after it: none of their setpoints went out before).
    /// 0 while the journal cannot be read.
    /// </summary>
    public int WholeRounds(string journal, RoundState atLeast = RoundState.Delivering, IReadOnlySet<string>? notAmong = null) => ReadOr(journal, 0, () =>
    {
        var byRound = JournalView.Setpoints(journal).GroupBy(s => s.RoundId).ToDictionary(g => g.Key, g => (IReadOnlyCollection<JournalSetpoint>)g.ToList(), StringComparer.Ordinal);
        return JournalView.Rounds(journal).Count(r => r.State >= atLeast && notAmong?.Contains(r.RoundId) != true
            && byRound.TryGetValue(r.RoundId, out var sps) && IsWhole(sps));
    });

    // The journal is read while the gateway writes it: before it exists, or while SQLite reports it busy, the answer is
    // the fallback and the caller's wait asks again.
    private static T ReadOr<T>(string journal, T fallback, Func<T> read)
    {
        if (!File.Exists(journal)) return fallback;
        try
        {
            return read();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return fallback;
        }
    }
}
