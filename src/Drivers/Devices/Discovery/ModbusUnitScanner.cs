using System.Collections.Concurrent;
using Gateway.Drivers.Devices.SunSpec;
using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Devices.Discovery;

/// <summary>
/// Finds the Modbus units behind an endpoint: asks every unit id of a range for the SunSpec marker, lists what answers
/// (with its SunSpec models and nameplate when it has them), and skips what stays silent within the per-id time.
/// </summary>
/// <remarks>
/// A unit counts as present when it answers anything: data, an exception code (a unit without SunSpec registers answers
/// exception 02), even a garbled frame. Silence, and a TCP-to-RTU gateway's exceptions 0A/0B ("nothing there"), count as
/// absent. An endpoint that cannot be reached at all ends the scan with a <see cref="DeviceException"/>.
/// </remarks>
public static class ModbusUnitScanner
{
    /// <summary>Scans <paramref name="unitIds"/> through <paramref name="clients"/> (one worker per client, so several TCP
    /// connections ask in parallel; give one client for a serial line).</summary>
    /// <param name="clients">Open clients to the same endpoint; each worker uses one.</param>
    /// <param name="endpoint">The endpoint in plain words, for messages.</param>
    /// <param name="unitIds">Unit ids to ask, in order.</param>
    /// <param name="perUnitLimit">Most time one unit may take, its SunSpec walk and nameplate included.</param>
    /// <param name="progress">Told each unit id as it is done.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <returns>The units that answered, by unit id.</returns>
    /// <exception cref="DeviceException">The endpoint cannot be reached (<see cref="DeviceErrorKind.Unreachable"/>).</exception>
    public static async Task<IReadOnlyList<ModbusUnitIdentity>> ScanAsync(IReadOnlyList<IModbusClient> clients, string endpoint, IReadOnlyList<byte> unitIds,
        TimeSpan perUnitLimit, IProgress<byte>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(clients.Count);
        var queue = new ConcurrentQueue<byte>(unitIds);
        var found = new ConcurrentBag<ModbusUnitIdentity>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task WorkAsync(IModbusClient client)
        {
            try
            {
                while (queue.TryDequeue(out var unit))
                {
                    if (await IdentifyAsync(client, unit, endpoint, perUnitLimit, stop.Token).ConfigureAwait(false) is { } identity) found.Add(identity);
                    progress?.Report(unit);
                }
            }
            catch (DeviceException)
            {
                // The endpoint is gone: the other workers stop too.
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
        var workers = clients.Select(WorkAsync).ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled by a worker that found the endpoint unreachable: report that, not the cancellation.
            throw workers.Where(w => w.IsFaulted).SelectMany(w => w.Exception!.InnerExceptions).OfType<DeviceException>().First();
        }
        return found.OrderBy(u => u.UnitId).ToList();
    }

    /// <summary>Walks the SunSpec model chain of <paramref name="unitId"/>, reporting failures in the device error contract.</summary>
    /// <param name="client">The connection.</param>
    /// <param name="unitId">The unit.</param>
    /// <param name="device">The device in plain words, for messages.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <exception cref="DeviceException">Unreachable, silent, refusing, garbled, or not SunSpec (<see cref="DeviceErrorKind.BadValue"/>).</exception>
    public static async Task<SunSpecMap> DiscoverSunSpecAsync(IModbusClient client, byte unitId, string device, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SunSpecDiscovery.DiscoverAsync(client, unitId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DeviceFailures.Translate(e, device) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>What unit <paramref name="unitId"/> answers, or null when it stays silent (or a gateway says nothing is there).</summary>
    /// <exception cref="DeviceException">The endpoint cannot be reached (<see cref="DeviceErrorKind.Unreachable"/>).</exception>
    public static async Task<ModbusUnitIdentity?> IdentifyAsync(IModbusClient client, byte unitId, string endpoint, TimeSpan perUnitLimit, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(perUnitLimit);
        SunSpecMap map;
        try
        {
            map = await SunSpecDiscovery.DiscoverAsync(client, unitId, limit.Token).ConfigureAwait(false);
        }
        catch (SunSpecDiscoveryException)
        {
            return new ModbusUnitIdentity(unitId, "answers, not SunSpec");
        }
        catch (ModbusTimeoutException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ModbusDeviceException d) when (d.Code is ModbusExceptionCode.GatewayPathUnavailable or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond)
        {
            return null;
        }
        catch (ModbusDeviceException d)
        {
            return new ModbusUnitIdentity(unitId, $"answers function {d.FunctionCode:X2} with exception {(byte)d.Code:X2} ({DeviceFailures.Explain(d.Code, unitId)})");
        }
        catch (ModbusProtocolException p)
        {
            return new ModbusUnitIdentity(unitId, $"answers with a frame that breaks the protocol: {p.Message}");
        }
        catch (ModbusCommunicationException c)
        {
            throw DeviceFailures.Translate(c, endpoint)!;
        }

        string? manufacturer = null, model = null, version = null, serial = null;
        if (map.Find(1) is { } common && common.Length >= 64)
        {
            try
            {
                // Mn +2 (16 registers), Md +18 (16), Opt +34 (8), Vr +42 (8), SN +50 (16): one read of 64 registers.
                var words = await client.ReadHoldingRegistersAsync(unitId, (ushort)(common.Address + 2), 64, limit.Token).ConfigureAwait(false);
                manufacturer = Text(words, 0, 16);
                model = Text(words, 16, 16);
                version = Text(words, 40, 8);
                serial = Text(words, 48, 16);
            }
            catch (Exception e) when (e is ModbusException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The chain is what a scan needs; a nameplate that cannot be read stays blank.
            }
        }
        return new ModbusUnitIdentity(unitId, "SunSpec", map, manufacturer, model, version, serial, SunSpecProfileChoice.For(map));
    }

    private static string? Text(ushort[] words, int start, int count)
    {
        var text = RegisterCodec.DecodeString(words.AsSpan(start, count));
        return text.Length == 0 ? null : text;
    }
}
