namespace Gateway.Rigs;

/// <summary>
/// A rig file, read once by <see cref="RigLoader"/>: the site, its simulated clock and its devices (each with how the gateway
/// reaches it and, on a simulated rig, what the simulator makes it do), and the gateway's sections (feeder, market, ledger,
/// operator, brokers, safety, journal).
/// </summary>
public sealed record RigDefinition
{
    /// <summary>The rig file it was read from (for resolving relative paths and for errors).</summary>
    public required string SourceFile { get; init; }
    /// <summary>Site id: prefix of round ids and operator topics.</summary>
    public required string SiteId { get; init; }
    /// <summary>Simulated start of the scenario (null on a real bench: the gateway runs on real time; always set on a rig read for the simulators).</summary>
    public DateTimeOffset? StartUtc { get; init; }
    /// <summary>Simulated seconds per real second (1 on a real bench).</summary>
    public double TimeScale { get; init; } = 1;
    /// <summary>Every device of the site, in file order.</summary>
    public required IReadOnlyList<RigDevice> Devices { get; init; }
    /// <summary>How the simulated devices reach each secured broker (the rig's <c>brokers[].sims</c>: TLS files, user, password source).</summary>
    public IReadOnlyList<SimBroker> SimBrokers { get; init; } = [];

    /// <summary>The simulated clock's start: <see cref="StartUtc"/>, which a rig read for the simulators always has.</summary>
    public DateTimeOffset Start => StartUtc ?? default;

    // The gateway's sections. A rig read for the simulators only (RigLoader.LoadSimulated) has none of them: each is held
    // nullable and its accessor names the missing section instead of handing the gateway a null it would trip over later.
    private readonly RigMarket? _market;
    private readonly RigLedger? _ledger;
    private readonly RigOperator? _operator;

    /// <summary>The radial feeder the trades flow over (empty on a rig read for the simulators only).</summary>
    internal RigFeeder Feeder { get; init; } = RigFeeder.None;
    /// <summary>Market interval, prices and participant economics.</summary>
    /// <exception cref="InvalidOperationException">The rig was read for the simulators only.</exception>
    internal RigMarket Market { get => _market ?? throw GatewaySectionMissing("market"); init => _market = value; }
    /// <summary>Where settlements are committed.</summary>
    /// <exception cref="InvalidOperationException">The rig was read for the simulators only.</exception>
    internal RigLedger Ledger { get => _ledger ?? throw GatewaySectionMissing("ledger"); init => _ledger = value; }
    /// <summary>How operators are reached (dashboard, MQTT).</summary>
    /// <exception cref="InvalidOperationException">The rig was read for the simulators only.</exception>
    internal RigOperator Operator { get => _operator ?? throw GatewaySectionMissing("operator"); init => _operator = value; }
    /// <summary>The gateway's round journal (SQLite).</summary>
    internal string JournalPath { get; init; } = "";
    /// <summary>Security of the MQTT brokers the rig uses as the gateway reaches them (TLS, user, password source), by address.</summary>
    internal IReadOnlyList<RigBroker>? Brokers { get; init; }
    /// <summary>The bench's safety hardware (e-stop, contactor); null when the rig declares none.</summary>
    internal RigSafety? Safety { get; init; }

    /// <summary>
    /// The broker at <paramref name="address"/> with the security the rig gives the gateway (matched on scheme, host and port),
    /// merged with a user and password written in the address itself.
    /// </summary>
    internal (Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress Address, Gateway.Drivers.Mqtt.MqttBrokerSecurity Security) Broker(string address)
    {
        var parsed = Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Parse(address.Contains("://", StringComparison.Ordinal) ? address : "mqtt://" + address);
        return Merge(parsed, Brokers?.FirstOrDefault(b => b.Address.WithoutCredentials() == parsed.WithoutCredentials())?.Gateway);
    }

    /// <summary>The broker at <paramref name="endpoint"/> and the security the simulated devices use with it (their own identity, not the gateway's).</summary>
    public (Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress Address, Gateway.Drivers.Mqtt.MqttBrokerSecurity Security) SimulatorBroker(string endpoint)
    {
        var parsed = Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Parse(endpoint);
        return Merge(parsed, SimBrokers.FirstOrDefault(b => b.Address == parsed.WithoutCredentials())?.Security);
    }

    private InvalidOperationException GatewaySectionMissing(string section)
        => new($"the rig {SourceFile} was read for the simulators only, which has no {section} section: read it with RigLoader.Load for the gateway");

    private static (Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress, Gateway.Drivers.Mqtt.MqttBrokerSecurity) Merge(
        Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress parsed, Gateway.Drivers.Mqtt.MqttBrokerSecurity? known)
    {
        var security = known ?? new Gateway.Drivers.Mqtt.MqttBrokerSecurity();
        security = security with { Tls = security.Tls || parsed.UseTls };
        if (parsed.UserName is not null && security.UserName is null) security = security with { UserName = parsed.UserName, Password = parsed.Password };
        return (parsed.WithoutCredentials(), security);
    }
}

/// <summary>A secured broker as the simulated devices reach it (their own identity, not the gateway's).</summary>
/// <param name="Address">The broker (without credentials).</param>
/// <param name="Security">TLS and credentials of the devices.</param>
public sealed record SimBroker(Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress Address, Gateway.Drivers.Mqtt.MqttBrokerSecurity Security);
