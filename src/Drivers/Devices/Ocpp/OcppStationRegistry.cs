using System.Collections.Concurrent;

namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// The stations the gateway's OCPP endpoint knows, by identity: the rig's stations from the start (so their drivers exist before
/// they connect), others as they connect when the endpoint admits unknown stations (a probe).
/// </summary>
public sealed class OcppStationRegistry
{
    private readonly ConcurrentDictionary<string, OcppStation> _stations = new(StringComparer.Ordinal);
    private readonly TimeProvider _plantClock;
    private readonly TimeProvider _wallClock;

    /// <summary>Creates an empty registry whose stations stamp values with <paramref name="plantClock"/>.</summary>
    public OcppStationRegistry(TimeProvider? plantClock = null, TimeProvider? wallClock = null)
    {
        _plantClock = plantClock ?? TimeProvider.System;
        _wallClock = wallClock ?? TimeProvider.System;
    }

    /// <summary>The station <paramref name="id"/>, created on first use.</summary>
    public OcppStation GetOrAdd(string id) => _stations.GetOrAdd(id, i => new OcppStation(i, _plantClock, _wallClock));

    /// <summary>The station <paramref name="id"/>, or null.</summary>
    public OcppStation? Find(string id) => _stations.GetValueOrDefault(id);

    /// <summary>Every known station, by id.</summary>
    public IReadOnlyList<OcppStation> All => _stations.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToArray();
}
