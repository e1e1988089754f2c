using Gateway.Drivers.Devices.SunSpec;
using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Devices;

/// <summary>
/// The server side of a profile: a device's holding and input registers laid out from its
/// <see cref="DeviceProfile"/>, read and written by point name. Simulators and tests serve it
/// over Modbus; because the layout comes from the same profile the driver reads, both agree
/// by construction.
/// </summary>
/// <remarks>
/// Only registers of declared points exist (a read spanning others answers exception 02), except
/// on SunSpec devices, whose model blocks are complete. Writes are allowed only to points the
/// profile marks rw. Not thread-safe: the owner serialises access.
/// </remarks>
public sealed class RegisterImage : IModbusServerUnit
{
    private readonly Dictionary<int, ushort> _holding = [];
    private readonly Dictionary<int, ushort> _input = [];
    private readonly HashSet<int> _writable = [];
    private readonly Dictionary<string, (ModbusPointLocation Location, int Address, int? ScaleFactorAddress)> _points = new(StringComparer.Ordinal);

    /// <summary>Lays out the registers of <paramref name="profile"/>.</summary>
    /// <param name="profile">The device profile.</param>
    /// <param name="sunSpecModels">SunSpec model chain to lay out (default: the profile's); ignored for non-SunSpec profiles.</param>
    /// <param name="sunSpecBase">Where the "SunS" marker goes.</param>
    public RegisterImage(DeviceProfile profile, IReadOnlyList<SunSpecModelLayout>? sunSpecModels = null, ushort sunSpecBase = 40000)
    {
        Profile = profile;
        var map = profile.Modbus ?? throw new ArgumentException($"profile '{profile.Name}' has no Modbus register map", nameof(profile));
        var modelAddress = new Dictionary<int, (int Address, int Length)>();
        if (map.SunSpec)
        {
            var models = sunSpecModels ?? map.SunSpecModels;
            var address = (int)sunSpecBase;
            _holding[address++] = SunSpecDiscovery.MarkerHigh;
            _holding[address++] = SunSpecDiscovery.MarkerLow;
            foreach (var model in models)
            {
                modelAddress.TryAdd(model.Id, (address, model.Length));
                _holding[address] = (ushort)model.Id;
                _holding[address + 1] = (ushort)model.Length;
                for (var i = 2; i < model.Length + 2; i++) _holding[address + i] = 0;
                address += model.Length + 2;
            }
            _holding[address] = SunSpecDiscovery.EndOfChain;
            _holding[address + 1] = 0;
        }
        foreach (var point in profile.Points)
        {
            var location = map.Locations[point.Name];
            int address;
            int? sfAddress = location.ScaleFactorRegister;
            if (location.IsSunSpec)
            {
                if (!modelAddress.TryGetValue(location.SunSpecModel!.Value, out var model)
                    || location.Offset + location.RegisterCount > model.Length + 2)
                    continue;
                address = model.Address + location.Offset;
                sfAddress = sfAddress is { } sfOffset ? model.Address + sfOffset : null;
            }
            else
            {
                address = location.Address!.Value;
            }
            _points[point.Name] = (location, address, sfAddress);
            var table = location.Table == RegisterTable.Holding ? _holding : _input;
            for (var i = 0; i < location.RegisterCount; i++)
            {
                table.TryAdd(address + i, 0);
                if (point.IsWritable) _writable.Add(address + i);
            }
            // Until the owner sets a value, SunSpec points read as "not implemented".
            if (location.IsSunSpec && location.DataType != RegisterDataType.String) SetRaw(point.Name, null);
        }
    }

    /// <summary>The profile the image was laid out from.</summary>
    public DeviceProfile Profile { get; }

    /// <summary>Asked before a write touching a point is stored: return an exception code to refuse it.</summary>
    public Func<string, double?, ModbusExceptionCode>? ValidateWrite { get; set; }

    /// <summary>Told after a write touching a point was stored.</summary>
    public Action<string>? PointWritten { get; set; }

    /// <summary>Whether the point has registers in this image (a SunSpec point of a missing model does not).</summary>
    public bool Has(string point) => _points.ContainsKey(point);

    /// <summary>Absolute address of a point's first register.</summary>
    internal int AddressOf(string point) => Entry(point).Address;

    /// <summary>Stores <paramref name="value"/> (in the point's unit) or, for null, the point's "not available" marker.</summary>
    public void Set(string point, double? value)
    {
        var (location, _, sfAddress) = Entry(point);
        if (value is null) { SetRaw(point, null); return; }
        var sf = sfAddress is { } a ? (short)Table(location)[a] : 0;
        var raw = RegisterCodec.Unscale(location, value.Value, sf);
        raw = location.DataType switch
        {
            RegisterDataType.Int16 => Math.Clamp(raw, short.MinValue + 1, short.MaxValue),
            RegisterDataType.UInt16 => Math.Clamp(raw, 0, ushort.MaxValue - 1),
            RegisterDataType.Int32 => Math.Clamp(raw, int.MinValue + 1, int.MaxValue),
            RegisterDataType.UInt32 or RegisterDataType.Acc32 => Math.Clamp(raw, 0, uint.MaxValue - 1),
            _ => raw,
        };
        Store(location, Entry(point).Address, RegisterCodec.EncodeRaw(location, raw));
    }

    /// <summary>Stores a raw value, or null for the "not available" marker (SunSpec's, else the profile's <c>absent</c>, else 0).</summary>
    internal void SetRaw(string point, double? raw)
    {
        var (location, address, _) = Entry(point);
        raw ??= location.AbsentRaw ?? (location.IsSunSpec ? location.DataType switch
        {
            RegisterDataType.Int16 => short.MinValue,
            RegisterDataType.UInt16 => ushort.MaxValue,
            RegisterDataType.Int32 => int.MinValue,
            RegisterDataType.UInt32 => uint.MaxValue,
            RegisterDataType.Float32 => double.NaN,
            _ => 0,
        } : 0);
        Store(location, address, RegisterCodec.EncodeRaw(location, raw.Value));
    }

