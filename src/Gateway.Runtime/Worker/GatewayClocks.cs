namespace Gateway.Runtime.Worker;

/// <summary>
/// The gateway's two clocks, kept apart by name. <see cref="Plant"/> is the simulated plant's (market intervals, polling,
/// setpoint validity), accelerated on simulated rigs; <see cref="Wall"/> is wall time for everything that reaches the
/// outside world (ledger proposals and their deadlines, outbox retries, brokers, operators, acknowledgements). Wall time
/// is also the one <see cref="TimeProvider"/> the service container hands out.
/// </summary>
/// <param name="Plant">The plant's clock.</param>
/// <param name="Wall">Wall time.</param>
internal sealed record GatewayClocks(TimeProvider Plant, TimeProvider Wall);
