using Gateway.Drivers.Devices.Mqtt;

namespace Gateway.Drivers.Devices;

// Turns a deserialized profile file into a DeviceProfile, collecting every problem rather than
// stopping at the first, so one run of the loader tells the author everything to fix.
internal sealed class ProfileValidator(string file)
{
    private readonly List<ProfileProblem> _problems = [];

    public DeviceProfile Validate(ProfileFile dto)
    {
        if (string.IsNullOrWhiteSpace(dto.Name)) Problem(null, "'name' is missing");
        if (string.IsNullOrWhiteSpace(dto.Kind)) Problem(null, $"'kind' is missing (one of {string.Join(", ", DeviceKindNames.All)})");
        else if (!DeviceKindNames.All.Contains(dto.Kind)) Problem(null, $"'kind' is '{dto.Kind}', expected one of {string.Join(", ", DeviceKindNames.All)}");
        if (dto.Points is null || dto.Points.Count == 0) Problem(null, "'points' is missing or empty");
        if (dto.Modbus is null && dto.Mqtt is null && dto.Ocpp is null) Problem(null, "'modbus', 'mqtt' and 'ocpp' are all missing: every profile needs a transport part");
        var ocpp = dto.Ocpp is null ? null : Gateway.Drivers.Devices.Ocpp.OcppChargerMap.Validate(dto.Ocpp, dto.Kind, dto.Modbus is not null || dto.Mqtt is not null, Problem);
        var mqtt = dto.Mqtt is null ? null : new MqttPartValidator(Problem).ValidatePart(dto.Mqtt);

        var sunSpec = dto.Modbus?.SunSpec ?? false;
        var models = new List<SunSpecModelLayout>();
        foreach (var m in dto.Modbus?.SunSpecModels ?? [])
        {
            // A bare "-" in the list is a null entry (found by fuzzing).
            if (m is null) { Problem(null, "a sunSpecModels entry is empty"); continue; }
            if (m.Id is not { } id || id is < 1 or > 65534) { Problem(null, "a sunSpecModels entry needs an 'id' between 1 and 65534"); continue; }
            if (m.Length is not { } len || len is < 1 or > 65535) { Problem(null, $"sunSpecModels entry {id} needs a 'length' (the model's L)"); continue; }
            models.Add(new SunSpecModelLayout(id, len));
        }
        if (models.Count > 0 && !sunSpec) Problem(null, "'sunSpecModels' is given but 'sunSpec' is not true");
        var maxBlock = dto.Modbus?.MaxBlockRegisters ?? 125;
        if (maxBlock is < 1 or > 125) Problem(null, $"'maxBlockRegisters' is {maxBlock}, must be 1–125");
        var maxGap = dto.Modbus?.MaxGapRegisters ?? 16;
        if (maxGap is < 0 or > 124) Problem(null, $"'maxGapRegisters' is {maxGap}, must be 0–124");

        var points = new List<ProfilePoint>();
        var locations = new Dictionary<string, ModbusPointLocation>(StringComparer.Ordinal);
        var mqttLocations = new Dictionary<string, MqttPointLocation>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var p in dto.Points ?? [])
        {
            index++;
            // A bare "-" in the list is a null entry (found by fuzzing).
            if (p is null) { Problem($"#{index}", "the entry is empty"); continue; }
            var label = string.IsNullOrWhiteSpace(p.Name) ? $"#{index}" : p.Name;
            if (string.IsNullOrWhiteSpace(p.Name)) { Problem(label, "'name' is missing"); continue; }
            if (!seen.Add(p.Name)) { Problem(label, "the name is used by an earlier point"); continue; }
            var point = ValidatePoint(p, label);
            var location = p.Modbus is null ? null : ValidateLocation(p.Modbus, label, sunSpec, models, point?.Access ?? PointAccess.Read);
            if (p.Modbus is null && dto.Modbus is not null) Problem(label, "'modbus' (its register) is missing");
            if (p.Modbus is not null && dto.Modbus is null) Problem(label, "'modbus' is given but the profile has no 'modbus' part");
            var mqttLocation = p.Mqtt is null || mqtt is null ? null : new MqttPartValidator(Problem).ValidatePoint(p.Mqtt, label, mqtt);
            if (p.Mqtt is null && dto.Mqtt is not null) Problem(label, "'mqtt' (its telemetry field) is missing");
            if (p.Mqtt is not null && dto.Mqtt is null) Problem(label, "'mqtt' is given but the profile has no 'mqtt' part");
            if (point is null) continue;
            points.Add(point);
            if (location is not null) locations[point.Name] = location;
            if (mqttLocation is not null)
            {
                if (mqttLocations.FirstOrDefault(l => l.Value.Topic == mqttLocation.Topic && l.Value.Field.Equals(mqttLocation.Field)) is { Key: { } other })
                    Problem(label, $"field '{mqttLocation.Field}' of topic '{mqttLocation.Topic}' is already point '{other}'");
                mqttLocations[point.Name] = mqttLocation;
            }
        }

