using System.Net;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Testing;
using HostRig = Gateway.Rigs.RigDefinition;
using HostRigLoader = Gateway.Rigs.RigLoader;

namespace Gateway.Reliability.Tests.Soak;

/// <summary>
/// The soak's site: N devices (one SMES, one meter, a quarter PV, the rest V2G chargers) behind one Modbus TCP server
/// (a unit id each, like a row of piles behind a TCP-to-RTU gateway) and one <see cref="FaultProxy"/> in front of it.
/// </summary>
internal sealed class SoakSite : ProxiedSite
{
    private SoakSite(SimulatedSite site, FaultProxy proxy, string endpointsFile)
        : base(site, [proxy], endpointsFile)
    {
        Proxy = proxy;
    }

    public FaultProxy Proxy { get; }

    /// <summary>The soak's rig: the benchmarks' generated site with cars that come and go over the day and a base load per branch.</summary>
    public static string Yaml(int devices, double timeScale, string start) => new GeneratedSite
    {
        Site = "soak", Devices = devices, Start = start, TimeScale = timeScale, CarsComeAndGo = true, NodeBaseLoadKw = 1,
        GridPrices = "[ { from: \"00:00\", pricePerKwh: 0.36 }, { from: \"10:00\", pricePerKwh: 1.01 }, { from: \"15:00\", pricePerKwh: 0.62 } ]",
    }.Yaml();

    public static async Task<SoakSite> StartAsync(int devices, double timeScale, string start, int seed)
    {
        var site = await SimulatedSite.StartAsync(Yaml(devices, timeScale, start), "soak-", portBase: 0);
        var uri = new Uri(site.Sims.Endpoints[0].Uri);
        var proxy = new FaultProxy(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port), Framings.ModbusTcp, seed);
        proxy.Start();
        var endpointsFile = site.WriteEndpointsFile(site.Sims.Endpoints.Select(e => (e.Id, $"modbus-tcp://{proxy.LocalEndpoint}")));
        return new SoakSite(site, proxy, endpointsFile);
    }
}
