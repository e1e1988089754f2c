using System.Runtime.InteropServices;
using Gateway.Drivers.Serial.Interop;
using static Gateway.Drivers.Serial.Interop.TermiosConstants;

namespace Gateway.Drivers.Serial;

/// <summary>
/// A Linux serial port (tty, USB adapter or pseudo-terminal) through termios, set up the way
/// the .NET runtime's own serial port does it: raw mode, CLOCAL|CREAD, parity and stop bits
/// from <see cref="SerialLineSettings"/>, no flow control, both queues flushed on open.
/// One dedicated thread waits in poll(2) and moves received bytes into an in-memory inbox,
/// so async reads never block a thread-pool thread.
/// Kept beside the default <see cref="SerialPortChannel"/> for what System.IO.Ports cannot do
/// on Linux: kernel RS-485 mode (<see cref="SerialLineSettings.Rs485"/>, TIOCSRS485), which needs
/// the file descriptor. Chosen with <see cref="SerialDriver.Termios"/> (<c>driver=termios</c>).
/// </summary>
internal sealed class LinuxSerialPort : ISerialChannel
{
    private const int PollIntervalMilliseconds = 50;

    private readonly int _fd;
    private readonly ByteInbox _inbox;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private LinuxSerialPort(string devicePath, int fd, SerialLineSettings settings, TimeProvider timeProvider)
    {
        DevicePath = devicePath;
        Settings = settings;
        this._fd = fd;
        _inbox = new ByteInbox(timeProvider);
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = $"serial {devicePath}" };
        reader.Start();
    }

    /// <summary>The device path, e.g. /dev/ttyUSB0.</summary>
    public string DevicePath { get; }

    /// <summary>The line settings applied.</summary>
    public SerialLineSettings Settings { get; }

    /// <summary>Opens and configures <paramref name="devicePath"/>.</summary>
    /// <exception cref="IOException">The device cannot be opened, is not a terminal, refuses the settings or has no kernel RS-485 mode
    /// when it was asked for; the message carries the errno and a hint (e.g. "this port does not support parity E").</exception>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported settings.</exception>
    public static LinuxSerialPort Open(string devicePath, SerialLineSettings settings, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
        settings.Validate();
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("LinuxSerialPort needs Linux termios.");
        }

        int fd = Libc.open(devicePath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw Error($"Cannot open serial port {devicePath}", errno, SerialErrorHint.For(errno, "open", devicePath, settings));
        }

        try
        {
            Configure(fd, settings, devicePath);
            if (settings.Rs485 is not null)
            {
                KernelRs485.Apply(fd, devicePath, settings);
            }
        }
        catch
        {
            Libc.close(fd);
            throw;
        }

        return new LinuxSerialPort(devicePath, fd, settings, timeProvider ?? TimeProvider.System);
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
            while (!data.IsEmpty)
            {
                ObjectDisposedException.ThrowIf(_stopping, this);
                int written = WriteSome(data.Span);
                if (written > 0)
                {
                    data = data[written..];
                }
                else
                {
                    // The kernel's transmit buffer is full (slow line): wait for it to drain a little.
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
            }
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
            Libc.tcflush(_fd, TCIFLUSH);
        }

        _inbox.Clear();
    }

    /// <summary>Stops the reader thread and closes the device.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _closed.Task.ConfigureAwait(false);
        _writeLock.Dispose();
    }

    private static unsafe void Configure(int fd, SerialLineSettings settings, string devicePath)
    {
        // Each errno is read right after its call: anything run in between (even building the message) may overwrite it.
        Termios termios;
        if (Libc.tcgetattr(fd, &termios) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw Error($"{devicePath} is not a terminal (tcgetattr)", errno, SerialErrorHint.For(errno, "tcgetattr", devicePath, settings));
        }

        Libc.cfmakeraw(&termios);
        termios.ControlFlags |= CLOCAL | CREAD;
        termios.ControlFlags &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
        termios.ControlFlags |= settings.DataBits == 7 ? CS7 : CS8;
        if (settings.Parity != SerialParity.None && !SerialDevicePath.IsPseudoTerminal(devicePath))
        {
            termios.ControlFlags |= PARENB;
            termios.InputFlags |= INPCK;
            if (settings.Parity == SerialParity.Odd)
            {
                termios.ControlFlags |= PARODD;
            }
        }

        if (settings.StopBits == SerialStopBits.Two)
        {
            termios.ControlFlags |= CSTOPB;
        }

        termios.InputFlags &= ~(IXON | IXOFF);
        termios.ControlChars[VMIN] = 0;
        termios.ControlChars[VTIME] = 0;
        uint speed = SpeedCode(settings.BaudRate);
        if (Libc.cfsetispeed(&termios, speed) != 0 || Libc.cfsetospeed(&termios, speed) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw Error($"Cannot set {settings.BaudRate} baud on {devicePath}", errno, SerialErrorHint.For(errno, "cfsetspeed", devicePath, settings));
        }

        if (Libc.tcsetattr(fd, TCSANOW, &termios) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw Error($"Cannot apply line settings {settings} to {devicePath}", errno, SerialErrorHint.For(errno, "tcsetattr", devicePath, settings));
        }

        Libc.tcflush(fd, TCIOFLUSH);
    }

    private unsafe int WriteSome(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            nint n = Libc.write(_fd, p, data.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno is EAGAIN or EINTR)
            {
                return 0;
            }

            throw Error($"Write to {DevicePath} failed", errno, SerialErrorHint.For(errno, "write", DevicePath, Settings));
        }
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[512];
        try
        {
            while (!_stopping)
            {
                var pollFd = new PollFd { Fd = _fd, Events = POLLIN };
                int ready = Libc.poll(&pollFd, 1, PollIntervalMilliseconds);
                if (ready < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    throw Error($"poll on {DevicePath} failed", errno, SerialErrorHint.For(errno, "poll", DevicePath, Settings));
                }

                if (ready == 0)
                {
                    continue;
                }

                if ((pollFd.ReturnedEvents & POLLIN) != 0)
                {
                    nint n;
                    fixed (byte* p = buffer)
                    {
                        n = Libc.read(_fd, p, buffer.Length);
                    }

                    if (n > 0)
                    {
                        _inbox.Push(buffer.AsSpan(0, (int)n));
                        continue;
                    }

                    if (n < 0 && Marshal.GetLastPInvokeError() is EAGAIN or EINTR)
                    {
                        continue;
                    }
                }

                if ((pollFd.ReturnedEvents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
                {
                    throw new IOException($"Serial port {DevicePath} was closed or unplugged.");
                }
            }

            _inbox.Complete();
        }
        catch (IOException ex)
        {
            _inbox.Complete(ex);
        }
        finally
        {
            Libc.close(_fd);
            _closed.TrySetResult();
        }
    }

    private static IOException Error(string what, int errno, string? hint) => SerialError.Create(what, errno, hint);
}
