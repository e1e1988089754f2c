using System.Diagnostics.CodeAnalysis;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// Where a Modbus device is reached, parsed from a URI: <c>modbus-tcp://host:502</c> (port
/// defaults to 502) or <c>modbus-rtu:///dev/ttyUSB0?baud=19200&amp;parity=N&amp;data=8&amp;stop=1</c>
/// (defaults 9600 8E1). An RTU line runs on System.IO.Ports unless <c>driver=termios</c> asks for our
/// termios port; <c>rs485=on</c> (with <c>rts=high|low</c>, <c>rts-before-ms=N</c>, <c>rts-after-ms=N</c>,
/// <c>rx-during-tx=on</c>) switches the UART into kernel RS-485 mode and implies <c>driver=termios</c>.
/// <see cref="CreateClient"/> builds the matching client.
/// </summary>
public sealed record ModbusEndpoint
{
    /// <summary>The TCP port Modbus servers listen on by default.</summary>
    public const int DefaultTcpPort = 502;

    private ModbusEndpoint()
    {
    }

    /// <summary>True for Modbus TCP, false for RTU on a serial line.</summary>
    public bool IsTcp { get; private init; }

    /// <summary>TCP host (null for RTU).</summary>
    public string? Host { get; private init; }

    /// <summary>TCP port (0 for RTU).</summary>
    public int Port { get; private init; }

    /// <summary>Serial device path (null for TCP).</summary>
    public string? DevicePath { get; private init; }

    /// <summary>Serial line settings (null for TCP).</summary>
    public SerialLineSettings? Serial { get; private init; }

    /// <summary>A TCP endpoint.</summary>
    internal static ModbusEndpoint Tcp(string host, int port = DefaultTcpPort) => new() { IsTcp = true, Host = host, Port = port };

    /// <summary>An RTU endpoint.</summary>
    internal static ModbusEndpoint Rtu(string devicePath, SerialLineSettings settings) => new() { DevicePath = devicePath, Serial = settings.Validate() };

    /// <summary>Parses an endpoint URI.</summary>
    /// <exception cref="FormatException">The text is not a valid endpoint; the message says what is wrong.</exception>
    public static ModbusEndpoint Parse(string text)
    {
        if (!TryParse(text, out var endpoint, out var error))
        {
            throw new FormatException(error);
        }

        return endpoint;
    }

