using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Codec;
using Gateway.Drivers.Modbus.Rtu;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>Our RTU client against our RTU server over an in-memory line.</summary>
public sealed class ModbusRtuTests : IAsyncLifetime
{
    private static readonly SerialLineSettings Line = new(BaudRate: 115200);
    private readonly QueuedFaultPlan _faults = new();
    private readonly Dictionary<byte, ModbusMemoryUnit> _units = new() { [1] = ModbusPeerData.CreateUnit(1), [2] = ModbusPeerData.CreateUnit(2), [0] = new ModbusMemoryUnit(100) };
    private ModbusRtuServer _server = null!;
    private InMemorySerialChannel _clientEnd = null!;

    public async Task InitializeAsync()
    {
        var (a, b) = InMemorySerialChannel.CreatePair();
        _clientEnd = a;
        _server = new ModbusRtuServer(b, Line, id => _units.GetValueOrDefault(id), _faults);
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ModbusRtuClient Client(int timeoutMs = 3000) => new(_clientEnd, Line, new ModbusClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(timeoutMs) });

    [Fact]
    public async Task All_function_codes_round_trip_for_several_units()
    {
        var client = Client();
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 1);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 2);
    }

    [Fact]
    public async Task Unknown_unit_stays_silent_and_the_client_times_out()
    {
        var client = Client(timeoutMs: 200);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(9, 0, 1));
        Assert.Equal(1, _server.Counters.UnansweredRequests);
        Assert.Equal(ModbusPeerData.Holding(1, 0, 1), await client.ReadHoldingRegistersAsync(1, 0, 1));
    }

    [Fact]
    public async Task Broadcast_writes_are_executed_and_never_answered()
    {
        var client = Client();
        await client.WriteSingleRegisterAsync(0, 5, 1234);
        await client.WriteMultipleRegistersAsync(0, 6, new ushort[] { 1, 2 });
        await Assert.ThrowsAsync<ArgumentException>(() => client.ReadHoldingRegistersAsync(0, 0, 1));
        await Waits.UntilAsync(() => _units[0].GetHoldingRegisters(5, 3).SequenceEqual(new ushort[] { 1234, 1, 2 }), "registers 5..7 hold 1234, 1, 2");
        Assert.Equal(0, _server.Counters.Responses);
        Assert.Equal(2, _server.Counters.UnansweredRequests);
    }

    [Fact]
    public async Task Fault_plan_is_honoured()
    {
        var client = Client(timeoutMs: 300);
        _faults.Then(new ModbusFault(ModbusFaultKind.CorruptFrame))
              .Then(new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.Acknowledge))
              .Then(new ModbusFault(ModbusFaultKind.NoAnswer))
              .Then(new ModbusFault(ModbusFaultKind.SlowAnswer, TimeSpan.FromMilliseconds(500)))
              .Then(new ModbusFault(ModbusFaultKind.Disconnect));
        var crc = await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Contains("CRC", crc.Message);
        var ack = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Equal(ModbusExceptionCode.Acknowledge, ack.Code);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        // The slow answer arrives after the timeout, while the line is idle; the flush before the next request drops it.
        await Task.Delay(1500);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Equal(ModbusPeerData.Holding(1, 50, 2), await client.ReadHoldingRegistersAsync(1, 50, 2));
        Assert.Equal(6, _faults.Asked);
    }

    [Fact]
    public async Task Server_drops_bad_crc_and_truncated_frames_and_keeps_serving()
    {
        var (a, b) = InMemorySerialChannel.CreatePair();
        await using var rtu = new ModbusRtuServer(b, Line, id => _units.GetValueOrDefault(id));
        await rtu.StartAsync();
        var good = new byte[8];
        RtuFrame.Write(good, 1, Convert.FromHexString("0300000002"));
        var bad = (byte[])good.Clone();
        bad[7] ^= 0x55;
        await a.WriteAsync(bad);
        await Waits.UntilAsync(() => rtu.Counters.MalformedFrames == 1, () => $"{rtu.Counters.MalformedFrames} malformed frames counted, 1 expected");
        // Bytes inside the silence after a bad frame belong to it; start the next frame after a gap.
        await Task.Delay(50);
        await a.WriteAsync(good.AsMemory(0, 5));
        await Waits.UntilAsync(() => rtu.Counters.MalformedFrames == 2, () => $"{rtu.Counters.MalformedFrames} malformed frames counted, 2 expected");
        await Task.Delay(50);
        await a.WriteAsync(good);
        var answer = new byte[9];
        int have = 0;
        while (have < 9)
        {
            int n = await a.ReadAsync(answer.AsMemory(have), TimeSpan.FromSeconds(2));
            Assert.True(n > 0, "no answer to a valid frame after garbage");
            have += n;
        }

        Assert.True(ModbusCrc16.IsValid(answer));
        Assert.Equal(2, rtu.Counters.MalformedFrames);
        Assert.Equal(1, rtu.Counters.Responses);
    }

    [Fact]
    public async Task Client_reports_a_bad_crc_and_a_truncated_answer()
    {
        var (a, b) = InMemorySerialChannel.CreatePair();
        var answer = new byte[9];
        RtuFrame.Write(answer, 1, Convert.FromHexString("0304000A0014"));
        await using (var impatient = new ModbusRtuClient(a, Line, new ModbusClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) }))
        {
            var cut = impatient.ReadHoldingRegistersAsync(1, 0, 2);
            await ReadRequestAsync(b);
            await b.WriteAsync(answer.AsMemory(0, 6));
            var truncated = await Assert.ThrowsAsync<ModbusTimeoutException>(() => cut);
            Assert.Contains("truncated", truncated.Message);
        }

        (a, b) = InMemorySerialChannel.CreatePair();
        await using var client = new ModbusRtuClient(a, Line, new ModbusClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(3000) });
        answer[3] ^= 1;
        var pending = client.ReadHoldingRegistersAsync(1, 0, 2);
        await ReadRequestAsync(b);
        await b.WriteAsync(answer);
        await Assert.ThrowsAsync<ModbusProtocolException>(() => pending);

        answer[3] ^= 1;
        pending = client.ReadHoldingRegistersAsync(1, 0, 2);
        // An answer comes after its request (the client waits t3.5 after the last frame before it sends, and drops what came before).
        await ReadRequestAsync(b);
        // Delivered in three pieces with gaps, as a USB adapter would: the predicted length still frames it.
        await b.WriteAsync(answer.AsMemory(0, 2));
        await Task.Delay(20);
        await b.WriteAsync(answer.AsMemory(2, 3));
        await Task.Delay(20);
        await b.WriteAsync(answer.AsMemory(5));
        Assert.Equal([10, 20], await pending);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadCoilsAsync(248, 0, 1));
    }

    [Fact]
    public async Task A_late_answer_of_another_slave_is_skipped_and_the_addressed_slaves_answer_is_taken()
    {
        // Unit 3's answer to a request its caller gave up on arrives after the next request, to unit 1, went out.
        var (a, b) = InMemorySerialChannel.CreatePair();
        await using var client = new ModbusRtuClient(a, Line, new ModbusClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(3000) });
        var stale = new byte[9];
        RtuFrame.Write(stale, 3, Convert.FromHexString("0304000700FF"));
        var staleException = new byte[5];
        RtuFrame.Write(staleException, 3, Convert.FromHexString("8306"));
        var answer = new byte[9];
        RtuFrame.Write(answer, 1, Convert.FromHexString("0304000A0014"));
        var pending = client.ReadHoldingRegistersAsync(1, 0, 2);
        await ReadRequestAsync(b);
        await b.WriteAsync(stale);
        await b.WriteAsync(staleException);
        await b.WriteAsync(answer);
        Assert.Equal([10, 20], await pending);

        // A frame of another slave that cannot be framed (an unknown function code) is still an error that names it.
        var unknown = new byte[5];
        RtuFrame.Write(unknown, 3, Convert.FromHexString("6501"));
        pending = client.ReadHoldingRegistersAsync(1, 0, 2);
        await ReadRequestAsync(b);
        await b.WriteAsync(unknown);
        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => pending);
        Assert.Contains("comes from address 3, the request went to 1", error.Message);
    }

    private static async Task ReadRequestAsync(ISerialChannel device)
    {
        var request = new byte[8];
        int have = 0;
        while (have < request.Length)
        {
            int n = await device.ReadAsync(request.AsMemory(have), TimeSpan.FromSeconds(10));
            Assert.True(n > 0, "the client sent no request");
            have += n;
        }

        Assert.True(ModbusCrc16.IsValid(request));
    }

}
