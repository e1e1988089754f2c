using System.Globalization;
using Gateway.DeviceSims.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// The simulators' run-time control, one command per line (read from standard input):
/// <code>
/// fault DEVICE none | no-answer | slow MS | exception CODE | corrupt | disconnect
/// status
/// help
/// quit
/// </code>
/// Every command gets one or more reply lines; a bad command gets a line starting "error:".
/// </summary>
public sealed class ControlInterpreter(SimulatedRig rig)
{
    /// <summary>The command summary printed by <c>help</c>.</summary>
    public const string Help = "commands: fault DEVICE none|no-answer|slow MS|exception CODE|corrupt|disconnect; status; help; quit";

    /// <summary>Runs one command line; <paramref name="quit"/> tells whether to stop the simulators.</summary>
    public IReadOnlyList<string> Execute(string line, out bool quit)
    {
        quit = false;
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) return [];
        switch (words[0].ToLowerInvariant())
        {
            case "quit" or "exit":
                quit = true;
                return ["bye"];
            case "help":
                return [Help];
            case "status":
                rig.Advance();
                lock (rig.Gate)
                {
                    return [string.Create(CultureInfo.InvariantCulture, $"simulated time {rig.Clock.Now:yyyy-MM-ddTHH:mm:ssZ} (x{rig.Clock.TimeScale})"),
                        .. rig.Devices.Select(d => d.Describe() + (d.Faults.Current.Kind == ModbusFaultKind.None ? "" : $", fault {Name(d.Faults.Current)}"))];
                }
            case "fault":
                if (words.Length < 3) return ["error: usage: fault DEVICE none|no-answer|slow MS|exception CODE|corrupt|disconnect"];
                var device = rig.Find(words[1]);
                if (device is null) return [$"error: no device '{words[1]}' (devices: {string.Join(", ", rig.Devices.Select(d => d.Id))})"];
                if (!TryParseFault(words.AsSpan(2), out var fault, out var why)) return [$"error: {why}"];
                device.Faults.Current = fault;
                return [$"ok: {device.Id} {Name(fault)}"];
            default:
                return [$"error: unknown command '{words[0]}'; {Help}"];
        }
    }

    /// <summary>Parses the words after <c>fault DEVICE</c>.</summary>
    public static bool TryParseFault(ReadOnlySpan<string> words, out ModbusFault fault, out string why)
    {
        fault = ModbusFault.None;
        why = "";
        switch (words[0].ToLowerInvariant())
        {
            case "none": return true;
            case "no-answer": fault = new ModbusFault(ModbusFaultKind.NoAnswer); return true;
            case "corrupt": fault = new ModbusFault(ModbusFaultKind.CorruptFrame); return true;
            case "disconnect": fault = new ModbusFault(ModbusFaultKind.Disconnect); return true;
            case "slow":
                if (words.Length < 2 || !int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > 600_000)
                {
                    why = "slow needs a delay in milliseconds (0–600000)";
                    return false;
                }
                fault = new ModbusFault(ModbusFaultKind.SlowAnswer, TimeSpan.FromMilliseconds(ms));
                return true;
            case "exception":
                if (words.Length < 2 || !byte.TryParse(words[1].Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                    || !Enum.IsDefined((ModbusExceptionCode)code) || code == 0)
                {
                    why = "exception needs a Modbus exception code: 1, 2, 3, 4, 5, 6, 8, A or B";
                    return false;
                }
                fault = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: (ModbusExceptionCode)code);
                return true;
            default:
                why = $"unknown fault '{words[0]}' (none, no-answer, slow MS, exception CODE, corrupt, disconnect)";
                return false;
        }
    }

    private static string Name(ModbusFault f) => f.Kind switch
    {
        ModbusFaultKind.None => "none",
        ModbusFaultKind.NoAnswer => "no-answer",
        ModbusFaultKind.SlowAnswer => $"slow {f.Delay.TotalMilliseconds:0} ms",
        ModbusFaultKind.Exception => $"exception {(byte)f.ExceptionCode:X2}",
        ModbusFaultKind.CorruptFrame => "corrupt",
        _ => "disconnect",
    };
}
