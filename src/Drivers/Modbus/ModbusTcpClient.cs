using Gateway.Drivers.Modbus.Tcp;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// Modbus TCP client. Connects on the first request and again after the connection dropped;
/// matches answers to requests by transaction id, so a reply arriving after its request timed
/// out is discarded rather than taken for the next answer. One client reaches any number of
/// unit ids behind the same endpoint (e.g. a TCP-to-RTU gateway).
/// </summary>
/// <remarks>
/// Failures: <see cref="ModbusCommunicationException"/> when the endpoint is unreachable or the
/// connection breaks, <see cref="ModbusTimeoutException"/> when a sent request gets no answer in
/// <see cref="ModbusClientOptions.RequestTimeout"/>, <see cref="ModbusProtocolException"/> for a
/// malformed answer, <see cref="ModbusDeviceException"/> for an exception response. There are no
/// retries inside; compose them around the client.
/// </remarks>
public sealed class ModbusTcpClient : ModbusMaster
{
    /// <summary>Creates a client for <paramref name="host"/>:<paramref name="port"/>; nothing is connected yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option or the port is out of range.</exception>
    public ModbusTcpClient(string host, int port, ModbusClientOptions? options = null)
        : base(new ModbusTcpTransport(host, port, (options ?? new ModbusClientOptions()).Validate()))
    {
    }
}
