using System.Net;
using System.Text.Json;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>
/// Interoperability with an independent implementation (pymodbus 3.0, run with /usr/bin/python3):
/// our clients against its server, its client against our servers; over TCP on loopback and
/// over RTU on a socat pseudo-terminal pair through our termios serial port.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Pymodbus)]
[Trait(PeerTraits.Name, PeerTraits.Socat)]
public sealed class ModbusPymodbusInteropTests
{
    private const int Baud = 38400;
    private static readonly SerialLineSettings Line = new(Baud, SerialParity.Even);
    private static readonly ModbusClientOptions Patient = new() { RequestTimeout = TimeSpan.FromSeconds(3) };

    [Fact]
    public async Task Our_tcp_client_against_pymodbus_server()
    {
        await using var peer = await PythonPeer.StartAsync("pymodbus_server.py", "tcp");
        await using var client = new ModbusTcpClient("127.0.0.1", int.Parse(peer.Ready), Patient);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 1);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 2);
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadHoldingRegistersAsync(1, ModbusPeerData.Size - 1, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
    }

    [Fact]
    public async Task Pymodbus_client_against_our_tcp_server()
    {
        var unit = ModbusPeerData.CreateUnit(1);
        await using var server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), id => id == 1 ? unit : null);
        await server.StartAsync();
        var output = await PythonPeer.RunAsync(TimeSpan.FromSeconds(60), "pymodbus_client.py", "tcp", server.LocalEndpoint.Port.ToString(), "1");
        AssertClientResults(output, unit, 1);
        Assert.Equal(0, server.Counters.MalformedFrames);
    }

    [Fact]
    public async Task Our_rtu_client_against_pymodbus_server_on_a_pty()
    {
        await using var pty = await SocatPtyPair.StartAsync();
        await using var peer = await PythonPeer.StartAsync("pymodbus_server.py", "rtu", pty.A, Baud.ToString());
        await using var client = new ModbusRtuClient(pty.B, Line, Patient);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 1);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 2);
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadHoldingRegistersAsync(2, ModbusPeerData.Size - 1, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
    }

    [Fact]
    public async Task Pymodbus_client_against_our_rtu_server_on_a_pty()
    {
        await using var pty = await SocatPtyPair.StartAsync();
        var unit = ModbusPeerData.CreateUnit(2);
        await using var server = new ModbusRtuServer(pty.A, Line, id => id == 2 ? unit : null);
        await server.StartAsync();
        var output = await PythonPeer.RunAsync(TimeSpan.FromSeconds(60), "pymodbus_client.py", "rtu", pty.B, Baud.ToString(), "2");
        AssertClientResults(output, unit, 2);
        Assert.Equal(0, server.Counters.MalformedFrames);
    }

    private static void AssertClientResults(string output, ModbusMemoryUnit unit, byte unitId)
    {
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal(ModbusPeerData.Holding(unitId, 0, 10), Registers(root, "hr"));
        Assert.Equal(ModbusPeerData.Input(unitId, 5, 125), Registers(root, "ir"));
        Assert.Equal(ModbusPeerData.Coils(unitId, 3, 37), Bits(root, "co"));
        Assert.Equal(ModbusPeerData.Discrete(unitId, 0, 2000), Bits(root, "di"));
        Assert.Equal([ModbusPeerData.Holding(unitId, 30, 1)[0], 7, 8, ModbusPeerData.Holding(unitId, 33, 1)[0]], Registers(root, "rw"));
        Assert.Equal([0xBEEF, 1, 2, 3, 65535], Registers(root, "hr_after"));
        bool[] coils = [true, false, .. Enumerable.Range(0, 19).Select(i => i % 3 == 1)];
        Assert.Equal(coils, Bits(root, "co_after"));
        Assert.Equal(2, root.GetProperty("exception").GetInt32());
        // The writes really landed in our unit.
        Assert.Equal([0xBEEF, 1, 2, 3, 65535], unit.GetHoldingRegisters(20, 5));
        Assert.Equal(coils, unit.GetCoils(40, 21));
    }

    private static ushort[] Registers(JsonElement root, string name) => root.GetProperty(name).EnumerateArray().Select(e => (ushort)e.GetInt32()).ToArray();

    private static bool[] Bits(JsonElement root, string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetBoolean()).ToArray();
}
