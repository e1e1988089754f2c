using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// The lab-bench parts of a rig file: the <c>safety:</c> section (e-stop input, contactor output) and the INA219 meters
/// on I²C, with the checks that keep two functions off one pin.
/// </summary>
internal static class RigLabHardware
{
    /// <summary>GPIO lines a Raspberry Pi gives to I²C bus 1 (SDA, SCL): not available for the e-stop or the contactor when a meter uses the bus.</summary>
    private static readonly IReadOnlyDictionary<int, (int Sda, int Scl)> PiI2cPins = new Dictionary<int, (int, int)> { [1] = (2, 3), [0] = (0, 1) };

    /// <summary>Read <c>safety:</c>; null when absent.</summary>
    public static RigSafety? ReadSafety(YamlFieldReader reader, YamlMappingNode root)
    {
        if (YamlFieldReader.Child(root, "safety") is null) return null;
        var map = reader.Mapping(root, "safety", "");
        if (map is null) return null;
        const string p = "safety";
        reader.RejectUnknownKeys(map, p, "gpioChip", "estop", "contactor");
        var chip = reader.Integer(map, "gpioChip", p, 0, 15, required: false, fallback: 0);
        RigEmergencyStop? estop = null;
        if (YamlFieldReader.Child(map, "estop") is null)
        {
            reader.Problem(map, "safety.estop",
                "is missing: a safety section needs the emergency-stop input (estop: { pin: 17, closedLevel: low, debounceMs: 10 }); without it the gateway could not stop the bench");
        }
        else if (reader.Mapping(map, "estop", p) is { } e)
        {
            const string ep = "safety.estop";
            reader.RejectUnknownKeys(e, ep, "pin", "closedLevel", "debounceMs");
            var pin = reader.Integer(e, "pin", ep, 0, 63);
            var level = reader.Choice(e, "closedLevel", ep, ["low", "high"], required: false, fallback: "low");
            var debounce = reader.Number(e, "debounceMs", ep, 0, 50, required: false, fallback: 10, unit: "ms");
            if (pin is not null && level is not null && debounce is not null)
                estop = new RigEmergencyStop(pin.Value, level == "high", TimeSpan.FromMilliseconds(debounce.Value));
        }
        RigContactor? contactor = null;
        if (YamlFieldReader.Child(map, "contactor") is not null && reader.Mapping(map, "contactor", p) is { } c)
        {
            const string cp = "safety.contactor";
            reader.RejectUnknownKeys(c, cp, "pin", "closedLevel");
            var pin = reader.Integer(c, "pin", cp, 0, 63);
            var level = reader.Choice(c, "closedLevel", cp, ["low", "high"], required: false, fallback: "high");
            if (pin is not null && level is not null) contactor = new RigContactor(pin.Value, level == "high");
            if (pin is not null && estop is not null && pin == estop.Pin)
                reader.Problem(YamlFieldReader.Child(c, "pin"), "safety.contactor.pin", $"GPIO {pin} is already the e-stop input (safety.estop.pin): the contactor needs its own line");
        }
        return estop is null || chip is null ? null : new RigSafety(chip.Value, estop, contactor);
    }

