namespace Gateway.Rigs;

/// <summary>An MQTT broker of the rig and how to reach it securely.</summary>
/// <param name="Address">Its address (devices' endpoints and operator.mqtt that name it get this security).</param>
/// <param name="Gateway">What the gateway connects with (its own identity: the broker ACL lets only it publish setpoints).</param>
internal sealed record RigBroker(Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress Address, Gateway.Drivers.Mqtt.MqttBrokerSecurity Gateway);

/// <summary>The radial feeder.</summary>
/// <param name="RootNodeId">The node where the feeder meets the grid (the transformer's secondary).</param>
/// <param name="Nodes">Every node with its base load.</param>
/// <param name="Lines">Every line or transformer with its limit.</param>
internal sealed record RigFeeder(string RootNodeId, IReadOnlyList<RigNode> Nodes, IReadOnlyList<RigLine> Lines)
{
    /// <summary>No feeder: a rig read for the simulators only.</summary>
    public static RigFeeder None { get; } = new("", [], []);
}

/// <summary>A feeder node.</summary>
/// <param name="Id">Node id.</param>
/// <param name="BaseLoadKw">Load at the node that does not trade (kW, ≥ 0).</param>
internal sealed record RigNode(string Id, double BaseLoadKw);

/// <summary>A line (or transformer) between two nodes.</summary>
/// <param name="Id">Line id, named in curtailment reasons.</param>
/// <param name="FromNodeId">Upstream node (towards the root).</param>
/// <param name="ToNodeId">Downstream node.</param>
/// <param name="LimitKw">Thermal limit in either direction, kW.</param>
internal sealed record RigLine(string Id, string FromNodeId, string ToNodeId, double LimitKw);

/// <summary>Where settlements go.</summary>
/// <param name="Kind">embedded or fabric.</param>
/// <param name="EmbeddedPath">The embedded ledger's SQLite file.</param>
/// <param name="Fabric">Fabric Gateway settings, when <paramref name="Kind"/> is fabric.</param>
internal sealed record RigLedger(string Kind, string EmbeddedPath, RigFabric? Fabric);

/// <summary>Fabric Gateway connection settings.</summary>
/// <param name="PeerUrl">The peer's Gateway endpoint.</param>
/// <param name="TlsCaPath">The peer organisation's TLS CA.</param>
/// <param name="Channel">The main chain's channel (settlements).</param>
/// <param name="Chaincode">The settlement chaincode on it.</param>
/// <param name="MspId">The client's MSP id.</param>
/// <param name="CertificatePath">The client's certificate.</param>
/// <param name="PrivateKeyPath">The client's private key.</param>
internal sealed record RigFabric(string PeerUrl, string TlsCaPath, string Channel, string Chaincode, string MspId, string CertificatePath, string PrivateKeyPath)
{
    /// <summary>The matching side chain's channel and chaincode (three-channel design); null: kept in the embedded ledger file.</summary>
    public RigFabricChannel? Matching { get; init; }

    /// <summary>The electricity side chain's channel and chaincode (three-channel design); null: kept in the embedded ledger file.</summary>
    public RigFabricChannel? Electricity { get; init; }

    /// <summary>Rounds in flight per stream: endorsed together, submitted in order, their blocks awaited together.</summary>
    public int RoundsInFlight { get; init; } = 16;
}

/// <summary>A side chain's Fabric channel and the chaincode (contract) on it.</summary>
internal sealed record RigFabricChannel(string Channel, string Chaincode);

/// <summary>How operators are reached.</summary>
/// <param name="DashboardListen">host:port of the dashboard (null: no dashboard; port 0: a free port). Loopback unless <see cref="DashboardTls"/> is set.</param>
/// <param name="MqttBroker">The operators' MQTT broker, host:port or mqtt(s)://… (null: no publishing).</param>
/// <param name="RequireAck">Hold each round's dispatch until an operator acknowledges it (or the deadline passes, then dispatch nothing).</param>
/// <param name="AckDeadline">How long to wait for the acknowledgement (wall time).</param>
internal sealed record RigOperator(string? DashboardListen, string? MqttBroker, bool RequireAck, TimeSpan AckDeadline)
{
    /// <summary>Certificate and key (PEM) the dashboard serves HTTPS with; required to listen beyond loopback.</summary>
    public RigTlsFiles? DashboardTls { get; init; }

    /// <summary>Host names (besides the listen address, localhost and 127.0.0.1) the dashboard answers to; others are refused (DNS rebinding).</summary>
    public IReadOnlyList<string> DashboardHosts { get; init; } = [];

    /// <summary>Who may act on the dashboard and how they prove it (empty: nobody may acknowledge).</summary>
    public OperatorCredentials Credentials { get; init; } = OperatorCredentials.None;

    /// <summary>Broker user names allowed to acknowledge over MQTT, each mapped to the operator it stands for.</summary>
    public IReadOnlyDictionary<string, string> MqttAckUsers { get; init; } = new Dictionary<string, string>();
}

/// <summary>A certificate and its private key, PEM files.</summary>
internal sealed record RigTlsFiles(string CertificatePath, string KeyPath);

