using Gateway.Drivers.Devices.SunSpec;
using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Devices;

/// <summary>
/// The one driver for every Modbus device: it reads and writes a device through its
/// <see cref="DeviceProfile"/>. SunSpec devices are discovered on first use (model chain walked,
/// point offsets resolved against it); reads are coalesced into block reads.
/// </summary>
/// <remarks>
/// One caller at a time: the poller owns the driver. Every failure surfaces as a <see cref="DeviceException"/>
/// (the Modbus client's exception inside). In <see cref="ReadOnly"/> mode no request that writes ever leaves the driver.
/// </remarks>
public sealed class ModbusDeviceDriver : IDeviceDriver
{
    private readonly IModbusClient _client;
    private readonly byte _unitId;
    private readonly TimeProvider _time;
    private readonly bool _ownsClient;
    private readonly ModbusRegisterMap _map;
    private readonly HashSet<ReadBlock> _splitBlocks = [];
    private readonly string? _name;
    private Dictionary<(RegisterTable, int), ushort> _lastRegisters = [];
    private IReadOnlyList<ResolvedPoint>? _resolved;
    private (int Address, ushort[] Words)? _lastSetpointWrite;
    private int _heartbeat;
    private TimeSpan _validity;
    private DateTimeOffset _armedAt;

    /// <summary>Creates a driver for unit <paramref name="unitId"/> behind <paramref name="client"/>.</summary>
    /// <param name="client">The Modbus connection.</param>
    /// <param name="unitId">Unit id of the device (1–247; 255 or 0 for some TCP-only devices).</param>
    /// <param name="profile">The device's profile; it must have a Modbus register map.</param>
    /// <param name="timeProvider">Clock for measurement timestamps.</param>
    /// <param name="ownsClient">Dispose the client with the driver.</param>
    public ModbusDeviceDriver(IModbusClient client, byte unitId, DeviceProfile profile, TimeProvider? timeProvider = null, bool ownsClient = false)
    {
        _client = client;
        _unitId = unitId;
        Profile = profile;
        _map = profile.Modbus ?? throw new ArgumentException($"profile '{profile.Name}' has no Modbus register map", nameof(profile));
        _time = timeProvider ?? TimeProvider.System;
        _ownsClient = ownsClient;
    }

    /// <inheritdoc />
    public DeviceProfile Profile { get; }

    /// <summary>The device in plain words for messages, e.g. <c>modbus-tcp://10.0.0.7:502 unit 3</c> (default: <c>unit N</c>).</summary>
    public string Name
    {
        get => _name ?? $"unit {_unitId}";
        init => _name = value;
    }

    /// <inheritdoc />
    /// <remarks>Set it for a device the gateway may only watch (a probe, a commissioning read, a monitored-only rig device).</remarks>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// The device's rating in kW, from its nameplate, for devices whose profile's rating point reads absent (an inverter
    /// without SunSpec model 120): the basis of a setpoint in %, and the upper bound of a setpoint when the device reports none.
    /// </summary>
    public double? RatingKw { get; init; }

    /// <summary>The SunSpec model chain, once discovered (SunSpec profiles only).</summary>
    public SunSpecMap? SunSpec { get; private set; }

    /// <summary>Walks the device's SunSpec chain (again) and re-resolves the points against it.</summary>
    /// <exception cref="DeviceException">The device cannot be reached, does not answer, or is not SunSpec (<see cref="DeviceErrorKind.BadValue"/>).</exception>
    public Task<SunSpecMap> DiscoverSunSpecAsync(CancellationToken cancellationToken = default) =>
        GuardAsync(async () =>
        {
            SunSpec = await SunSpecDiscovery.DiscoverAsync(_client, _unitId, cancellationToken).ConfigureAwait(false);
            _resolved = null;
            _splitBlocks.Clear();
            return SunSpec;
        });