    /// <summary>Read an <c>i2c</c> device's endpoint (<c>i2c-BUS@0xADDR</c>) and its <c>ina219:</c> block.</summary>
    public static RigIna219? ReadIna219(YamlFieldReader reader, YamlMappingNode device, string path, string? endpoint, string? kind)
    {
        if (kind is not null && kind != "meter")
            reader.Problem(YamlFieldReader.Child(device, "kind"), path + ".kind", $"an i2c device is an INA219 meter: kind must be meter, not {kind}");
        (int Bus, int Address)? at = null;
        if (endpoint is not null)
        {
            at = ParseI2cEndpoint(endpoint);
            if (at is null)
                reader.Problem(YamlFieldReader.Child(device, "endpoint"), path + ".endpoint",
                    $"'{endpoint}' is not an I²C address: write i2c-BUS@0xADDR, e.g. i2c-1@0x40 (an INA219 answers at 0x40–0x4F)");
        }
        var map = YamlFieldReader.Child(device, "ina219") is null ? null : reader.Mapping(device, "ina219", path);
        if (YamlFieldReader.Child(device, "ina219") is null)
        {
            reader.Problem(device, path + ".ina219", "is missing: an INA219 needs its shunt and largest current (ina219: { shuntOhms: 0.1, maxCurrentA: 3.2 }) to be calibrated");
            return null;
        }
        if (map is null) return null;
        var ip = path + ".ina219";
        reader.RejectUnknownKeys(map, ip, "shuntOhms", "maxCurrentA", "positiveCurrent", "busVoltageRange");
        var shunt = reader.Number(map, "shuntOhms", ip, 0.0001, 10, unit: "Ω");
        var maxA = reader.Number(map, "maxCurrentA", ip, 0.001, 100, unit: "A");
        var direction = reader.Choice(map, "positiveCurrent", ip, ["export", "import"], required: false, fallback: "export");
        var range = reader.Integer(map, "busVoltageRange", ip, 16, 32, required: false, fallback: 32);
        if (range is not null and not (16 or 32))
            reader.Problem(YamlFieldReader.Child(map, "busVoltageRange"), ip + ".busVoltageRange", $"{range} V is not a range of the INA219: 16 or 32");
        if (shunt is not null && maxA is not null)
        {
            try
            {
                Gateway.Drivers.Lab.Ina219Calibration.Compute(shunt.Value, maxA.Value);
            }
            catch (ArgumentException e)
            {
                reader.Problem(map, ip, e.Message);
                return null;
            }
        }
        if (at is null || shunt is null || maxA is null || direction is null || range is not (16 or 32)) return null;
        return new RigIna219(at.Value.Bus, at.Value.Address, shunt.Value, maxA.Value, direction == "export" ? 1 : -1, range.Value);
    }

    /// <summary>Parse <c>i2c-1@0x40</c> (also <c>/dev/i2c-1@0x40</c> and a decimal address).</summary>
    public static (int Bus, int Address)? ParseI2cEndpoint(string endpoint)
    {
        var text = endpoint.StartsWith("/dev/", StringComparison.Ordinal) ? endpoint[5..] : endpoint;
        var at = text.IndexOf('@');
        if (!text.StartsWith("i2c-", StringComparison.Ordinal) || at < 5) return null;
        if (!int.TryParse(text[4..at], NumberStyles.None, CultureInfo.InvariantCulture, out var bus) || bus > 255) return null;
        var addressText = text[(at + 1)..];
        var ok = addressText.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(addressText[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var address)
            : int.TryParse(addressText, NumberStyles.None, CultureInfo.InvariantCulture, out address);
        return ok && address is >= 0x40 and <= 0x4F ? (bus, address) : null;
    }

    /// <summary>Pins and addresses used twice: two meters at one address, the e-stop or contactor on the I²C pins a meter needs.</summary>
    public static void CheckConflicts(YamlFieldReader reader, YamlMappingNode root, IReadOnlyList<RigDevice> devices, RigSafety? safety)
    {
        foreach (var clash in devices.Where(d => d.Ina219 is not null).GroupBy(d => (d.Ina219!.Bus, d.Ina219.Address)).Where(g => g.Count() > 1))
            reader.Problem(YamlFieldReader.Child(root, "devices"), "devices",
                $"devices {string.Join(" and ", clash.Select(d => d.Id))} are both at I²C bus {clash.Key.Bus} address 0x{clash.Key.Address:X2}: strap each INA219 to its own address (A0/A1)");
        if (safety is null) return;
        var safetyMap = YamlFieldReader.Child(root, "safety");
        foreach (var bus in devices.Where(d => d.Ina219 is not null).Select(d => d.Ina219!.Bus).Distinct())
        {
            if (safety.GpioChip != 0 || !PiI2cPins.TryGetValue(bus, out var pins)) continue;
            var user = devices.First(d => d.Ina219?.Bus == bus).Id;
            foreach (var (name, pin) in new[] { ("safety.estop.pin", (int?)safety.EmergencyStop.Pin), ("safety.contactor.pin", safety.Contactor?.Pin) })
            {
                if (pin == pins.Sda || pin == pins.Scl)
                    reader.Problem(safetyMap, name, $"GPIO {pin} is {(pin == pins.Sda ? "SDA" : "SCL")} of I²C bus {bus}, which meter '{user}' uses: pick another line (e.g. 17 for the e-stop, 27 for the contactor)");
            }
        }
    }
}
