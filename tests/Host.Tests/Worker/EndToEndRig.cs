using Gateway.DeviceSims.Hosting;
using RigDefinition = Gateway.Rigs.RigDefinition;
using RigLoader = Gateway.Rigs.RigLoader;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// A small simulated site for end-to-end tests: 3 EVs, 1 PV, 1 SMES and the meter behind a
/// congested line, served by the real simulators over Modbus TCP on loopback (one server on a free port, a unit id per device,
/// like a TCP-to-RTU gateway),
/// with journal and ledger in a temp folder.
/// </summary>
internal sealed class EndToEndRig : IAsyncDisposable
{
    public const string Yaml = """
        site: e2e
        start: 2026-06-01T11:00:00Z
        timeScale: 300
        devices:
          - { id: ev-a, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 1, profile: v2g-charger, pollSeconds: 30,
              sim: { batteryKwh: 60, socAtArrivalPercent: 90, arrival: "06:00", departure: "20:00", targetSocPercent: 50, maxChargeKw: 11, maxDischargeKw: 11 } }
          - { id: ev-b, kind: charger, node: n3, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 2, profile: v2g-charger, pollSeconds: 30,
              sim: { batteryKwh: 50, socAtArrivalPercent: 20, arrival: "06:00", departure: "20:00", targetSocPercent: 90, maxChargeKw: 7.4, maxDischargeKw: 7.4 } }
          - { id: ev-c, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 3, profile: v2g-charger, pollSeconds: 30,
              sim: { batteryKwh: 40, socAtArrivalPercent: 30, arrival: "06:00", departure: "20:00", targetSocPercent: 80, maxChargeKw: 7.4, maxDischargeKw: 7.4 } }
          - { id: pv-a, kind: pv-inverter, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 4, profile: sunspec-inverter, pollSeconds: 30,
              sim: { ratedKwp: 12, irradiance: { clearSky: { peakWPerM2: 950, sunrise: "06:00", sunset: "20:00" } } } }
          - { id: smes-a, kind: smes, node: n3, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 5, profile: smes-converter, pollSeconds: 30,
              sim: { inductanceH: 40, maxCurrentA: 1200, minCurrentA: 100, initialCurrentA: 800, maxPowerKw: 50 } }
          - { id: meter-a, kind: meter, node: n0, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 6, profile: sunspec-meter, pollSeconds: 30, sim: { } }
        feeder:
          root: n0
          nodes: [ { id: n0 }, { id: n1 }, { id: n2 }, { id: n3, baseLoadKw: 0.5 } ]
          lines:
            - { id: T1, from: n0, to: n1, limitKw: 100 }
            - { id: L12, from: n1, to: n2, limitKw: 40 }
            - { id: L13, from: n1, to: n3, limitKw: 3 }
        market:
          intervalMinutes: 15
          rounds: 3
          gridPrices: [ { from: "00:00", pricePerKwh: 0.36 }, { from: "10:00", pricePerKwh: 1.01 }, { from: "15:00", pricePerKwh: 0.62 } ]
          feedInPricePerKwh: 0.3
          readBackSeconds: 5
        ledger: { kind: embedded, path: ledger.db }
        journal: { path: journal.db }
        """;

    private EndToEndRig(SimulatedSite site, IReadOnlyDictionary<string, string> endpoints)
    {
        Site = site;
        Endpoints = endpoints;
    }

    private SimulatedSite Site { get; }

    public string Directory => Site.Directory;

    public string RigPath => Site.RigPath;

    public RigHost Sims => Site.Sims;

    public IReadOnlyDictionary<string, string> Endpoints { get; }

    public RigDefinition Load() => RigLoader.Load(RigPath);

    public string EndpointsFile
    {
        get
        {
            return Site.WriteEndpointsFile(Endpoints.Select(e => (e.Key, e.Value.Contains("://", StringComparison.Ordinal) ? e.Value : "modbus-tcp://" + e.Value)));
        }
    }

    /// <summary>
    /// <paramref name="yaml"/> with its embedded ledger swapped for a Fabric peer reached with <paramref name="pki"/>'s
    /// client identity: settlements on txmain, and with <paramref name="sideChains"/> decisions and deliveries on the
    /// matching and electricity channels.
    /// </summary>
    public static string OnFabric(string yaml, Uri peer, Gateway.Testing.Fabric.TestPki pki, bool sideChains, string? outboxPath = "side-chains.db", int? roundsInFlight = null)
    {
        var lines = new List<string> { "ledger:", "  kind: fabric" };
        if (outboxPath is not null) lines.Add($"  path: {outboxPath}");
        lines.AddRange(["  fabric:", $"    peer: {peer}", $"    tlsCa: {pki.TlsCa.CertificatePath}", "    channel: txmain", "    chaincode: settlement"]);
        if (sideChains)
        {
            lines.AddRange(["    matching: { channel: matching, chaincode: matching }", "    electricity: { channel: electricity, chaincode: electricity }"]);
        }
        lines.AddRange(["    mspId: Org1MSP", $"    certificate: {pki.Client.CertificatePath}", $"    privateKey: {pki.Client.PrivateKeyPath}"]);
        if (roundsInFlight is { } inFlight) lines.Add($"    roundsInFlight: {inFlight}");
        return yaml.Replace("ledger: { kind: embedded, path: ledger.db }", string.Join("\n", lines));
    }

    public static async Task<EndToEndRig> StartAsync(string? yaml = null)
    {
        var site = await SimulatedSite.StartAsync(yaml ?? Yaml, "e2e-", portBase: 0);
        // TCP endpoints as host:port; an RTU endpoint is a tty path, kept whole with its serial settings.
        var endpoints = site.Sims.Endpoints.ToDictionary(e => e.Id, e => e.Uri.StartsWith("modbus-rtu://", StringComparison.Ordinal) ? e.Uri : new Uri(e.Uri).Authority,
            StringComparer.Ordinal);
        return new EndToEndRig(site, endpoints);
    }

    public async ValueTask DisposeAsync()
    {
        await Site.DisposeAsync();
    }
}
