using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Codec;
using Gateway.Drivers.Modbus.Rtu;
using Gateway.Drivers.Serial;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>
/// The 3.5-character silence before every RTU frame (Modbus over Serial Line v1.02 §2.5.1.1), on a manual clock:
/// 4.01 ms at 9600 8E1, the fixed 1.75 ms above 19200 baud. A frame written to an in-memory line arrives at once,
/// so a request that is there before the clock has moved far enough was sent too early.
/// </summary>
public sealed class RtuInterFrameGapTests
{
    [Theory]
    [InlineData(9600)]
    [InlineData(115200)]
    public async Task Client_waits_t35_after_the_answer_before_the_next_request(int baud)
    {
        var line = new SerialLineSettings(baud);
        var clock = TestClocks.New();
        var (a, device) = InMemorySerialChannel.CreatePair();
        await using var client = new ModbusRtuClient(a, line, new ModbusClientOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(30) });

        var first = client.ReadHoldingRegistersAsync(1, 0, 2);
        await ReadFrameAsync(device, 8);
        clock.Advance(line.TransmitTime(8) + line.FrameSilence);
        await device.WriteAsync(Answer());
        Assert.Equal([10, 20], await first);

        var second = client.ReadHoldingRegistersAsync(1, 0, 2);
        Assert.Equal(0, await device.ReadAsync(new byte[8], TimeSpan.Zero));
        clock.Advance(line.FrameSilence - TimeSpan.FromTicks(1));
        Assert.Equal(0, await device.ReadAsync(new byte[8], TimeSpan.Zero));
        // Timers count whole milliseconds: the request goes out at the first whole millisecond at or after t3.5.
        clock.Advance(TimeSpan.FromMilliseconds(Math.Ceiling(line.FrameSilence.TotalMilliseconds)) - line.FrameSilence + TimeSpan.FromTicks(1));
        await ReadFrameAsync(device, 8);
        await device.WriteAsync(Answer());
        Assert.Equal([10, 20], await second);
    }

    [Fact]
    public async Task After_a_broadcast_the_next_request_waits_for_the_frame_to_leave_the_wire_and_t35()
    {
        var line = new SerialLineSettings(9600);
        var clock = TestClocks.New();
        var (a, device) = InMemorySerialChannel.CreatePair();
        await using var client = new ModbusRtuClient(a, line, new ModbusClientOptions { TimeProvider = clock });

        await client.WriteSingleRegisterAsync(0, 5, 1234);
        await ReadFrameAsync(device, 8);
        var next = client.ReadHoldingRegistersAsync(1, 0, 2);
        // 8 characters at 9600 8E1 take 9.17 ms, then 4.01 ms of silence: 13.18 ms, so nothing before 13 ms.
        clock.Advance(TimeSpan.FromMilliseconds(13));
        Assert.Equal(0, await device.ReadAsync(new byte[8], TimeSpan.Zero));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await ReadFrameAsync(device, 8);
        await device.WriteAsync(Answer());
        Assert.Equal([10, 20], await next);
    }

    [Theory]
    [InlineData(9600)]
    [InlineData(115200)]
    public async Task Server_answers_only_after_t35_since_the_request_ended(int baud)
    {
        var line = new SerialLineSettings(baud);
        var clock = TestClocks.New();
        var (master, b) = InMemorySerialChannel.CreatePair();
        var unit = ModbusPeerData.CreateUnit(1);
        await using var server = new ModbusRtuServer(b, line, id => id == 1 ? unit : null) { TimeProvider = clock };
        await server.StartAsync();

        var request = new byte[8];
        RtuFrame.Write(request, 1, Convert.FromHexString("0300000002"));
        await master.WriteAsync(request);
        for (int i = 0; i < 1000 && server.Counters.Requests == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, server.Counters.Requests);
        Assert.Equal(0, await master.ReadAsync(new byte[9], TimeSpan.Zero));
        clock.Advance(line.FrameSilence - TimeSpan.FromTicks(1));
        Assert.Equal(0, await master.ReadAsync(new byte[9], TimeSpan.Zero));
        clock.Advance(TimeSpan.FromMilliseconds(Math.Ceiling(line.FrameSilence.TotalMilliseconds)));
        var answer = await ReadFrameAsync(master, 9);
        Assert.Equal(ModbusPeerData.Holding(1, 0, 2), new[] { (ushort)(answer[3] << 8 | answer[4]), (ushort)(answer[5] << 8 | answer[6]) });
    }

    [Fact]
    public void Gap_limits_follow_the_serial_line_spec()
    {
        // 9600 8E1: 11 bits per character → t1.5 ≈ 1.72 ms, t3.5 ≈ 4.01 ms; above 19200 baud fixed 0.75 ms and 1.75 ms.
        Assert.InRange(new SerialLineSettings(9600).CharacterGapLimit.TotalMilliseconds, 1.71, 1.72);
        Assert.InRange(new SerialLineSettings(19200, SerialParity.None, 8, SerialStopBits.Two).CharacterGapLimit.TotalMilliseconds, 0.85, 0.86);
        Assert.Equal(TimeSpan.FromMilliseconds(0.75), new SerialLineSettings(115200).CharacterGapLimit);
        Assert.Equal(TimeSpan.FromMilliseconds(1.75), new SerialLineSettings(115200).FrameSilence);
    }

    private static byte[] Answer()
    {
        var answer = new byte[9];
        RtuFrame.Write(answer, 1, Convert.FromHexString("0304000A0014"));
        return answer;
    }

    private static async Task<byte[]> ReadFrameAsync(ISerialChannel channel, int length)
    {
        var frame = new byte[length];
        int have = 0;
        while (have < length)
        {
            int n = await channel.ReadAsync(frame.AsMemory(have), TimeSpan.FromSeconds(10));
            Assert.True(n > 0, $"only {have} of {length} bytes of the frame arrived");
            have += n;
        }

        Assert.True(ModbusCrc16.IsValid(frame));
        return frame;
    }
}
