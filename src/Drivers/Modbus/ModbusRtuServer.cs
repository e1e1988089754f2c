using Gateway.Drivers.Modbus.Codec;
using Gateway.Drivers.Modbus.Rtu;
using Gateway.Drivers.Modbus.Server;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// Modbus RTU server (one or more slaves on one serial line). A request frame ends when its
/// predicted length (from function code and byte count) is in, or at 3.5 characters of silence
/// (fixed 1.75 ms above 19200 baud). Frames with a bad CRC, truncated by silence, or too long
/// are dropped and counted in <see cref="ModbusServerCounters.MalformedFrames"/>; bytes up to the
/// next silence are then ignored so the server resynchronises on the next frame. An answer goes
/// out only after 3.5 characters of silence since the request's last byte, in one write (t3.5, t1.5).
/// </summary>
/// <remarks>
/// Unit ids the resolver does not know get no answer (another device on the bus may own them).
/// Address 0 is the broadcast: a write is executed on the unit the resolver returns for 0, and
/// never answered.
/// </remarks>
public sealed class ModbusRtuServer : IAsyncDisposable
{
    private readonly string? _devicePath;
    private readonly SerialLineSettings _settings;
    private readonly ModbusRequestHandler _handler;
    private readonly CancellationTokenSource _stopping = new();
    private ISerialChannel? _channel;
    private Task _loop = Task.CompletedTask;

    /// <summary>Creates a server on <paramref name="devicePath"/>; the port opens in <see cref="StartAsync"/>.</summary>
    public ModbusRtuServer(string devicePath, SerialLineSettings settings, Func<byte, IModbusServerUnit?> resolveUnit, IModbusFaultPlan? faults = null)
        : this(settings, resolveUnit, faults)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
        this._devicePath = devicePath;
    }

    /// <summary>Creates a server on an open channel (an in-memory line in tests); the server owns and disposes it.</summary>
    internal ModbusRtuServer(ISerialChannel channel, SerialLineSettings settings, Func<byte, IModbusServerUnit?> resolveUnit, IModbusFaultPlan? faults = null)
        : this(settings, resolveUnit, faults)
    {
        ArgumentNullException.ThrowIfNull(channel);
        this._channel = channel;
    }

    private ModbusRtuServer(SerialLineSettings settings, Func<byte, IModbusServerUnit?> resolveUnit, IModbusFaultPlan? faults)
    {
        ArgumentNullException.ThrowIfNull(resolveUnit);
        this._settings = settings.Validate();
        _handler = new ModbusRequestHandler(resolveUnit, faults, Counters);
    }

    /// <summary>The clock behind slow-answer faults.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Requests, responses and rejected frames so far.</summary>
    internal ModbusServerCounters Counters { get; } = new();

    /// <summary>Opens the port (when built from a path) and starts serving in the background.</summary>
    /// <exception cref="ModbusCommunicationException">The port cannot be opened.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_devicePath is not null && _channel is null)
        {
            try
            {
                _channel = SerialChannels.Open(_devicePath, _settings, TimeProvider);
            }
            catch (IOException ex)
            {
                throw new ModbusCommunicationException(ex.Message, ex);
            }
        }

        _loop = ServeAsync(_channel!, _stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops serving and closes the line.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        await _loop.ConfigureAwait(false);
        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ServeAsync(ISerialChannel line, CancellationToken cancellationToken)
    {
        var buffer = new byte[RtuFrame.MaxLength * 2];
        var response = new byte[RtuFrame.MaxLength];
        var gap = new InterFrameGap(_settings, TimeProvider);
        int have = 0;
        bool discarding = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var timeout = have == 0 && !discarding ? Timeout.InfiniteTimeSpan : _settings.FrameSilence;
                int read = await line.ReadAsync(buffer.AsMemory(have), timeout, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Silence: whatever is buffered is a whole frame or garbage.
                    if (!discarding && have > 0 && !await TryServeUnpredictableAsync(line, buffer.AsMemory(0, have), response, gap, cancellationToken).ConfigureAwait(false))
                    {
                        Counters.CountMalformed();
                    }

                    have = 0;
                    discarding = false;
                    continue;
                }

                have += read;
                gap.FrameEndedNow();
                if (discarding)
                {
                    have = 0;
                    continue;
                }

                while (have >= 2)
                {
                    var function = ModbusFunctions.Find(buffer[1]);
                    if (function is null)
                    {
                        // Unknown function: only silence tells where the frame ends.
                        break;
                    }

                    int pduLength = function.PredictRequestLength(buffer.AsSpan(1, have - 1));
                    if (pduLength == 0)
                    {
                        break;
                    }

                    int frameLength = 1 + pduLength + 2;
                    if (frameLength > RtuFrame.MaxLength)
                    {
                        Counters.CountMalformed();
                        discarding = true;
                        have = 0;
                        break;
                    }

                    if (have < frameLength)
                    {
                        break;
                    }

                    if (!ModbusCrc16.IsValid(buffer.AsSpan(0, frameLength)))
                    {
                        Counters.CountMalformed();
                        discarding = true;
                        have = 0;
                        break;
                    }

                    await ServeFrameAsync(line, buffer.AsMemory(0, frameLength), response, gap, cancellationToken).ConfigureAwait(false);
                    Buffer.BlockCopy(buffer, frameLength, buffer, 0, have - frameLength);
                    have -= frameLength;
                }

                if (have >= RtuFrame.MaxLength)
                {
                    Counters.CountMalformed();
                    discarding = true;
                    have = 0;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The line is gone (port closed or unplugged); nothing more to serve.
        }
    }

    private async Task<bool> TryServeUnpredictableAsync(ISerialChannel line, ReadOnlyMemory<byte> frame, byte[] response, InterFrameGap gap, CancellationToken cancellationToken)
    {
        if (frame.Length < RtuFrame.MinLength || !ModbusCrc16.IsValid(frame.Span))
        {
            return false;
        }

        await ServeFrameAsync(line, frame, response, gap, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task ServeFrameAsync(ISerialChannel line, ReadOnlyMemory<byte> frame, byte[] response, InterFrameGap gap, CancellationToken cancellationToken)
    {
        byte address = frame.Span[0];
        var reply = _handler.Handle(address, frame.Span[1..^2], response.AsSpan(1), ModbusExceptionCode.None, isBroadcast: address == 0);
        if (reply.Action is ModbusFaultKind.NoAnswer or ModbusFaultKind.Disconnect || reply.Length == 0)
        {
            return;
        }

        response[0] = address;
        int length = 1 + reply.Length;
        ModbusCrc16.Write(response.AsSpan(0, length), response.AsSpan(length));
        if (reply.Action == ModbusFaultKind.CorruptFrame)
        {
            response[length] ^= 0xFF;
        }
        else if (reply.Action == ModbusFaultKind.SlowAnswer)
        {
            await Task.Delay(reply.Delay, TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        await gap.WaitAsync(cancellationToken).ConfigureAwait(false);
        await line.WriteAsync(response.AsMemory(0, length + 2), cancellationToken).ConfigureAwait(false);
        gap.FrameSent(length + 2);
    }
}
