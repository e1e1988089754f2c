using System.IO.Ports;
using static Gateway.Drivers.Serial.Interop.TermiosConstants;

namespace Gateway.Drivers.Serial;

/// <summary>
/// A serial port through <see cref="SerialPort"/> (System.IO.Ports), the default driver of an RTU line: raw 8-bit
/// line, parity and stop bits from <see cref="SerialLineSettings"/>, no flow control, DTR and RTS low, both queues
/// flushed on open. One read is always outstanding on the port's stream and never cancelled, so no received byte is
/// lost to a timed-out read; what arrives goes into an in-memory inbox, which the silence timeouts of
/// <see cref="ISerialChannel.ReadAsync"/> are measured on.
/// </summary>
/// <remarks>
/// Open failures carry the errno and the commissioning hint, as <see cref="LinuxSerialPort"/>'s do (see
/// <see cref="SerialOpenDiagnosis"/>). A pseudo-terminal is opened without parity (see <see cref="SerialDevicePath.IsPseudoTerminal"/>).
/// Kernel RS-485 mode is not available here: it needs <see cref="SerialDriver.Termios"/>.
/// </remarks>
internal sealed class SerialPortChannel : ISerialChannel
{
    private readonly SerialPort _port;
    private readonly Stream _stream;
    private readonly ByteInbox _inbox;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _reader;
    private volatile bool _stopping;

    private SerialPortChannel(string devicePath, SerialPort port, SerialLineSettings settings, TimeProvider timeProvider)
    {
        DevicePath = devicePath;
        Settings = settings;
        this._port = port;
        _stream = port.BaseStream;
        _inbox = new ByteInbox(timeProvider);
        _reader = ReadLoopAsync();
    }

    /// <summary>The device path, e.g. /dev/ttyUSB0.</summary>
    public string DevicePath { get; }

    /// <summary>The line settings applied.</summary>
    public SerialLineSettings Settings { get; }

    /// <summary>Opens and configures <paramref name="devicePath"/>.</summary>
    /// <exception cref="IOException">The device cannot be opened, is not a terminal or refuses the settings; the message carries the
    /// errno and a hint (e.g. "no such device: is the adapter plugged in?").</exception>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported settings.</exception>
    /// <exception cref="ArgumentException">Kernel RS-485 mode was asked for; this driver cannot set it.</exception>
    public static SerialPortChannel Open(string devicePath, SerialLineSettings settings, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
        settings.Validate();
        if (settings.Rs485 is not null)
        {
            throw new ArgumentException("Kernel RS-485 mode needs the termios driver (driver=termios).", nameof(settings));
        }

        bool pty = SerialDevicePath.IsPseudoTerminal(devicePath);
        var port = new SerialPort(devicePath, settings.BaudRate, pty ? Parity.None : ToParity(settings.Parity), settings.DataBits,
            settings.StopBits == SerialStopBits.Two ? StopBits.Two : StopBits.One)
        {
            Handshake = Handshake.None,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            port.Open();
            port.DiscardInBuffer();
            port.DiscardOutBuffer();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw Describe(e, devicePath, settings);
        }

        return new SerialPortChannel(devicePath, port, settings, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        return _inbox.ReadAsync(buffer, timeout, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            // One write per frame: the port hands it to the kernel in one piece, so no gap opens inside it (t1.5).
            await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException && !_stopping)
        {
            throw new IOException($"Write to {DevicePath} failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public void DiscardInput()
    {
        if (!_stopping)
        {
            try
            {
                _port.DiscardInBuffer();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // The port is failing; the next read or write reports it.
            }
        }

        _inbox.Clear();
    }

    /// <summary>Closes the port and ends the reader.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _port.Close();
        await _reader.ConfigureAwait(false);
        _port.Dispose();
        _writeLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[512];
        try
        {
            while (!_stopping)
            {
                // Never cancelled: the port completes a cancelled read's bytes into nowhere.
                int n = await _stream.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                if (n > 0)
                {
                    _inbox.Push(buffer.AsSpan(0, n));
                }
            }

            _inbox.Complete();
        }
        catch (Exception) when (_stopping)
        {
            _inbox.Complete();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            _inbox.Complete(new IOException($"Serial port {DevicePath} was closed or unplugged: {e.Message}", e));
        }
    }

    private static IOException Describe(Exception error, string devicePath, SerialLineSettings settings)
    {
        if (SerialOpenDiagnosis.Probe(devicePath) is { } failure)
        {
            return failure.Call == "open"
                ? SerialError.Create($"Cannot open serial port {devicePath}", failure.Errno, SerialErrorHint.For(failure.Errno, "open", devicePath, settings))
                : SerialError.Create($"{devicePath} is not a terminal (tcgetattr)", failure.Errno, SerialErrorHint.For(failure.Errno, "tcgetattr", devicePath, settings));
        }

        return error switch
        {
            // The device opens as a terminal, so what SerialPort refused is the line settings (it says no more than "Value does not fall within the expected range").
            ArgumentException => SerialError.Create($"Cannot apply line settings {settings} to {devicePath}", EINVAL, SerialErrorHint.For(EINVAL, "tcsetattr", devicePath, settings)),
            // SerialPort opens the device exclusively (TIOCEXCL); refused when another program holds it that way.
            UnauthorizedAccessException => SerialError.Create($"Cannot open serial port {devicePath}", EBUSY, SerialErrorHint.For(EBUSY, "open", devicePath, settings)),
            _ => new IOException($"Cannot open serial port {devicePath}: {error.Message}", error),
        };
    }

    private static Parity ToParity(SerialParity parity) => parity switch
    {
        SerialParity.Even => Parity.Even,
        SerialParity.Odd => Parity.Odd,
        _ => Parity.None,
    };
}
