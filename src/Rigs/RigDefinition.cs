namespace Gateway.Rigs;

/// <summary>The device part of a rig file: the site, its simulated clock and its devices.</summary>
public sealed record RigDefinition
{
    /// <summary>Site id.</summary>
    public required string Site { get; init; }
    /// <summary>Simulated time at start.</summary>
    public required DateTimeOffset Start { get; init; }
    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; } = 1;
    /// <summary>The devices, in file order.</summary>
    public required IReadOnlyList<RigDevice> Devices { get; init; }
    /// <summary>The file the rig came from (for resolving relative profile paths and for errors).</summary>
    public string SourcePath { get; init; } = "";
    /// <summary>How the simulated devices reach each secured broker (the rig's <c>brokers[].sims</c>: TLS files, user, password source).</summary>
    public IReadOnlyList<SimBroker> Brokers { get; init; } = [];

    /// <summary>The broker at <paramref name="endpoint"/> and the security the simulated devices use with it.</summary>
    public (Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress Address, Gateway.Drivers.Mqtt.MqttBrokerSecurity Security) Broker(string endpoint)
    {
        var parsed = Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Parse(endpoint);
        var bare = parsed.WithoutCredentials();
        var security = Brokers.FirstOrDefault(b => b.Address == bare)?.Security ?? new Gateway.Drivers.Mqtt.MqttBrokerSecurity();
        security = security with { Tls = security.Tls || parsed.UseTls };
        if (parsed.UserName is not null && security.UserName is null) security = security with { UserName = parsed.UserName, Password = parsed.Password };
        return (bare, security);
    }
}

/// <summary>A secured broker as the simulated devices reach it (their own identity, not the gateway's).</summary>
/// <param name="Address">The broker (without credentials).</param>
/// <param name="Security">TLS and credentials of the devices.</param>
public sealed record SimBroker(Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress Address, Gateway.Drivers.Mqtt.MqttBrokerSecurity Security);
