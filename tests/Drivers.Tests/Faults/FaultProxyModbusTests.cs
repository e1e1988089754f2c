using System.Diagnostics;
using System.Net;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Tests.Modbus;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.Drivers.Tests.Faults;

/// <summary>
/// Each fault mode of the test kit's <see cref="FaultProxy"/>, proven through a real Modbus TCP
/// client/server pair (ours, and pymodbus where an independent server says more): what the client
/// sees under the fault, and that it recovers once the fault is gone. Random faults print their seed.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Pymodbus)]
public sealed class FaultProxyModbusTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Dictionary<byte, ModbusMemoryUnit> _units = new() { [1] = ModbusPeerData.CreateUnit(1), [2] = ModbusPeerData.CreateUnit(2) };
    private ModbusTcpServer _server = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = new ModbusTcpServer(new IPEndPoint(IPAddress.Loopback, 0), id => _units.GetValueOrDefault(id));
        await _server.StartAsync();
        _proxy = StartProxy(_server.LocalEndpoint);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_clean_proxy_is_transparent_to_every_function_code_against_pymodbus()
    {
        await using var peer = await PythonPeer.StartAsync("pymodbus_server.py", "tcp");
        await using var toPeer = StartProxy(new IPEndPoint(IPAddress.Loopback, int.Parse(peer.Ready)));
        await using var client = Client(toPeer, timeoutMs: 3000);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 1);
        await ModbusClientConformance.RunAllFunctionCodesAsync(client, 2);
        Assert.Equal(toPeer.Counters.FramesToServer, toPeer.Counters.FramesToClient);
        Assert.Equal(0, toPeer.Counters.FramesDropped + toPeer.Counters.FramesCorrupted);
    }

    [Fact]
    public async Task Delay_slows_every_answer_and_a_shorter_timeout_fires()
    {
        _proxy.ToClient.Delay = TimeSpan.FromMilliseconds(80);
        await using (var patient = Client(_proxy, timeoutMs: 3000))
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal(ModbusPeerData.Holding(1, 0, 4), await patient.ReadHoldingRegistersAsync(1, 0, 4));
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(80), $"answered after {watch.Elapsed.TotalMilliseconds:0} ms despite an 80 ms delay");
        }

        await using var hasty = Client(_proxy, timeoutMs: 30);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => hasty.ReadHoldingRegistersAsync(1, 0, 4));
        _proxy.ToClient.Delay = TimeSpan.Zero;
        await using var afterwards = Client(_proxy, timeoutMs: 3000);
        Assert.Equal(ModbusPeerData.Holding(1, 9, 2), await afterwards.ReadHoldingRegistersAsync(1, 9, 2));
    }

    [Fact]
    public async Task Jitter_spreads_latency_but_pipelined_answers_still_reach_their_requests()
    {
        _proxy.ToClient.Jitter = TimeSpan.FromMilliseconds(40);
        await using var client = Client(_proxy, timeoutMs: 3000, concurrency: 8);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            byte unit = (byte)(1 + i % 2);
            Assert.Equal(ModbusPeerData.Input(unit, i, 3), await client.ReadInputRegistersAsync(unit, (ushort)i, 3));
        }));
        Assert.Equal(40, _proxy.Counters.FramesDelayed);
        Assert.True(_proxy.Counters.MaxDelay - _proxy.Counters.MinDelay > TimeSpan.FromMilliseconds(10),
            $"jitter drew {_proxy.Counters.MinDelay.TotalMilliseconds:0.0}–{_proxy.Counters.MaxDelay.TotalMilliseconds:0.0} ms (seed {_proxy.Seed})");
    }

    [Fact]
    public async Task A_lost_request_times_out_and_the_next_one_is_answered_on_the_same_connection()
    {
        await using var client = Client(_proxy, timeoutMs: 400);
        _proxy.ToServer.DropNext();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Equal(ModbusPeerData.Holding(1, 5, 2), await client.ReadHoldingRegistersAsync(1, 5, 2));
        Assert.Equal(1, _server.Counters.Requests);
        Assert.Equal(1, _proxy.Counters.FramesDropped);
        Assert.Equal(1, _proxy.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_lost_answer_from_pymodbus_times_out_and_the_link_recovers()
    {
        await using var peer = await PythonPeer.StartAsync("pymodbus_server.py", "tcp");
        await using var toPeer = StartProxy(new IPEndPoint(IPAddress.Loopback, int.Parse(peer.Ready)));
        await using var client = Client(toPeer, timeoutMs: 500);
        toPeer.ToClient.DropNext();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadCoilsAsync(2, 0, 16));
        Assert.Equal(ModbusPeerData.Coils(2, 0, 16), await client.ReadCoilsAsync(2, 0, 16));
        Assert.Equal(1, toPeer.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task Reordered_answers_are_matched_to_their_requests_by_transaction_id()
    {
        await using var client = Client(_proxy, timeoutMs: 3000, concurrency: 2);
        _proxy.ToClient.ReorderNext();
        var first = client.ReadHoldingRegistersAsync(1, 100, 3);
        var second = client.ReadHoldingRegistersAsync(2, 200, 5);
        Assert.Equal(ModbusPeerData.Holding(1, 100, 3), await first);
        Assert.Equal(ModbusPeerData.Holding(2, 200, 5), await second);
        Assert.Equal(1, _proxy.Counters.FramesReordered);
    }

    /// <summary>
    /// Byte 7 of a Modbus TCP frame is the function code: 0x03 ^ 0x40 = 0x43 answers nothing that was asked, and the
    /// connection survives. Bytes 4–5 are the MBAP length: 0xFF in the high byte makes it impossible (§3.1.3), the stream
    /// cannot be resynchronised, and the client reconnects.
    /// </summary>
    [Theory]
    [InlineData(7, 0x40, false, "0x43", 1)]
    [InlineData(4, 0xFF, true, "MBAP length", 2)]
    public async Task A_corrupted_answer_is_a_protocol_error_naming_the_field_and_the_next_read_is_answered(int byteOffset, int mask, bool inputRegisters, string named, int connections)
    {
        await using var client = Client(_proxy, timeoutMs: 3000);
        _proxy.ToClient.CorruptNext(byteOffset: byteOffset, mask: (byte)mask);
        Task<ushort[]> Read() => inputRegisters ? client.ReadInputRegistersAsync(1, 0, 2) : client.ReadHoldingRegistersAsync(1, 0, 2);
        var ex = await Assert.ThrowsAsync<ModbusProtocolException>(Read);
        Assert.Contains(named, ex.Message);
        Assert.Equal(inputRegisters ? ModbusPeerData.Input(1, 0, 2) : ModbusPeerData.Holding(1, 0, 2), await Read());
        Assert.Equal(connections, _proxy.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task Random_bit_flips_towards_pymodbus_surface_only_as_modbus_errors_and_the_client_recovers()
    {
        await using var peer = await PythonPeer.StartAsync("pymodbus_server.py", "tcp");
        await using var toPeer = StartProxy(new IPEndPoint(IPAddress.Loopback, int.Parse(peer.Ready)));
        await using var client = Client(toPeer, timeoutMs: 300);
        toPeer.ToServer.CorruptProbability = 1;
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < 12; i++)
        {
            string outcome;
            try
            {
                await client.ReadHoldingRegistersAsync(1, (ushort)(10 * i), 4);
                outcome = "answered";
            }
            catch (ModbusException ex)
            {
                // Anything else (a raw SocketException, an IndexOutOfRange, a hang) fails the test.
                outcome = ex.GetType().Name;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"seed {toPeer.Seed}: " + string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
        Assert.Equal(12, toPeer.Counters.FramesCorrupted);
        toPeer.Heal();
        Assert.Equal(ModbusPeerData.Holding(1, 0, 4), await client.ReadHoldingRegistersAsync(1, 0, 4));
    }

    [Fact]
    public async Task A_stall_holds_the_answer_past_the_timeout_and_the_late_answer_is_not_taken_for_the_next()
    {
        await using var client = Client(_proxy, timeoutMs: 400);
        _proxy.ToClient.Stall();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.True(_proxy.ToClient.IsStalled);
        _proxy.ToClient.Resume();
        // The held answer (same unit, function and length) arrives now; it must be dropped, not returned below.
        Assert.Equal(ModbusPeerData.Holding(1, 300, 2), await client.ReadHoldingRegistersAsync(1, 300, 2));
        Assert.Equal(1, _proxy.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_half_open_connection_is_given_up_after_silent_timeouts_and_replaced()
    {
        await using var client = Client(_proxy, timeoutMs: 400);
        Assert.Equal(ModbusPeerData.Holding(1, 0, 1), await client.ReadHoldingRegistersAsync(1, 0, 1));
        _proxy.HalfOpen();
        // Neither a FIN nor a reset reaches the client: only timeouts tell.
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.True(_proxy.Counters.BytesDiscarded > 0);
        _proxy.Heal();
        // Two silent timeouts in a row (ReconnectAfterSilentTimeouts): the client dropped the dead connection.
        Assert.Equal(ModbusPeerData.Holding(1, 1, 1), await client.ReadHoldingRegistersAsync(1, 1, 1));
        Assert.Equal(2, _proxy.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_partition_times_out_old_and_new_connections_and_healing_restores_both()
    {
        await using var before = Client(_proxy, timeoutMs: 400);
        Assert.Equal(ModbusPeerData.Holding(1, 0, 1), await before.ReadHoldingRegistersAsync(1, 0, 1));
        _proxy.Partition();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => before.ReadHoldingRegistersAsync(1, 0, 1));
        await using var during = Client(_proxy, timeoutMs: 400);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => during.ReadHoldingRegistersAsync(2, 0, 1));
        Assert.Equal(1, _server.Counters.ConnectionsAccepted);

        _proxy.Heal();
        Assert.Equal(ModbusPeerData.Holding(1, 7, 2), await before.ReadHoldingRegistersAsync(1, 7, 2));
        Assert.Equal(ModbusPeerData.Holding(2, 7, 2), await during.ReadHoldingRegistersAsync(2, 7, 2));
        Assert.Equal(2, _server.Counters.ConnectionsAccepted);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cut_connection_is_a_communication_error_at_worst_and_the_client_reconnects(bool reset)
    {
        await using var client = Client(_proxy, timeoutMs: 2000);
        Assert.Equal(ModbusPeerData.Holding(1, 0, 1), await client.ReadHoldingRegistersAsync(1, 0, 1));
        _proxy.Disconnect(reset);
        try
        {
            // Whether the client noticed the cut before this request decides between a reconnect and an error; never a timeout.
            Assert.Equal(ModbusPeerData.Holding(1, 2, 1), await client.ReadHoldingRegistersAsync(1, 2, 1));
        }
        catch (ModbusCommunicationException ex)
        {
            Assert.IsNotType<ModbusTimeoutException>(ex);
        }

        Assert.Equal(ModbusPeerData.Holding(1, 3, 1), await client.ReadHoldingRegistersAsync(1, 3, 1));
        Assert.Equal(2, _proxy.Counters.ConnectionsAccepted);
    }

    private static ModbusTcpClient Client(FaultProxy through, int timeoutMs, int concurrency = 1) =>
        new("127.0.0.1", through.LocalEndpoint.Port, new ModbusClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(timeoutMs), MaxConcurrentRequests = concurrency });

    private FaultProxy StartProxy(IPEndPoint upstream)
    {
        var started = new FaultProxy(upstream, Framings.ModbusTcp);
        output.WriteLine($"fault proxy seed {started.Seed}");
        started.Start();
        return started;
    }
}
