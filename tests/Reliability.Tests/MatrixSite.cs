using System.Globalization;
using System.Net;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Testing;
using HostRig = Gateway.Rigs.RigDefinition;
using HostRigLoader = Gateway.Rigs.RigLoader;

namespace Gateway.Reliability.Tests;

/// <summary>What a matrix site is made of.</summary>
internal sealed record MatrixSiteOptions
{
    /// <summary>Simulated seconds per real second (600: a 15-minute interval in 1.5 s).</summary>
    public double TimeScale { get; init; } = 600;

    /// <summary>Simulated start of the day.</summary>
    public string Start { get; init; } = "2026-06-01T10:00:00Z";

    /// <summary>When set, ev-a and smes-a speak MQTT through this broker port.</summary>
    public int? MqttPort { get; init; }

    /// <summary>Folder for journal (and its measurement log); the rig's folder when null.</summary>
    public string? JournalDirectory { get; init; }

    /// <summary>Seed of the proxies' random faults.</summary>
    public int Seed { get; init; } = 17;

    /// <summary>When set, the gateway settles on this Fabric peer instead of the embedded ledger.</summary>
    public MatrixFabricPeer? Fabric { get; init; }
}

/// <summary>
/// A small site for the fault matrix: 3 V2G chargers, a PV inverter, the SMES and the site meter behind a congested
/// line, each device a real simulator with its own Modbus TCP server on loopback and a <see cref="FaultProxy"/> in
/// front of it, so a fault hits one device's link the way a bad cable or a dying device would. Journal and ledger in a
/// temp folder; the gateway runs as its own process against <see cref="ProxiedSite.EndpointsFile"/> (the proxies' addresses).
/// </summary>
internal sealed class MatrixSite : ProxiedSite
{
    private readonly MatrixFabricPeer? _fabric;

    private MatrixSite(SimulatedSite site, Dictionary<string, FaultProxy> proxies, string endpointsFile, MatrixFabricPeer? fabric)
        : base(site, [.. proxies.Values], endpointsFile)
    {
        Proxies = proxies;
        _fabric = fabric;
    }

    public IReadOnlyDictionary<string, FaultProxy> Proxies { get; }
    public string JournalPath => Rig.JournalPath;
    public string LedgerPath => Rig.Ledger.EmbeddedPath;
    public string ReportDirectory => Path.Combine(Directory, "report");

    public static string Yaml(MatrixSiteOptions o)
    {
        var scale = o.TimeScale.ToString(CultureInfo.InvariantCulture);
        string Modbus(int unit, string profile) => $"protocol: modbus-tcp, endpoint: \"127.0.0.1:0\", unitId: {unit}, profile: {profile}";
        var evA = o.MqttPort is { } p ? $"protocol: mqtt, endpoint: \"mqtt://127.0.0.1:{p}\", profile: mqtt-charger" : Modbus(1, "v2g-charger");
        var smes = o.MqttPort is { } q ? $"protocol: mqtt, endpoint: \"mqtt://127.0.0.1:{q}\", profile: mqtt-smes-converter" : Modbus(5, "smes-converter");
        var journal = o.JournalDirectory is { } j ? Path.Combine(j, "journal.db") : "journal.db";
        var ledger = o.Fabric?.RigLedgerYaml() ?? "ledger: { kind: embedded, path: ledger.db }";
        return $$"""
            site: matrix
            start: {{o.Start}}
            timeScale: {{scale}}
            devices:
              - { id: ev-a, kind: charger, node: n2, {{evA}}, pollSeconds: 60,
                  sim: { batteryKwh: 60, socAtArrivalPercent: 90, arrival: "00:00", departure: "23:59", targetSocPercent: 40, maxChargeKw: 11, maxDischargeKw: 11 } }
              - { id: ev-b, kind: charger, node: n3, {{Modbus(2, "v2g-charger")}}, pollSeconds: 60,
                  sim: { batteryKwh: 80, socAtArrivalPercent: 15, arrival: "00:00", departure: "23:59", targetSocPercent: 95, maxChargeKw: 7.4, maxDischargeKw: 7.4 } }
              - { id: ev-c, kind: charger, node: n2, {{Modbus(3, "v2g-charger")}}, pollSeconds: 60,
                  sim: { batteryKwh: 80, socAtArrivalPercent: 20, arrival: "00:00", departure: "23:59", targetSocPercent: 95, maxChargeKw: 7.4, maxDischargeKw: 7.4 } }
              - { id: pv-a, kind: pv-inverter, node: n2, {{Modbus(4, "sunspec-inverter")}}, pollSeconds: 60,
                  sim: { ratedKwp: 12, irradiance: { clearSky: { peakWPerM2: 950, sunrise: "05:00", sunset: "21:00" } } } }
              - { id: smes-a, kind: smes, node: n3, {{smes}}, pollSeconds: 60,
                  sim: { inductanceH: 40, maxCurrentA: 1200, minCurrentA: 100, initialCurrentA: 800, maxPowerKw: 50 } }
              - { id: meter-a, kind: meter, node: n0, {{Modbus(6, "sunspec-meter")}}, pollSeconds: 60, sim: { } }
            feeder:
              root: n0
              nodes: [ { id: n0 }, { id: n1 }, { id: n2 }, { id: n3, baseLoadKw: 0.5 } ]
              lines:
                - { id: T1, from: n0, to: n1, limitKw: 100 }
                - { id: L12, from: n1, to: n2, limitKw: 40 }
                - { id: L13, from: n1, to: n3, limitKw: 6 }
            market:
              intervalMinutes: 15
              gridPrices: [ { from: "00:00", pricePerKwh: 0.36 }, { from: "10:00", pricePerKwh: 1.01 }, { from: "15:00", pricePerKwh: 0.62 } ]
              feedInPricePerKwh: 0.3
              readBackSeconds: 5
            {{ledger}}
            journal: { path: {{journal}} }
            """;
    }