/// <summary>The market of the site: interval, prices and the economics behind each participant's quotation.</summary>
/// <param name="Interval">Length of one market interval (round).</param>
/// <param name="Rounds">How many rounds a run lasts (null: until stopped).</param>
/// <param name="Currency">Currency of every price (e.g. CNY).</param>
/// <param name="GridPrices">Time-of-use price at which the grid/retailer sells, by time of day.</param>
/// <param name="FeedInPricePerKwh">Price the grid pays for exported energy (a seller's outside option).</param>
/// <param name="SmesEnabled">Whether failed trades fall back to the SMES (off for the paper's "without SMES" case).</param>
/// <param name="MaxSellersPerBuyer">L^a[i]: sellers one buyer may buy from in a round.</param>
/// <param name="MaxBuyersPerSeller">L[j]: buyers one seller may serve in a round.</param>
/// <param name="Economics">Parameters of the benefit functions (Li et al. eqs. 1–4).</param>
/// <param name="SetpointToleranceKw">A read-back within this of the setpoint confirms it.</param>
/// <param name="ReadBackDeadline">How long a device may take to confirm a setpoint.</param>
/// <param name="Rules">How rounds are cleared (market.rules; the paper as written unless set).</param>
internal sealed record RigMarket(
    TimeSpan Interval,
    int? Rounds,
    string Currency,
    IReadOnlyList<TouBand> GridPrices,
    double FeedInPricePerKwh,
    bool SmesEnabled,
    int MaxSellersPerBuyer,
    int MaxBuyersPerSeller,
    RigEconomics Economics,
    double SetpointToleranceKw,
    TimeSpan ReadBackDeadline,
    Gateway.Market.Model.MarketRules? Rules = null)
{
    /// <summary>The grid price in force at <paramref name="timeOfDay"/>.</summary>
    public double GridPriceAt(TimeOnly timeOfDay)
    {
        var price = GridPrices[^1].PricePerKwh;
        foreach (var band in GridPrices)
        {
            if (band.From <= timeOfDay) price = band.PricePerKwh;
        }
        return price;
    }
}

/// <summary>A time-of-use band: from this time of day on, this price applies (until the next band).</summary>
internal sealed record TouBand(TimeOnly From, double PricePerKwh);

/// <summary>Benefit-function parameters (Li et al. eqs. 1–4), shared by all participants of a kind.</summary>
/// <param name="EvChargingPricePerKwh">p0: what an EV pays to charge at its home charger.</param>
/// <param name="TransferEfficiency">η: efficiency of V2V power transfer.</param>
/// <param name="EvConsumptionKwhPerKm">λ: an EV's consumption per km.</param>
/// <param name="DistanceToChargerKm">D: distance an EV drives to the charging point.</param>
/// <param name="BatteryDegradationPerKwh">Battery depreciation per kWh discharged (an extension beyond the paper).</param>
/// <param name="PvOperatingCostPerKwh">k_pv.</param>
/// <param name="SmesOperatingCostPerKwh">k_sm.</param>
/// <param name="BatteryWearPerTrade">B_j of eq. 3: battery depreciation per trade.</param>
internal sealed record RigEconomics(
    double EvChargingPricePerKwh,
    double TransferEfficiency,
    double EvConsumptionKwhPerKm,
    double DistanceToChargerKm,
    double BatteryDegradationPerKwh,
    double PvOperatingCostPerKwh,
    double SmesOperatingCostPerKwh,
    double BatteryWearPerTrade = 0);

/// <summary>A lab bench's safety hardware on the gateway's GPIO: the emergency-stop loop and the contactor it controls.</summary>
/// <param name="GpioChip">The GPIO chip (gpiochipN) both pins belong to: 0 on a Raspberry Pi 4, 4 on a Pi 5 (older kernels) or 0 (6.6.45+).</param>
/// <param name="EmergencyStop">The e-stop input.</param>
/// <param name="Contactor">The contactor output (null: the bench has none the gateway drives).</param>
internal sealed record RigSafety(int GpioChip, RigEmergencyStop EmergencyStop, RigContactor? Contactor);

/// <summary>The emergency-stop input: a normally-closed loop on a GPIO line.</summary>
/// <param name="Pin">GPIO line (BCM numbering on a Raspberry Pi).</param>
/// <param name="ClosedLevelHigh">True when the intact loop reads high; false (the usual wiring: loop to ground, pull-up) when it reads low.</param>
/// <param name="Debounce">How long a new level must hold before it counts.</param>
internal sealed record RigEmergencyStop(int Pin, bool ClosedLevelHigh, TimeSpan Debounce);

/// <summary>The contactor output: a GPIO line driving a relay driver whose relay switches the contactor coil.</summary>
/// <param name="Pin">GPIO line (BCM numbering on a Raspberry Pi).</param>
/// <param name="ClosedLevelHigh">True when driving the line high closes the contactor.</param>
internal sealed record RigContactor(int Pin, bool ClosedLevelHigh);

/// <summary>An INA219 power monitor on I²C, used as a DC meter.</summary>
/// <param name="Bus">I²C bus number (1: /dev/i2c-1, the Raspberry Pi's header pins 3 and 5).</param>
/// <param name="Address">7-bit address, 0x40–0x4F (A0/A1 straps).</param>
/// <param name="ShuntOhms">Shunt resistance, Ω.</param>
/// <param name="MaxCurrentA">Largest current expected, A.</param>
/// <param name="ExportSign">+1 when current IN+ → IN− is delivered to the grid, −1 when it is taken from it.</param>
/// <param name="BusVoltageRangeV">16 or 32.</param>
internal sealed record RigIna219(int Bus, int Address, double ShuntOhms, double MaxCurrentA, int ExportSign, int BusVoltageRangeV);
