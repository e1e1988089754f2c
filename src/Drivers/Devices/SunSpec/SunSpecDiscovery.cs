using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Devices.SunSpec;

/// <summary>
/// Finds a SunSpec device's base address by its "SunS" marker and walks the model chain
/// ([ID][L][L registers], ended by ID 0xFFFF). Lengths are taken from the device, never assumed.
/// </summary>
internal static class SunSpecDiscovery
{
    /// <summary>"Su" and "nS", the two marker registers.</summary>
    public const ushort MarkerHigh = 0x5375, MarkerLow = 0x6E53;

    /// <summary>The chain's end marker.</summary>
    public const ushort EndOfChain = 0xFFFF;

    /// <summary>Base addresses to try, in the order the SunSpec spec lists them.</summary>
    public static IReadOnlyList<ushort> BaseAddresses { get; } = [40000, 0, 50000];

    // A chain longer than this is taken as a device that never sends the end marker.
    private const int MaxModels = 64;

    /// <summary>Discovers the model chain of <paramref name="unitId"/>.</summary>
    /// <exception cref="SunSpecDiscoveryException">No marker at any base address, or a broken chain.</exception>
    public static async Task<SunSpecMap> DiscoverAsync(IModbusClient client, byte unitId, CancellationToken cancellationToken = default)
    {
        foreach (var baseAddress in BaseAddresses)
        {
            ushort[] marker;
            try
            {
                marker = await client.ReadHoldingRegistersAsync(unitId, baseAddress, 2, cancellationToken).ConfigureAwait(false);
            }
            catch (ModbusDeviceException e) when (e.Code == ModbusExceptionCode.IllegalDataAddress)
            {
                continue;
            }
            if (marker.Length == 2 && marker[0] == MarkerHigh && marker[1] == MarkerLow)
                return new SunSpecMap(baseAddress, await WalkAsync(client, unitId, baseAddress + 2, cancellationToken).ConfigureAwait(false));
        }
        throw new SunSpecDiscoveryException($"unit {unitId}", $"unit {unitId} is not SunSpec: no \"SunS\" marker at {string.Join(", ", BaseAddresses)}");
    }

    private static async Task<List<SunSpecModelBlock>> WalkAsync(IModbusClient client, byte unitId, int address, CancellationToken cancellationToken)
    {
        var models = new List<SunSpecModelBlock>();
        while (true)
        {
            if (address > ushort.MaxValue - 1)
                throw new SunSpecDiscoveryException($"unit {unitId}", $"the model chain of unit {unitId} runs past register 65535 after {models.Count} models");
            if (models.Count == MaxModels)
                throw new SunSpecDiscoveryException($"unit {unitId}", $"the model chain of unit {unitId} has more than {MaxModels} models and no end marker");
            ushort[] header;
            try
            {
                header = await client.ReadHoldingRegistersAsync(unitId, (ushort)address, 2, cancellationToken).ConfigureAwait(false);
            }
            catch (ModbusDeviceException e) when (e.Code == ModbusExceptionCode.IllegalDataAddress && models.Count > 0)
            {
                // Some devices end the chain without the 0xFFFF marker; the register map simply stops.
                return models;
            }
            if (header[0] == EndOfChain) return models;
            if (header[0] == 0)
                throw new SunSpecDiscoveryException($"unit {unitId}", $"unit {unitId}: model id 0 at register {address}: the chain is broken");
            models.Add(new SunSpecModelBlock(header[0], address, header[1]));
            address += 2 + header[1];
        }
    }
}
