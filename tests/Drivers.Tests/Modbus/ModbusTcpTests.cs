using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>Our TCP client against our TCP server over loopback: behaviour under faults.</summary>
public sealed class ModbusTcpTests : IAsyncLifetime
{
    private readonly QueuedFaultPlan _faults = new();
    private readonly Dictionary<byte, ModbusMemoryUnit> _units = new() { [1] = ModbusPeerData.CreateUnit(1), [2] = ModbusPeerData.CreateUnit(2), [17] = ModbusPeerData.CreateUnit(17) };
    private ModbusTcpServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), id => _units.GetValueOrDefault(id), _faults);
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ModbusTcpClient Client(int timeoutMs = 3000, int concurrency = 1) =>
        new("127.0.0.1", _server.LocalEndpoint.Port, new ModbusClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(timeoutMs), MaxConcurrentRequests = concurrency });

    [Fact]
    public async Task All_function_codes_round_trip_and_several_units_share_one_connection()
    {
        await using var client = Client();
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 1);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 2);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 17);
        Assert.Equal(1, _server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task Exception_responses_surface_with_their_code()
    {
        await using var client = Client();
        var ex = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadHoldingRegistersAsync(1, ModbusPeerData.Size - 1, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        Assert.Equal(3, ex.FunctionCode);

        var absent = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadCoilsAsync(99, 0, 1));
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, absent.Code);

        _faults.Then(new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy));
        var busy = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.WriteSingleRegisterAsync(2, 0, 1));
        Assert.Equal(ModbusExceptionCode.ServerDeviceBusy, busy.Code);
        Assert.Equal(2, busy.UnitId);
        Assert.Equal(await client.ReadHoldingRegistersAsync(2, 0, 1), ModbusPeerData.Holding(2, 0, 1));
    }

    [Fact]
    public async Task No_answer_times_out_and_the_connection_keeps_working()
    {
        await using var client = Client(timeoutMs: 150);
        _faults.Then(new ModbusFault(ModbusFaultKind.NoAnswer));
        var ex = await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(150), ex.Timeout);
        Assert.Equal(ModbusPeerData.Holding(1, 7, 3), await client.ReadHoldingRegistersAsync(1, 7, 3));
        Assert.Equal(1, _server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_late_reply_after_a_timeout_never_answers_the_next_request()
    {
        await using var client = Client(timeoutMs: 100);
        _faults.Then(new ModbusFault(ModbusFaultKind.SlowAnswer, TimeSpan.FromMilliseconds(200)));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        // Let the stale answer (same function, same unit, same length) arrive while nothing waits.
        await Task.Delay(250);
        Assert.Equal(ModbusPeerData.Holding(1, 100, 2), await client.ReadHoldingRegistersAsync(1, 100, 2));
        Assert.Equal(1, _server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_late_reply_arriving_while_the_next_request_waits_is_skipped()
    {
        await using var client = Client(timeoutMs: 2000);
        _faults.Then(new ModbusFault(ModbusFaultKind.SlowAnswer, TimeSpan.FromMilliseconds(200)));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadHoldingRegistersAsync(1, 0, 2, cts.Token));
        }

        // The server answers in order: the stale reply reaches the client first and must be dropped.
        Assert.Equal(ModbusPeerData.Holding(1, 100, 2), await client.ReadHoldingRegistersAsync(1, 100, 2));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(ModbusPeerData.Holding(1, 200 + i, 1), await client.ReadHoldingRegistersAsync(1, (ushort)(200 + i), 1));
        }
    }

    [Fact]
    public async Task Cancellation_ends_a_pending_request()
    {
        await using var client = Client(timeoutMs: 5000);
        _faults.Then(new ModbusFault(ModbusFaultKind.NoAnswer));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadCoilsAsync(1, 0, 8, cts.Token));
        Assert.Equal(ModbusPeerData.Coils(1, 0, 8), await client.ReadCoilsAsync(1, 0, 8));
    }

    [Fact]
    public async Task Client_reconnects_after_the_server_drops_the_connection()
    {
        await using var client = Client();
        Assert.Equal(ModbusPeerData.Holding(1, 0, 1), await client.ReadHoldingRegistersAsync(1, 0, 1));
        _faults.Then(new ModbusFault(ModbusFaultKind.Disconnect));
        var ex = await Assert.ThrowsAsync<ModbusCommunicationException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.IsNotType<ModbusTimeoutException>(ex);
        Assert.Equal(ModbusPeerData.Holding(1, 0, 1), await client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Equal(2, _server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task Corrupt_frame_is_a_protocol_violation_and_the_connection_survives()
    {
        await using var client = Client();
        _faults.Then(new ModbusFault(ModbusFaultKind.CorruptFrame));
        var ex = await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadInputRegistersAsync(1, 0, 4));
        Assert.Contains("§4.1", ex.Message);
        Assert.Equal(ModbusPeerData.Input(1, 0, 4), await client.ReadInputRegistersAsync(1, 0, 4));
        Assert.Equal(2, _faults.Asked);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_a_communication_error_not_a_timeout()
    {
        using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        await using var client = new ModbusTcpClient("127.0.0.1", closedPort);
        var ex = await Assert.ThrowsAsync<ModbusCommunicationException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.IsNotType<ModbusTimeoutException>(ex);
        Assert.Contains("unreachable", ex.Message);
    }

    [Fact]
    public async Task Pipelined_requests_to_many_units_are_matched_by_transaction_id()
    {
        await using var client = Client(concurrency: 16);
        var tasks = Enumerable.Range(0, 300).Select(async i =>
        {
            byte unit = (byte)(i % 3 == 0 ? 1 : i % 3 == 1 ? 2 : 17);
            var values = await client.ReadInputRegistersAsync(unit, (ushort)i, 3);
            Assert.Equal(ModbusPeerData.Input(unit, i, 3), values);
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task A_device_that_answers_with_transaction_id_zero_is_understood()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var device = AnswerWithZeroIdAsync();
        await using var client = new ModbusTcpClient("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(3) });
        Assert.Equal([0x1234], await client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Equal([0x1234], await client.ReadHoldingRegistersAsync(1, 0, 1));
        await device;

        async Task AnswerWithZeroIdAsync()
        {
            using var socket = await listener.AcceptSocketAsync();
            var request = new byte[12];
            for (int round = 0; round < 2; round++)
            {
                int have = 0;
                while (have < 12)
                {
                    have += await socket.ReceiveAsync(request.AsMemory(have), SocketFlags.None);
                }

                // Transaction id 0, unit 1, FC3, 1 register = 0x1234.
                await socket.SendAsync(new byte[] { 0, 0, 0, 0, 0, 5, 1, 3, 2, 0x12, 0x34 }, SocketFlags.None);
            }
        }
    }

    [Fact]
    public async Task Many_clients_are_served_concurrently()
    {
        var clients = Enumerable.Range(0, 50).Select(_ => Client()).ToList();
        try
        {
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                for (int round = 0; round < 10; round++)
                {
                    Assert.Equal(ModbusPeerData.Holding(2, i + round, 4), await client.ReadHoldingRegistersAsync(2, (ushort)(i + round), 4));
                }
            }));
            Assert.Equal(50, _server.Counters.ConnectionsAccepted);
            Assert.Equal(500, _server.Counters.Requests);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Server_closes_a_connection_with_a_bad_header_and_keeps_serving()
    {
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync(IPAddress.Loopback, _server.LocalEndpoint.Port);
            var stream = raw.GetStream();
            await stream.WriteAsync(new byte[] { 0, 1, 0x12, 0x34, 0, 6, 1, 3, 0, 0, 0, 1 });
            var buffer = new byte[16];
            try
            {
                // Closed with unread bytes pending, the server's stack may answer with a reset instead of FIN.
                Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
            }
            catch (IOException)
            {
            }
        }

        Assert.Equal(1, _server.Counters.MalformedFrames);
        await using var client = Client();
        Assert.Equal(ModbusPeerData.Holding(1, 0, 2), await client.ReadHoldingRegistersAsync(1, 0, 2));
    }

    [Fact]
    public async Task Invalid_quantities_are_rejected_before_sending()
    {
        await using var client = Client();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 0, 126));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.WriteMultipleRegistersAsync(1, 0, new ushort[124]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.WriteMultipleCoilsAsync(1, 0, ReadOnlyMemory<bool>.Empty));
        Assert.Equal(0, _server.Counters.Requests);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusTcpClient("127.0.0.1", 502, new ModbusClientOptions { RequestTimeout = TimeSpan.Zero }));
    }
}
