using Gateway.Runtime.Devices;
using Gateway.Runtime.Ledger;
using Gateway.Rigs;
using Gateway.Runtime.Safety;
using Gateway.Runtime.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Worker;

/// <summary>What a gateway is composed from: the checked rig, its clocks, and what was opened before the container (the ledgers).</summary>
/// <param name="Rig">The rig the gateway runs.</param>
/// <param name="Clocks">The plant's clock and wall time.</param>
/// <param name="Ledgers">The three streams' ledgers, opened (and the Fabric peer dialled) before anything is built.</param>
/// <param name="Loggers">Where everything logs; owned by the caller.</param>
/// <param name="EndpointOverrides">Device endpoints by device id that replace the rig's (the ports a simulator picked).</param>
/// <param name="PollerOptions">How devices are polled and isolated.</param>
/// <param name="LabHardware">The lab's GPIO and I²C.</param>
/// <param name="Lockstep">The lockstep plant, when the simulators' clock is stepped with the rounds.</param>
internal sealed record GatewayStartup(
    RigDefinition Rig,
    GatewayClocks Clocks,
    LedgerSet Ledgers,
    ILoggerFactory Loggers,
    IReadOnlyDictionary<string, string>? EndpointOverrides,
    DevicePollerOptions PollerOptions,
    LabHardware LabHardware,
    LockstepPlant? Lockstep)
{
    /// <summary>The round loop of <c>gateway run</c>, run as a hosted service; null: the caller ticks the rounds itself (tests, benches).</summary>
    public RoundLoopOptions? RoundLoop { get; init; }

    /// <summary>The runtime built over the container, for the round loop; set once, before the host starts.</summary>
    public GatewayRuntime? Runtime { get; set; }
}
