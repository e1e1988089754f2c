using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Host.Tests.Field;

/// <summary>How the hostile server breaks its answers.</summary>
public enum HostileMode
{
    /// <summary>Answers for another unit id than was asked.</summary>
    WrongUnitId,
    /// <summary>An MBAP length field of 65535.</summary>
    LengthFFFF,
    /// <summary>An MBAP protocol id of 1 (Modbus is 0).</summary>
    BadProtocolId,
    /// <summary>Answers function 04 to a function 03 request.</summary>
    WrongFunctionCode,
    /// <summary>A byte count that does not fit the registers asked for.</summary>
    BadByteCount,
    /// <summary>A correct answer, one byte every 150 ms.</summary>
    SlowBytes,
}

/// <summary>
/// A deliberately hostile Modbus TCP server of the tests' own: it reads each request properly and answers it wrongly
/// in one chosen way, so the probe's handling of each protocol violation (and of a device that trickles its bytes)
/// can be driven on purpose.
/// </summary>
public sealed class HostileModbusServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    public HostileModbusServer(HostileMode mode)
    {
        Mode = mode;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public HostileMode Mode { get; }

    public string Endpoint => $"modbus-tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        Task[] open;
        lock (_connections) open = _connections.ToArray();
        await Task.WhenAll(open.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            lock (_connections) _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var header = new byte[7];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (!await ReadExactlyAsync(socket, header)) return;
                var length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4));
                var pdu = new byte[length - 1];
                if (!await ReadExactlyAsync(socket, pdu)) return;
                await AnswerAsync(socket, header, pdu);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task AnswerAsync(Socket socket, byte[] request, byte[] pdu)
    {
        var transaction = BinaryPrimitives.ReadUInt16BigEndian(request);
        var unit = request[6];
        var function = pdu[0];
        var count = pdu.Length >= 5 ? BinaryPrimitives.ReadUInt16BigEndian(pdu.AsSpan(3)) : (ushort)1;
        // A correct answer to a register read: the function, the byte count, zeros.
        var body = new byte[2 + 2 * count];
        body[0] = function;
        body[1] = (byte)(2 * count);
        ushort protocol = 0;
        var length = (ushort)(1 + body.Length);
        switch (Mode)
        {
            case HostileMode.WrongUnitId: unit = (byte)(unit + 1); break;
            case HostileMode.LengthFFFF: length = 0xFFFF; break;
            case HostileMode.BadProtocolId: protocol = 1; break;
            case HostileMode.WrongFunctionCode: body[0] = (byte)(function == 4 ? 3 : 4); break;
            case HostileMode.BadByteCount: body[1] = (byte)(2 * count + 2); break;
        }
        var frame = new byte[7 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, transaction);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), protocol);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), length);
        frame[6] = unit;
        body.CopyTo(frame, 7);
        if (Mode != HostileMode.SlowBytes)
        {
            await socket.SendAsync(frame, SocketFlags.None, _stop.Token);
            return;
        }
        foreach (var b in frame)
        {
            await socket.SendAsync(new[] { b }, SocketFlags.None, _stop.Token);
            await Task.Delay(150, _stop.Token);
        }
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        var have = 0;
        while (have < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, _stop.Token);
            if (n == 0) return false;
            have += n;
        }
        return true;
    }
}
