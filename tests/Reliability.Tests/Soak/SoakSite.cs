using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Testing;
using HostRig = Gateway.Host.Rigs.RigDefinition;
using HostRigLoader = Gateway.Host.Rigs.RigLoader;

namespace Gateway.Reliability.Tests.Soak;

/// <summary>
/// The soak's site: N devices (one SMES, one meter, a quarter PV, the rest V2G chargers) behind one Modbus TCP server
/// (a unit id each, like a row of piles behind a TCP-to-RTU gateway) and one <see cref="FaultProxy"/> in front of it.
/// </summary>
internal sealed class SoakSite : IAsyncDisposable
{
    private SoakSite(string directory, string rigPath, RigHost sims, FaultProxy proxy, string endpointsFile, HostRig rig, SetpointWriteLog writes)
    {
        Directory = directory;
        RigPath = rigPath;
        Sims = sims;
        Proxy = proxy;
        EndpointsFile = endpointsFile;
        Rig = rig;
        Writes = writes;
    }

    public string Directory { get; }
    public string RigPath { get; }
    public RigHost Sims { get; }
    public FaultProxy Proxy { get; }
    public string EndpointsFile { get; }
    public HostRig Rig { get; }
    public SetpointWriteLog Writes { get; }

    public static string Yaml(int devices, double timeScale, string start)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(inv, $"site: soak\nstart: {start}\ntimeScale: {timeScale}\ndevices:"));
        var pv = Math.Max(1, (devices - 2) / 4);
        for (var i = 1; i <= devices; i++)
        {
            var node = $"n{1 + i % 8}";
            string kind, profile, sim;
            if (i == 1) { kind = "smes"; profile = "smes-converter"; sim = "{ inductanceH: 80, maxCurrentA: 1500, minCurrentA: 100, initialCurrentA: 900, maxPowerKw: 200 }"; }
            else if (i == 2) { kind = "meter"; profile = "sunspec-meter"; sim = "{ }"; }
            else if (i <= 2 + pv) { kind = "pv-inverter"; profile = "sunspec-inverter"; sim = "{ ratedKwp: 8, irradiance: { clearSky: { peakWPerM2: 900, sunrise: \"06:00\", sunset: \"20:00\" } } }"; }
            else
            {
                kind = "charger"; profile = "v2g-charger";
                var seller = i % 3 == 0;
                // Cars come and go over the day, so the market changes from round to round.
                var arrive = (i * 37) % 12;
                sim = string.Create(inv, $"{{ batteryKwh: 60, socAtArrivalPercent: {(seller ? 85 : 25)}, arrival: \"{arrive:00}:00\", departure: \"{Math.Min(23, arrive + 10):00}:30\", targetSocPercent: {(seller ? 45 : 85)}, maxChargeKw: 7.4, maxDischargeKw: 7.4 }}");
            }
            sb.AppendLine($"  - {{ id: d{i:D3}, kind: {kind}, node: {node}, protocol: modbus-tcp, endpoint: \"127.0.0.1:0\", unitId: {i}, profile: {profile}, pollSeconds: 60, sim: {sim} }}");
        }
        sb.AppendLine("feeder:\n  root: n0\n  nodes: [ { id: n0 }, " + string.Join(", ", Enumerable.Range(1, 8).Select(n => $"{{ id: n{n}, baseLoadKw: 1 }}")) + " ]\n  lines:");
        for (var n = 1; n <= 8; n++) sb.AppendLine($"    - {{ id: L{n}, from: n0, to: n{n}, limitKw: {(n == 3 ? 20 : 400)} }}");
        sb.AppendLine("market:\n  intervalMinutes: 15\n  gridPrices: [ { from: \"00:00\", pricePerKwh: 0.36 }, { from: \"10:00\", pricePerKwh: 1.01 }, { from: \"15:00\", pricePerKwh: 0.62 } ]\n  feedInPricePerKwh: 0.3\n  readBackSeconds: 8");
        sb.AppendLine("ledger: { kind: embedded, path: ledger.db }\njournal: { path: journal.db }");
        return sb.ToString();
    }

    public static async Task<SoakSite> StartAsync(int devices, double timeScale, string start, int seed)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("soak-").FullName;
        var rigPath = Path.Combine(dir, "rig.yaml");
        await File.WriteAllTextAsync(rigPath, Yaml(devices, timeScale, start));
        var sims = await RigHost.StartAsync(new SimulatedRig(RigParser.Load(rigPath), TimeProvider.System), portBase: 0);
        var writes = SetpointWriteLog.Attach(sims.Rig);
        var uri = new Uri(sims.Endpoints[0].Uri);
        var proxy = new FaultProxy(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port), Framings.ModbusTcp, seed);
        proxy.Start();
        var endpointsFile = Path.Combine(dir, "endpoints.json");
        await File.WriteAllTextAsync(endpointsFile, JsonSerializer.Serialize(sims.Endpoints.Select(e => new { id = e.Id, uri = $"modbus-tcp://{proxy.LocalEndpoint}" })));
        return new SoakSite(dir, rigPath, sims, proxy, endpointsFile, HostRigLoader.Load(rigPath), writes);
    }

    public SimulatedDevice Device(string id) => Sims.Rig.Find(id)!;

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Sims.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("RELIABILITY_KEEP") is null)
            try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}
