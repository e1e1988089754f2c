namespace Gateway.Drivers.Modbus.Server;

/// <summary>What the transport does with one request once it was handled.</summary>
/// <param name="Action">
/// <see cref="ModbusFaultKind.None"/>: send the response; <see cref="ModbusFaultKind.SlowAnswer"/>: send
/// after <paramref name="Delay"/>; <see cref="ModbusFaultKind.CorruptFrame"/>: send it damaged;
/// <see cref="ModbusFaultKind.NoAnswer"/>: send nothing; <see cref="ModbusFaultKind.Disconnect"/>: drop the link.
/// </param>
/// <param name="Length">Length of the response PDU written, 0 when nothing is sent.</param>
/// <param name="Delay">Delay before answering.</param>
internal readonly record struct ModbusServerReply(ModbusFaultKind Action, int Length, TimeSpan Delay = default)
{
    public static ModbusServerReply Silent => new(ModbusFaultKind.NoAnswer, 0);
}