    /// <summary>Stores the text of a string point.</summary>
    public void SetText(string point, string text)
    {
        var (location, address, _) = Entry(point);
        Store(location, address, RegisterCodec.EncodeString(text, location.RegisterCount));
    }

    /// <summary>The value of a point in its unit, or null when it holds a "not available" marker.</summary>
    public double? Get(string point)
    {
        var (location, address, sfAddress) = Entry(point);
        var table = Table(location);
        var words = new ushort[location.RegisterCount];
        for (var i = 0; i < words.Length; i++) words[i] = table[address + i];
        var sf = sfAddress is { } a ? (short)table[a] : 0;
        if (sf == RegisterCodec.AbsentScaleFactor) return null;
        return RegisterCodec.Decode(location, words, sf);
    }

    /// <summary>The text of a string point (empty when unset).</summary>
    public string GetText(string point)
    {
        var (location, address, _) = Entry(point);
        var table = Table(location);
        var words = new ushort[location.RegisterCount];
        for (var i = 0; i < words.Length; i++) words[i] = table[address + i];
        return RegisterCodec.DecodeString(words);
    }

    /// <summary>
    /// Writes <paramref name="value"/> (in the point's unit) the way a Modbus client's write arrives:
    /// encoded with the point's scale, then through <see cref="WriteHoldingRegisters"/>, so only rw
    /// points take it, <see cref="ValidateWrite"/> may refuse it and <see cref="PointWritten"/> is told.
    /// Simulators use it to apply commands that reach them over another transport (MQTT).
    /// </summary>
    /// <returns>None, or the exception code a Modbus client would have received.</returns>
    public ModbusExceptionCode Write(string point, double value)
    {
        var (location, address, sfAddress) = Entry(point);
        if (location.Table != RegisterTable.Holding) return ModbusExceptionCode.IllegalDataAddress;
        var sf = sfAddress is { } a ? (short)Table(location)[a] : 0;
        if (sf == RegisterCodec.AbsentScaleFactor) return ModbusExceptionCode.ServerDeviceFailure;
        ushort[] words;
        try
        {
            words = RegisterCodec.Encode(location, value, sf);
        }
        catch (ArgumentOutOfRangeException)
        {
            // A value the register cannot hold is what a device answers with "illegal data value".
            return ModbusExceptionCode.IllegalDataValue;
        }
        return WriteHoldingRegisters((ushort)address, words);
    }

    /// <summary>Overwrites one raw register (tests use it to plant odd values).</summary>
    internal void Poke(RegisterTable table, int address, ushort value) => (table == RegisterTable.Holding ? _holding : _input)[address] = value;

    /// <inheritdoc />
    public ModbusExceptionCode ReadHoldingRegisters(ushort address, Span<ushort> values) => Read(_holding, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode ReadInputRegisters(ushort address, Span<ushort> values) => Read(_input, address, values);

    /// <inheritdoc />
    public ModbusExceptionCode WriteHoldingRegisters(ushort address, ReadOnlySpan<ushort> values)
    {
        for (var i = 0; i < values.Length; i++)
            if (!_holding.ContainsKey(address + i) || !_writable.Contains(address + i)) return ModbusExceptionCode.IllegalDataAddress;
        var saved = new ushort[values.Length];
        for (var i = 0; i < values.Length; i++) { saved[i] = _holding[address + i]; _holding[address + i] = values[i]; }
        var end = address + values.Length;
        var touched = _points.Where(p => p.Value.Location.Table == RegisterTable.Holding
                && p.Value.Address < end && p.Value.Address + p.Value.Location.RegisterCount > address)
            .Select(p => p.Key).ToArray();
        foreach (var name in touched)
        {
            var verdict = ValidateWrite?.Invoke(name, Get(name)) ?? ModbusExceptionCode.None;
            if (verdict != ModbusExceptionCode.None)
            {
                for (var i = 0; i < values.Length; i++) _holding[address + i] = saved[i];
                return verdict;
            }
        }
        foreach (var name in touched) PointWritten?.Invoke(name);
        return ModbusExceptionCode.None;
    }

    /// <inheritdoc />
    public ModbusExceptionCode ReadCoils(ushort address, Span<bool> values) => ModbusExceptionCode.IllegalDataAddress;

    /// <inheritdoc />
    public ModbusExceptionCode ReadDiscreteInputs(ushort address, Span<bool> values) => ModbusExceptionCode.IllegalDataAddress;

    /// <inheritdoc />
    public ModbusExceptionCode WriteCoils(ushort address, ReadOnlySpan<bool> values) => ModbusExceptionCode.IllegalDataAddress;

    private static ModbusExceptionCode Read(Dictionary<int, ushort> table, ushort address, Span<ushort> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!table.TryGetValue(address + i, out var v)) return ModbusExceptionCode.IllegalDataAddress;
            values[i] = v;
        }
        return ModbusExceptionCode.None;
    }

    private (ModbusPointLocation Location, int Address, int? ScaleFactorAddress) Entry(string point) =>
        _points.TryGetValue(point, out var entry) ? entry : throw new ArgumentException($"profile '{Profile.Name}' has no point '{point}' in this image", nameof(point));

    private Dictionary<int, ushort> Table(ModbusPointLocation location) => location.Table == RegisterTable.Holding ? _holding : _input;

    private void Store(ModbusPointLocation location, int address, ushort[] words)
    {
        var table = Table(location);
        for (var i = 0; i < words.Length; i++) table[address + i] = words[i];
    }
}