    /// <summary>Parses an endpoint URI; <paramref name="error"/> says what is wrong when it returns false.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ModbusEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Modbus endpoint is empty; expected modbus-tcp://host:port or modbus-rtu:///dev/ttyX?baud=9600&parity=E.";
            return false;
        }

        if (text.StartsWith("modbus-tcp://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                error = $"'{text}' is not a valid modbus-tcp URI; expected modbus-tcp://host:port.";
                return false;
            }

            int port = uri.IsDefaultPort || uri.Port < 0 ? DefaultTcpPort : uri.Port;
            if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
            {
                error = $"'{text}': a modbus-tcp URI has no path or query.";
                return false;
            }

            endpoint = Tcp(uri.IdnHost, port);
            return true;
        }

        const string rtuScheme = "modbus-rtu://";
        if (!text.StartsWith(rtuScheme, StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' has an unknown scheme; expected modbus-tcp:// or modbus-rtu://.";
            return false;
        }

        string rest = text[rtuScheme.Length..];
        int query = rest.IndexOf('?');
        string path = query < 0 ? rest : rest[..query];
        if (!path.StartsWith('/') || path.Length < 2)
        {
            error = $"'{text}': expected an absolute device path, e.g. modbus-rtu:///dev/ttyUSB0.";
            return false;
        }

        var settings = new SerialLineSettings();
        SerialDriver? driver = null;
        bool rs485 = false;
        var rs485Settings = new Rs485Settings();
        if (query >= 0)
        {
            foreach (var pair in rest[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                string key = parts[0].ToLowerInvariant();
                string value = parts.Length == 2 ? parts[1] : "";
                string lower = value.ToLowerInvariant();
                switch (key)
                {
                    case "baud" when int.TryParse(value, out int baud) && SerialLineSettings.SupportedBaudRates.Contains(baud):
                        settings = settings with { BaudRate = baud };
                        break;
                    case "parity" when value.ToUpperInvariant() is "N" or "E" or "O" or "NONE" or "EVEN" or "ODD":
                        settings = settings with { Parity = value.ToUpperInvariant()[0] switch { 'N' => SerialParity.None, 'E' => SerialParity.Even, _ => SerialParity.Odd } };
                        break;
                    case "stop" when value is "1" or "2":
                        settings = settings with { StopBits = value == "2" ? SerialStopBits.Two : SerialStopBits.One };
                        break;
                    case "data" when value is "7" or "8":
                        settings = settings with { DataBits = value == "7" ? 7 : 8 };
                        break;
                    case "driver" when lower is "ports" or "termios":
                        driver = lower == "termios" ? SerialDriver.Termios : SerialDriver.Ports;
                        break;
                    case "rs485" when lower is "on" or "off":
                        rs485 = lower == "on";
                        break;
                    case "rts" when lower is "high" or "low":
                        rs485Settings = rs485Settings with { RtsHighOnSend = lower == "high" };
                        break;
                    case "rts-before-ms" when int.TryParse(value, out int before) && before is >= 0 and <= Rs485Settings.MaxDelayMilliseconds:
                        rs485Settings = rs485Settings with { DelayBeforeSendMilliseconds = before };
                        break;
                    case "rts-after-ms" when int.TryParse(value, out int after) && after is >= 0 and <= Rs485Settings.MaxDelayMilliseconds:
                        rs485Settings = rs485Settings with { DelayAfterSendMilliseconds = after };
                        break;
                    case "rx-during-tx" when lower is "on" or "off":
                        rs485Settings = rs485Settings with { ReceiveDuringTransmit = lower == "on" };
                        break;
                    case "baud":
                        error = $"'{text}': baud={value} is not one of {string.Join(", ", SerialLineSettings.SupportedBaudRates)}.";
                        return false;
                    case "parity":
                        error = $"'{text}': parity={value} must be N, E or O.";
                        return false;
                    case "stop":
                        error = $"'{text}': stop={value} must be 1 or 2.";
                        return false;
                    case "data":
                        error = $"'{text}': data={value} must be 7 or 8.";
                        return false;
                    case "driver":
                        error = $"'{text}': driver={value} must be ports (System.IO.Ports, the default) or termios.";
                        return false;
                    case "rs485" or "rx-during-tx":
                        error = $"'{text}': {key}={value} must be on or off.";
                        return false;
                    case "rts":
                        error = $"'{text}': rts={value} must be high or low (the RTS level while sending).";
                        return false;
                    case "rts-before-ms" or "rts-after-ms":
                        error = $"'{text}': {key}={value} must be a whole number of milliseconds, 0–{Rs485Settings.MaxDelayMilliseconds}.";
                        return false;
                    default:
                        error = $"'{text}': unknown parameter '{key}' (known: baud, parity, data, stop, driver, rs485, rts, rts-before-ms, rts-after-ms, rx-during-tx).";
                        return false;
                }
            }
        }

        if (rs485 && driver == SerialDriver.Ports)
        {
            error = $"'{text}': rs485=on needs driver=termios (System.IO.Ports cannot switch a UART into kernel RS-485 mode); drop driver=ports.";
            return false;
        }

        if (!rs485 && rs485Settings != new Rs485Settings())
        {
            error = $"'{text}': rts, rts-before-ms, rts-after-ms and rx-during-tx set kernel RS-485 mode; add rs485=on.";
            return false;
        }

        settings = settings with
        {
            Driver = driver ?? (rs485 ? SerialDriver.Termios : SerialDriver.Ports),
            Rs485 = rs485 ? rs485Settings : null,
        };
        endpoint = Rtu(path, settings);
        return true;
    }

    /// <summary>Creates the client for this endpoint (TCP connects lazily; RTU opens the port now).</summary>
    public IModbusClient CreateClient(ModbusClientOptions? options = null) =>
        IsTcp ? new ModbusTcpClient(Host!, Port, options) : new ModbusRtuClient(DevicePath!, Serial!, options);

    /// <inheritdoc />
    public override string ToString() =>
        IsTcp ? $"modbus-tcp://{(Host!.Contains(':') ? $"[{Host}]" : Host)}:{Port}"
              : $"modbus-rtu://{DevicePath}?baud={Serial!.BaudRate}&parity={Serial.Parity.ToString()[0]}&data={Serial.DataBits}&stop={(Serial.StopBits == SerialStopBits.Two ? 2 : 1)}{DriverQuery(Serial)}";

    private static string DriverQuery(SerialLineSettings serial) =>
        (serial.Driver == SerialDriver.Termios && serial.Rs485 is null ? "&driver=termios" : "")
        + (serial.Rs485 is { } rs485
            ? $"&rs485=on&rts={(rs485.RtsHighOnSend ? "high" : "low")}&rts-before-ms={rs485.DelayBeforeSendMilliseconds}&rts-after-ms={rs485.DelayAfterSendMilliseconds}{(rs485.ReceiveDuringTransmit ? "&rx-during-tx=on" : "")}"
            : "");
}