    /// <summary>
    /// The signed value of every scale-factor point (SunSpec *_SF) as of the last read: null where the register was not read or
    /// holds "not implemented" (0x8000). Scale-factor points are not measurements, so <see cref="ReadAsync(CancellationToken)"/> does not report them.
    /// </summary>
    public IReadOnlyDictionary<string, int?> ScaleFactorsOfLastRead()
    {
        var result = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var p in _resolved ?? [])
        {
            if (p.Point.Role != PointRole.ScaleFactor) continue;
            result[p.Point.Name] = p.Address is { } a && _lastRegisters.TryGetValue((p.Location.Table, a), out var raw) && (short)raw != RegisterCodec.AbsentScaleFactor
                ? (short)raw : null;
        }
        return result;
    }

    /// <inheritdoc />
    public Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default) => GuardAsync(() => ReadCoreAsync(cancellationToken));

    private async Task<DeviceReading> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var points = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        var spans = new List<ReadBlock>();
        foreach (var p in points)
        {
            if (p.Address is { } a) spans.Add(new ReadBlock(p.Location.Table, a, p.Location.RegisterCount));
            if (p.ScaleFactorAddress is { } sf) spans.Add(new ReadBlock(p.Location.Table, sf, 1));
        }
        var registers = new Dictionary<(RegisterTable, int), ushort>();
        foreach (var block in ReadPlanner.Plan(spans, _map.MaxBlockRegisters, _map.MaxGapRegisters))
            await ReadBlockAsync(block, spans, registers, cancellationToken).ConfigureAwait(false);
        _lastRegisters = registers;

        var now = _time.GetUtcNow();
        var measurements = new List<Measurement>(points.Count);
        foreach (var p in points)
        {
            if (p.Point.Role == PointRole.ScaleFactor) continue;
            measurements.Add(Decode(p, registers, now));
        }
        return new DeviceReading(Profile.Name, now, measurements);
    }

    /// <inheritdoc />
    public Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("a setpoint");
        return GuardAsync(() => WriteSetpointCoreAsync(powerKw, validFor, cancellationToken));
    }

    private async Task<SetpointResult> WriteSetpointCoreAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (double.IsNaN(powerKw) || double.IsInfinity(powerKw)) throw new ArgumentOutOfRangeException(nameof(powerKw), powerKw, "a setpoint must be a finite number of kW");
        var setpoint = Profile.FindRole(PointRole.Setpoint)
            ?? throw new InvalidOperationException($"profile '{Profile.Name}' has no setpoint point");
        var reading = await ReadCoreAsync(cancellationToken).ConfigureAwait(false);
        var resolved = Resolve(setpoint);

        var bounds = SetpointBounds.From(setpoint, reading, RatingKw);
        var (lowKw, highKw) = (bounds.LowKw, bounds.HighKw);
        var (targetKw, clampedBy) = bounds.Clamp(powerKw);

        var (value, percentBasisKw) = SetpointBounds.ToPointValue(setpoint, reading, targetKw, powerKw, RatingKw);
        var unitLimits = setpoint.Limits;
        if (!unitLimits.Contains(value)) { value = unitLimits.Clamp(value); clampedBy ??= $"profile limit of {setpoint.Name}"; }

        var scaleFactor = ScaleFactorOf(resolved, _lastRegisters)
            ?? throw new InvalidOperationException($"the scale factor of '{setpoint.Name}' is not available");
        var raw = RegisterCodec.Unscale(resolved.Location, value, scaleFactor);
        // Rounding to the register's resolution must never step outside a limit.
        var step = resolved.Location.Negate ? -1 : 1;
        var limitLow = setpoint.PercentOf is null ? Math.Max(lowKw, unitLimits.Min ?? double.NegativeInfinity) : unitLimits.Min ?? double.NegativeInfinity;
        var limitHigh = setpoint.PercentOf is null ? Math.Min(highKw, unitLimits.Max ?? double.PositiveInfinity) : unitLimits.Max ?? double.PositiveInfinity;
        if (RegisterCodec.Scale(resolved.Location, raw, scaleFactor) > limitHigh + 1e-9) raw -= step;
        if (RegisterCodec.Scale(resolved.Location, raw, scaleFactor) < limitLow - 1e-9) raw += step;
        value = RegisterCodec.Scale(resolved.Location, raw, scaleFactor);
        targetKw = setpoint.PercentOf is null ? value : value * percentBasisKw / 100;

        var validSeconds = 0.0;
        if (Profile.FindRole(PointRole.Watchdog) is { IsWritable: true } watchdog)
        {
            // Never 0: on many devices a timeout of 0 means "valid forever".
            validSeconds = Math.Max(1, watchdog.Limits.Clamp(Math.Ceiling(validFor.TotalSeconds)));
            await WritePointCoreAsync(watchdog.Name, validSeconds, cancellationToken).ConfigureAwait(false);
        }
        if (setpoint.EnablePoint is { } enable)
            await WritePointCoreAsync(enable, 1, cancellationToken).ConfigureAwait(false);
        var words = RegisterCodec.EncodeRaw(resolved.Location, raw);
        await WriteWordsAsync(resolved.Address!.Value, words, cancellationToken).ConfigureAwait(false);
        _lastSetpointWrite = (resolved.Address.Value, words);
        (_validity, _armedAt) = (TimeSpan.FromSeconds(validSeconds), _time.GetUtcNow());

        var back = await _client.ReadHoldingRegistersAsync(_unitId, (ushort)resolved.Address.Value, (ushort)words.Length, cancellationToken).ConfigureAwait(false);
        var readBack = RegisterCodec.Decode(resolved.Location, back, scaleFactor);
        var confirmed = readBack is { } rb && Math.Abs(rb - value) <= RegisterCodec.Resolution(resolved.Location, scaleFactor) / 2 + 1e-9;
        return new SetpointResult(powerKw, targetKw, clampedBy, value, setpoint.Unit, readBack, confirmed,
            TimeSpan.FromSeconds(validSeconds), _time.GetUtcNow());
    }

    /// <inheritdoc />
    public Task RefreshWatchdogAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly("the heartbeat");
        return GuardAsync(async () => { await RefreshWatchdogCoreAsync(cancellationToken).ConfigureAwait(false); return true; });
    }

    /// <inheritdoc />
    /// <remarks>
    /// Nothing of ours to keep alive before this driver's first setpoint (a setpoint left by an earlier gateway, or
    /// written by another master, is let run out); after it, the watchdog is re-armed once a third of the setpoint's
    /// validity has passed (on the clock this driver stamps readings with, the plant's), which leaves at least two more
    /// polls before it runs out when polls come at least that often. A heartbeat on every poll was one of a charger's
    /// four requests per poll (docs/benchmarks.md, 2,000 devices).
    /// </remarks>
    public Task RefreshWatchdogIfDueAsync(CancellationToken cancellationToken = default)
    {
        if (_lastSetpointWrite is null) return Task.CompletedTask;
        // A clock stepped back (now before the last arm) makes the age unknown: re-arm rather than trust it.
        var age = _time.GetUtcNow() - _armedAt;
        if (_validity > TimeSpan.Zero && age >= TimeSpan.Zero && age < _validity / 3) return Task.CompletedTask;
        return RefreshWatchdogAsync(cancellationToken);
    }

    private async Task RefreshWatchdogCoreAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (Profile.FindRole(PointRole.Heartbeat) is { IsWritable: true } heartbeat)
        {
            await ResolveAsync(cancellationToken).ConfigureAwait(false);
            _heartbeat = (_heartbeat + 1) % 10_000;
            await WritePointCoreAsync(heartbeat.Name, _heartbeat, cancellationToken).ConfigureAwait(false);
        }
        else if (_lastSetpointWrite is { } last)
        {
            // Without a heartbeat register, rewriting the setpoint re-arms the device's revert timer.
            await WriteWordsAsync(last.Address, last.Words, cancellationToken).ConfigureAwait(false);
        }
        _armedAt = now;
    }

    /// <summary>Writes one writable point (in its unit, scaled like a read); read-only points are refused.</summary>
    /// <exception cref="DeviceException">The point is unknown, read-only or not on the device (<see cref="DeviceErrorKind.BadValue"/>),
    /// the driver is read-only (<see cref="DeviceErrorKind.ReadOnly"/>), or the device failed.</exception>
    internal Task WritePointAsync(string pointName, double value, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly($"point '{pointName}'");
        return GuardAsync(async () => { await WritePointCoreAsync(pointName, value, cancellationToken).ConfigureAwait(false); return true; });
    }

    private async Task WritePointCoreAsync(string pointName, double value, CancellationToken cancellationToken)
    {
        var point = Profile.FindPoint(pointName) ?? throw new InvalidOperationException($"profile '{Profile.Name}' has no point '{pointName}'");
        if (!point.IsWritable) throw new InvalidOperationException($"point '{pointName}' of profile '{Profile.Name}' is read-only");
        await ResolveAsync(cancellationToken).ConfigureAwait(false);
        var resolved = Resolve(point);
        var scaleFactor = ScaleFactorOf(resolved, _lastRegisters);
        if (scaleFactor is null && resolved.ScaleFactorAddress is { } sfAddress)
        {
            var sf = await _client.ReadHoldingRegistersAsync(_unitId, (ushort)sfAddress, 1, cancellationToken).ConfigureAwait(false);
            _lastRegisters[(RegisterTable.Holding, sfAddress)] = sf[0];
            scaleFactor = ScaleFactorOf(resolved, _lastRegisters);
        }
        if (scaleFactor is null) throw new InvalidOperationException($"the scale factor of '{pointName}' is not available");
        var words = RegisterCodec.Encode(resolved.Location, point.Limits.Clamp(value), scaleFactor.Value);
        await WriteWordsAsync(resolved.Address!.Value, words, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownsClient ? _client.DisposeAsync() : ValueTask.CompletedTask;

    // Every register write of the driver goes through here, so the read-only lock holds for paths added later too.
    private Task WriteWordsAsync(int address, ushort[] words, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly($"register {address}");
        return words.Length == 1
            ? _client.WriteSingleRegisterAsync(_unitId, (ushort)address, words[0], cancellationToken)
            : _client.WriteMultipleRegistersAsync(_unitId, (ushort)address, words, cancellationToken);
    }

    private void ThrowIfReadOnly(string what)
    {
        if (ReadOnly) throw DeviceFailures.ReadOnly(Name, $"write {what}");
    }

    private Task<T> GuardAsync<T>(Func<Task<T>> action) => DeviceFailures.GuardAsync(Name, action);

    private ResolvedPoint Resolve(ProfilePoint point)
    {
        var resolved = _resolved!.First(r => r.Point.Name == point.Name);
        if (resolved.Address is null)
            throw new InvalidOperationException($"point '{point.Name}' is not on this device ({resolved.AbsentReason})");
        return resolved;
    }

    private async Task<IReadOnlyList<ResolvedPoint>> ResolveAsync(CancellationToken cancellationToken)
    {
        if (_resolved is not null) return _resolved;
        if (_map.SunSpec && SunSpec is null) await DiscoverSunSpecAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ResolvedPoint>();
        foreach (var point in Profile.Points)
        {
            var location = _map.Locations[point.Name];
            if (!location.IsSunSpec)
            {
                list.Add(new ResolvedPoint(point, location, location.Address, location.ScaleFactorRegister, null));
                continue;
            }
            var model = SunSpec!.FindCompatible(location.SunSpecModel!.Value);
            if (model is null)
            {
                list.Add(new ResolvedPoint(point, location, null, null, $"SunSpec model {location.SunSpecModel} not present"));
                continue;
            }
            var address = model.AddressOf(location.Offset, location.RegisterCount);
            var sfAddress = location.ScaleFactorRegister is { } sfOffset ? model.AddressOf(sfOffset) : null;
            var reason = address is null ? $"offset {location.Offset} beyond model {model.Id}'s length {model.Length}"
                : location.ScaleFactorRegister is not null && sfAddress is null ? $"scale factor offset beyond model {model.Id}'s length {model.Length}"
                : null;
            list.Add(reason is null
                ? new ResolvedPoint(point, location, address, sfAddress, null)
                : new ResolvedPoint(point, location, null, null, reason));
        }
        return _resolved = list;
    }

    private async Task ReadBlockAsync(ReadBlock block, List<ReadBlock> spans, Dictionary<(RegisterTable, int), ushort> registers, CancellationToken cancellationToken)
    {
        if (!_splitBlocks.Contains(block))
        {
            try
            {
                Store(block, await ReadAsync(block, cancellationToken).ConfigureAwait(false), registers);
                return;
            }
            catch (ModbusDeviceException e) when (e.Code == ModbusExceptionCode.IllegalDataAddress)
            {
                // The block spans registers the device does not have: read its points one by one from now on.
                _splitBlocks.Add(block);
            }
        }
        foreach (var span in spans.Where(s => s.Table == block.Table && s.Start >= block.Start && s.End <= block.End).Distinct())
        {
            try
            {
                Store(span, await ReadAsync(span, cancellationToken).ConfigureAwait(false), registers);
            }
            catch (ModbusDeviceException e) when (e.Code == ModbusExceptionCode.IllegalDataAddress)
            {
                // This point is not on the device; it is reported absent.
            }
        }
    }

    private Task<ushort[]> ReadAsync(ReadBlock block, CancellationToken cancellationToken) =>
        block.Table == RegisterTable.Holding
            ? _client.ReadHoldingRegistersAsync(_unitId, (ushort)block.Start, (ushort)block.Count, cancellationToken)
            : _client.ReadInputRegistersAsync(_unitId, (ushort)block.Start, (ushort)block.Count, cancellationToken);

    private static void Store(ReadBlock block, ushort[] words, Dictionary<(RegisterTable, int), ushort> registers)
    {
        for (var i = 0; i < Math.Min(words.Length, block.Count); i++) registers[(block.Table, block.Start + i)] = words[i];
    }

    private static int? ScaleFactorOf(ResolvedPoint p, Dictionary<(RegisterTable, int), ushort> registers)
    {
        if (p.ScaleFactorAddress is not { } sfAddress) return 0;
        if (!registers.TryGetValue((p.Location.Table, sfAddress), out var sf) || (short)sf == RegisterCodec.AbsentScaleFactor) return null;
        return (short)sf;
    }

    private static Measurement Decode(ResolvedPoint p, Dictionary<(RegisterTable, int), ushort> registers, DateTimeOffset now)
    {
        var absent = new Measurement(p.Point.Name, p.Point.Role, null, p.Point.Unit, now, MeasurementQuality.Absent);
        if (p.Address is not { } address) return absent;
        var words = new ushort[p.Location.RegisterCount];
        for (var i = 0; i < words.Length; i++)
            if (!registers.TryGetValue((p.Location.Table, address + i), out words[i])) return absent;
        if (p.Location.DataType == RegisterDataType.String)
        {
            var text = RegisterCodec.DecodeString(words);
            return text.Length == 0 ? absent : absent with { Quality = MeasurementQuality.Good, Text = text };
        }
        if (ScaleFactorOf(p, registers) is not { } sf) return absent;
        if (RegisterCodec.Decode(p.Location, words, sf) is not { } value) return absent;
        var quality = p.Point.Limits.Contains(value) ? MeasurementQuality.Good : MeasurementQuality.OutOfRange;
        var state = p.Point.States.Count > 0 && p.Point.States.TryGetValue((long)Math.Round(value), out var name) ? name : null;
        return new Measurement(p.Point.Name, p.Point.Role, value, p.Point.Unit, now, quality, state);
    }

    private sealed record ResolvedPoint(ProfilePoint Point, ModbusPointLocation Location, int? Address, int? ScaleFactorAddress, string? AbsentReason);
}
