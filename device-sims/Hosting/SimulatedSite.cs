using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.Rigs;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// A rig file in a folder of its own and the simulators serving it on loopback: how a test or a bench stands up a site
/// (the gateway's journal and ledger land in the same folder, by the rig's relative paths).
/// </summary>
public sealed class SimulatedSite : IAsyncDisposable
{
    private SimulatedSite(string directory, string rigPath, RigHost sims)
    {
        Directory = directory;
        RigPath = rigPath;
        Sims = sims;
    }

    /// <summary>The site's folder (a new temporary one).</summary>
    public string Directory { get; }

    /// <summary>The rig file in it.</summary>
    public string RigPath { get; }

    /// <summary>The simulators.</summary>
    public RigHost Sims { get; }

    /// <summary>Keep the folder when disposed (to look at a failed run's journal).</summary>
    public bool KeepFolder { get; set; }

    /// <summary>
    /// Write <paramref name="yaml"/> into a new temporary folder named after <paramref name="folderPrefix"/> and start its
    /// simulators on free loopback ports: with <paramref name="portBase"/> 0 one server per distinct endpoint of the rig,
    /// without it a server per device.
    /// </summary>
    public static async Task<SimulatedSite> StartAsync(string yaml, string folderPrefix, int? portBase = null)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory(folderPrefix).FullName;
        var rigPath = Path.Combine(dir, "rig.yaml");
        await File.WriteAllTextAsync(rigPath, yaml).ConfigureAwait(false);
        var sims = await RigHost.StartAsync(new SimulatedRig(RigLoader.LoadSimulated(rigPath), TimeProvider.System), portBase).ConfigureAwait(false);
        return new SimulatedSite(dir, rigPath, sims);
    }

    /// <summary>
    /// Write the gateway's endpoints file (<c>gateway run --endpoints</c>) into the folder: where to reach each device, e.g.
    /// through a proxy instead of the simulator itself.
    /// </summary>
    public string WriteEndpointsFile(IEnumerable<(string Id, string Uri)> endpoints)
    {
        var path = Path.Combine(Directory, "endpoints.json");
        File.WriteAllText(path, JsonSerializer.Serialize(endpoints.Select(e => new { id = e.Id, uri = e.Uri })));
        return path;
    }

    /// <summary>Stop the simulators and delete the folder (unless <see cref="KeepFolder"/>); close SQLite pools on its files first.</summary>
    public async ValueTask DisposeAsync()
    {
        await Sims.DisposeAsync().ConfigureAwait(false);
        // The gateway's journal and ledger in the folder: pooled connections would keep their files open.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!KeepFolder)
            try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}