        foreach (var point in points)
        {
            if (point.PercentOf is { } of && points.FirstOrDefault(q => q.Name == of) is not { } basis)
                Problem(point.Name, $"'percentOf' names '{of}', which is not a point of this profile");
            else if (point.PercentOf is not null && point.Unit != "%")
                Problem(point.Name, "'percentOf' is only meaningful for a point in %");
            if (point.EnablePoint is { } en && points.FirstOrDefault(q => q.Name == en) is not { } enable)
                Problem(point.Name, $"'enablePoint' names '{en}', which is not a point of this profile");
            else if (point.EnablePoint is { } en2 && !points.First(q => q.Name == en2).IsWritable)
                Problem(point.Name, $"'enablePoint' names '{en2}', which is not writable");
            if (point.EnablePoint is not null && dto.Modbus is null)
                Problem(point.Name, "'enablePoint' has no meaning over MQTT: the command is one message");
            if (locations.TryGetValue(point.Name, out var loc) && loc.ScaleFactorRegister is { } sf
                && !locations.Values.Any(l => l.SunSpecModel == loc.SunSpecModel && (l.IsSunSpec ? l.Offset : l.Address) == sf && l.DataType == RegisterDataType.Int16))
                Problem(point.Name, $"'scaleFactorRegister' {sf} is not declared as an int16 point of this profile");
        }
        if (ocpp is not null) Gateway.Drivers.Devices.Ocpp.OcppChargerMap.ValidatePoints(points, Problem);
        if (points.Count(p => p.Role == PointRole.Setpoint) > 1) Problem(null, "more than one point has role 'setpoint'");
        if (mqtt is not null)
        {
            var hasSetpoint = points.Any(p => p.Role == PointRole.Setpoint);
            if (hasSetpoint && dto.Mqtt!.Command is null) Problem(null, "mqtt: the profile has a setpoint point but no 'command' to send it with");
            if (!hasSetpoint && dto.Mqtt!.Command is not null) Problem(null, "mqtt: 'command' is given but no point has role 'setpoint'");
        }

