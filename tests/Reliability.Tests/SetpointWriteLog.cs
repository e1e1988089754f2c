using System.Diagnostics;
using Gateway.DeviceSims.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.Reliability.Tests;

/// <summary>One write of a power setpoint as the simulated device saw it on its register image.</summary>
/// <param name="DeviceId">The device written to.</param>
/// <param name="Kw">The value written, kW (positive = delivered to the grid).</param>
/// <param name="Accepted">False when the device refused it (out of its range): counted for the limit column only.</param>
/// <param name="AtSeconds">Wall seconds since the log began.</param>
internal sealed record SetpointWrite(string DeviceId, double Kw, bool Accepted, double AtSeconds);

/// <summary>
/// The simulators' side of the story: every setpoint the devices received, taken from their register
/// images' write hooks (not from anything the gateway says). Attempts the device refused are kept too, so an
/// order beyond a device's limit is counted even though the device would not obey it.
/// </summary>
internal sealed class SetpointWriteLog
{
    private readonly List<SetpointWrite> _writes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Wall seconds since the log began (the same clock as <see cref="SetpointWrite.AtSeconds"/>).</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Watch the "SetpointKw" point of every charger and SMES of <paramref name="rig"/>.</summary>
    public static SetpointWriteLog Attach(SimulatedRig rig)
    {
        var log = new SetpointWriteLog();
        foreach (var device in rig.Devices.Where(d => Tracked(d)))
        {
            var image = device.Image;
            var validate = image.ValidateWrite;
            var written = image.PointWritten;
            var id = device.Id;
            image.ValidateWrite = (point, value) =>
            {
                var verdict = validate?.Invoke(point, value) ?? ModbusExceptionCode.None;
                if (point == "SetpointKw" && verdict != ModbusExceptionCode.None) log.Add(new SetpointWrite(id, value ?? double.NaN, false, log.Now));
                return verdict;
            };
            image.PointWritten = point =>
            {
                if (point == "SetpointKw") log.Add(new SetpointWrite(id, image.Get(point) ?? double.NaN, true, log.Now));
                written?.Invoke(point);
            };
        }
        return log;
    }

    /// <summary>Devices whose setpoints the log follows: the ones that can push power both ways.</summary>
    public static bool Tracked(SimulatedDevice device) => device.Definition.Ev is not null || device.Definition.Smes is not null;

    private void Add(SetpointWrite write)
    {
        lock (_writes) _writes.Add(write);
    }

    /// <summary>A copy of every write so far, in the order the devices saw them.</summary>
    public IReadOnlyList<SetpointWrite> Snapshot()
    {
        lock (_writes) return _writes.ToList();
    }

    /// <summary>Accepted writes since <paramref name="sinceSeconds"/>.</summary>
    public int CountSince(double sinceSeconds)
    {
        lock (_writes) return _writes.Count(w => w.Accepted && w.AtSeconds >= sinceSeconds);
    }
}
