using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Testing;
using HostRig = Gateway.Rigs.RigDefinition;
using HostRigLoader = Gateway.Rigs.RigLoader;

namespace Gateway.Reliability.Tests;

/// <summary>
/// What the matrix site and the soak site share: the simulators in a folder of their own, fault proxies between them and
/// the gateway (whose endpoints file points at the proxies), the devices' own setpoint write log, and the gateway's view
/// of the rig.
/// </summary>
internal abstract class ProxiedSite : IAsyncDisposable
{
    private readonly SimulatedSite _site;
    private readonly IReadOnlyList<FaultProxy> _proxies;

    protected ProxiedSite(SimulatedSite site, IReadOnlyList<FaultProxy> proxies, string endpointsFile)
    {
        _site = site;
        _proxies = proxies;
        EndpointsFile = endpointsFile;
        Rig = HostRigLoader.Load(site.RigPath);
        Writes = SetpointWriteLog.Attach(site.Sims.Rig);
    }

    public string Directory => _site.Directory;
    public string RigPath => _site.RigPath;
    public RigHost Sims => _site.Sims;
    public string EndpointsFile { get; }
    public HostRig Rig { get; }
    public SetpointWriteLog Writes { get; }

    public SimulatedDevice Device(string id) => Sims.Rig.Find(id) ?? throw new ArgumentException("no device " + id);

    /// <summary>Proxies, then the simulators; the folder stays when RELIABILITY_KEEP is set.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _proxies) await p.DisposeAsync();
        _site.KeepFolder = Environment.GetEnvironmentVariable("RELIABILITY_KEEP") is not null;
        await _site.DisposeAsync();
    }
}