        if (_problems.Count > 0) throw new ProfileLoadException(_problems);
        return new DeviceProfile
        {
            Name = dto.Name!,
            Description = dto.Description ?? "",
            Kind = dto.Kind!,
            SourcePath = file,
            Points = points,
            Modbus = dto.Modbus is null ? null : new ModbusRegisterMap
            {
                Locations = locations,
                SunSpec = sunSpec,
                SunSpecModels = models,
                MaxBlockRegisters = maxBlock,
                MaxGapRegisters = maxGap,
            },
            Mqtt = mqtt is null ? null : mqtt with { Locations = mqttLocations },
            Ocpp = ocpp,
        };
    }

    private ProfilePoint? ValidatePoint(ProfileFilePoint p, string label)
    {
        var ok = true;
        PointRole role = PointRole.Info;
        if (string.IsNullOrWhiteSpace(p.Role)) { Problem(label, "'role' is missing"); ok = false; }
        else if (!TryParseKebab(p.Role, out role))
        {
            Problem(label, $"'role' is '{p.Role}', expected one of {string.Join(", ", Enum.GetNames<PointRole>().Select(ToKebab))}");
            ok = false;
        }
        var access = PointAccess.Read;
        switch (p.Access)
        {
            case null or "r": break;
            case "rw": access = PointAccess.ReadWrite; break;
            default: Problem(label, $"'access' is '{p.Access}', expected r or rw"); ok = false; break;
        }
        var limits = new PointLimits(p.Limits?.Min, p.Limits?.Max);
        if (limits is { Min: { } lo, Max: { } hi } && lo > hi) { Problem(label, $"limits min {lo} is above max {hi}"); ok = false; }
        if (role == PointRole.Setpoint && access != PointAccess.ReadWrite) { Problem(label, "a setpoint must have access rw"); ok = false; }
        if (p.Unit is null && role is not (PointRole.Info or PointRole.Status or PointRole.PlugState or PointRole.ScaleFactor or PointRole.SetpointEnable or PointRole.Heartbeat))
        {
            Problem(label, "'unit' is missing");
            ok = false;
        }
        if (!ok) return null;
        return new ProfilePoint
        {
            Name = p.Name!,
            Role = role,
            Unit = p.Unit ?? "",
            Access = access,
            Limits = limits,
            States = p.States ?? new Dictionary<long, string>(),
            PercentOf = p.PercentOf,
            EnablePoint = p.EnablePoint,
            Description = p.Description,
        };
    }

    private ModbusPointLocation? ValidateLocation(ProfileFilePointModbus m, string label, bool sunSpec, List<SunSpecModelLayout> models, PointAccess access)
    {
        var ok = true;
        var table = RegisterTable.Holding;
        switch (m.Table)
        {
            case null or "holding": break;
            case "input": table = RegisterTable.Input; break;
            default: Problem(label, $"'table' is '{m.Table}', expected holding or input"); ok = false; break;
        }
        if (table == RegisterTable.Input && access == PointAccess.ReadWrite) { Problem(label, "an input register cannot be writable"); ok = false; }
        var type = RegisterDataType.UInt16;
        if (m.Type is null) { Problem(label, "'type' is missing (int16, uint16, int32, uint32, acc32, float32, string)"); ok = false; }
        else if (!Enum.TryParse(m.Type, ignoreCase: true, out type) || int.TryParse(m.Type, out _))
        {
            Problem(label, $"'type' is '{m.Type}', expected int16, uint16, int32, uint32, acc32, float32 or string");
            ok = false;
        }
        var order = WordOrder.HighFirst;
        if (m.WordOrder is not null && !TryParseKebab(m.WordOrder, out order)) { Problem(label, $"'wordOrder' is '{m.WordOrder}', expected high-first or low-first"); ok = false; }
        if (type == RegisterDataType.String && m.Registers is not (> 0 and <= 125)) { Problem(label, "a string needs 'registers' (1–125)"); ok = false; }
        var count = type.RegisterCount(m.Registers ?? 0);

        if (m.Address is not null && m.Model is not null) { Problem(label, "give either 'address' or 'model' + 'offset', not both"); ok = false; }
        else if (m.Address is null && m.Model is null) { Problem(label, "the register needs an 'address' (or a SunSpec 'model' + 'offset')"); ok = false; }
        else if (m.Address is { } address && (address < 0 || address + count > 65536)) { Problem(label, $"address {address} (+{count} registers) is outside 0–65535"); ok = false; }
        else if (m.Model is { } model)
        {
            if (!sunSpec) { Problem(label, "'model' is given but the profile's modbus part is not 'sunSpec: true'"); ok = false; }
            if (m.Offset is not { } offset || offset < 2) { Problem(label, "a SunSpec point needs an 'offset' of 2 or more (ID is at +0, L at +1)"); ok = false; }
            else if (models.FirstOrDefault(x => x.Id == model) is { } layout && offset + count > layout.Length + 2)
            {
                Problem(label, $"offset {offset} (+{count} registers) lies beyond model {model}'s length {layout.Length}");
                ok = false;
            }
        }
        if (!ok) return null;
        return new ModbusPointLocation
        {
            Table = table,
            Address = m.Address,
            SunSpecModel = m.Model,
            Offset = m.Offset ?? 0,
            DataType = type,
            WordOrder = order,
            StringRegisters = m.Registers ?? 0,
            ScaleExponent = m.Scale ?? 0,
            ScaleFactorRegister = m.ScaleFactorRegister,
            Negate = m.Negate ?? false,
            AbsentRaw = m.Absent,
        };
    }

    private void Problem(string? point, string message) => _problems.Add(new ProfileProblem(file, point, message));

    private static bool TryParseKebab<T>(string text, out T value) where T : struct, Enum =>
        Enum.TryParse(text.Replace("-", ""), ignoreCase: true, out value) && !int.TryParse(text, out _);

    private static string ToKebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