    public static async Task<MatrixSite> StartAsync(MatrixSiteOptions? options = null)
    {
        options ??= new MatrixSiteOptions();
        // No port base: every device gets a server of its own on a free port, so a proxy can stand in front of each.
        var site = await SimulatedSite.StartAsync(Yaml(options), "matrix-");
        var proxies = new Dictionary<string, FaultProxy>(StringComparer.Ordinal);
        var endpoints = new List<(string, string)>();
        var seed = options.Seed;
        foreach (var e in site.Sims.Endpoints.Where(e => e.Uri.StartsWith("modbus-tcp://", StringComparison.Ordinal)))
        {
            var uri = new Uri(e.Uri);
            var proxy = new FaultProxy(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port), Framings.ModbusTcp, seed++);
            proxy.Start();
            proxies[e.Id] = proxy;
            endpoints.Add((e.Id, $"modbus-tcp://{proxy.LocalEndpoint}"));
        }
        return new MatrixSite(site, proxies, site.WriteEndpointsFile(endpoints), options.Fabric);
    }

    /// <summary>Start <c>gateway run</c> on this site.</summary>
    public GatewayProcess RunGateway(int? rounds = null) => GatewayProcess.Run(RigPath, EndpointsFile, rounds, ReportDirectory);

    /// <summary>Rounds the journal holds in a state at or past <paramref name="state"/>.</summary>
    public int RoundsAtLeast(Gateway.Runtime.Journal.RoundState state) => JournalView.TryRounds(JournalPath).Count(r => r.State >= state);

    /// <summary>The rounds the journal holds now, whatever their state.</summary>
    public IReadOnlySet<string> RoundIds() => JournalView.TryRounds(JournalPath).Select(r => r.RoundId).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Rounds at or past <paramref name="atLeast"/> (by default: dispatched, now delivering) that dispatched the whole site
    /// with every setpoint confirmed (<see cref="SiteDispatch"/>); with <paramref name="notAmong"/>, only rounds begun after
    /// that set was taken.
    /// </summary>
    public int ConfirmedRounds(Gateway.Runtime.Journal.RoundState atLeast = Gateway.Runtime.Journal.RoundState.Delivering, IReadOnlySet<string>? notAmong = null) =>
        new SiteDispatch(Rig).WholeRounds(JournalPath, atLeast, notAmong);


    /// <summary>The settlements the ledger holds: the embedded ledger's file, or what the Fabric peer committed.</summary>
    public IReadOnlyList<SettlementRow> LedgerSettlements() => _fabric?.CommittedSettlements() ?? JournalView.Ledger(LedgerPath);

    /// <summary>
    /// <c>gateway ledger verify</c>: the embedded ledger's hash chain (<c>--db</c>), or for Fabric the journal against the
    /// peer's chains (<c>--rig</c>: every journaled settlement, decision and delivery there exactly once, identical, nothing
    /// pending or dead-lettered).
    /// </summary>
    public Task<(bool Ok, string Output)> VerifyLedgerAsync() =>
        _fabric is null ? GatewayProcess.VerifyLedgerAsync(LedgerPath) : GatewayProcess.VerifyRigLedgerAsync(RigPath);

    public RunAudit Audit() => new() { Rig = Rig, Sims = Sims.Rig, JournalPath = JournalPath, Writes = Writes, LedgerSettlements = LedgerSettlements };
}
