namespace Gateway.Runtime.Worker;

/// <summary>How <c>gateway run</c> runs its rounds.</summary>
/// <param name="Rounds">Stop after this many rounds (resumed and failed ones count); null: until stopped.</param>
/// <param name="Signals">The first signal finishes or parks the round and ends the loop; the second abandons the step that runs.</param>
/// <param name="Observer">Told of every round.</param>
/// <param name="FirstPollTimeout">Real time to wait for every device to be polled once before the first round.</param>
/// <remarks>Public: <c>gateway run</c> hands it to <see cref="GatewayRuntime.StartAsync(Gateway.Rigs.RigDefinition, Microsoft.Extensions.Logging.ILoggerFactory, RoundLoopOptions, IReadOnlyDictionary{string, string}?, TimeProvider?, Gateway.Runtime.Scheduling.LockstepPlant?, CancellationToken)"/>.</remarks>
public sealed record RoundLoopOptions(int? Rounds, StopSignals Signals, IRoundLoopObserver Observer, TimeSpan FirstPollTimeout);
