using Gateway.Runtime.Status;

namespace Gateway.Runtime.Worker;

/// <summary>What the round loop tells the verb that runs it (progress on the console, the run's record, systemd).</summary>
/// <remarks>Public: the executable implements it (progress table, run record, systemd status), so the loop knows nothing of the console.</remarks>
public interface IRoundLoopObserver
{
    /// <summary>The gateway is up (dashboard listening, devices being polled); no round has run.</summary>
    void Starting(GatewayRuntime runtime);

    /// <summary>Every device was polled once (or the wait for that ended): rounds begin.</summary>
    void Ready();

    /// <summary>A round a previous run left open was finished.</summary>
    void Resumed(RoundOutcome outcome);

    /// <summary>An interval before the next round was never traded.</summary>
    void Skipped(RoundSummary row);

    /// <summary>A round ran to its end (closed, parked or interrupted).</summary>
    void Traded(RoundOutcome outcome);

    /// <summary>A round failed; the next interval is traded as usual.</summary>
    void Failed(string roundId, DateTimeOffset intervalStart, string error);
}
