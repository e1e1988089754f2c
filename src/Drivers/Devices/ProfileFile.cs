namespace Gateway.Drivers.Devices;

// The shape of a profile YAML file as written by people; ProfileLoader validates it into a
// DeviceProfile. Unknown keys are rejected by the deserializer, so a typo never goes unnoticed.
internal sealed class ProfileFile
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Kind { get; set; }
    public ProfileFileModbus? Modbus { get; set; }
    public ProfileFileMqtt? Mqtt { get; set; }
    public ProfileFileOcpp? Ocpp { get; set; }
    public List<ProfileFilePoint>? Points { get; set; }
}

internal sealed class ProfileFileModbus
{
    public bool SunSpec { get; set; }
    public int? MaxBlockRegisters { get; set; }
    public int? MaxGapRegisters { get; set; }
    public List<ProfileFileSunSpecModel>? SunSpecModels { get; set; }
}

internal sealed class ProfileFileSunSpecModel
{
    public int? Id { get; set; }
    public int? Length { get; set; }
}

internal sealed class ProfileFilePoint
{
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? Unit { get; set; }
    public string? Access { get; set; }
    public string? Description { get; set; }
    public ProfileFileLimits? Limits { get; set; }
    public Dictionary<long, string>? States { get; set; }
    public string? PercentOf { get; set; }
    public string? EnablePoint { get; set; }
    public ProfileFilePointModbus? Modbus { get; set; }
    public ProfileFilePointMqtt? Mqtt { get; set; }
}

internal sealed class ProfileFileLimits
{
    public double? Min { get; set; }
    public double? Max { get; set; }
}

internal sealed class ProfileFilePointModbus
{
    public string? Table { get; set; }
    public int? Address { get; set; }
    public int? Model { get; set; }
    public int? Offset { get; set; }
    public string? Type { get; set; }
    public string? WordOrder { get; set; }
    public int? Registers { get; set; }
    public int? Scale { get; set; }
    public int? ScaleFactorRegister { get; set; }
    public bool? Negate { get; set; }
    public long? Absent { get; set; }
}

internal sealed class ProfileFileMqtt
{
    public string? TopicPrefix { get; set; }
    public List<string>? Telemetry { get; set; }
    public ProfileFileMqttCommand? Command { get; set; }
    public ProfileFileMqttAck? Ack { get; set; }
    public string? Heartbeat { get; set; }
    public double? SilenceTimeoutSeconds { get; set; }
}

internal sealed class ProfileFileMqttCommand
{
    public string? Topic { get; set; }
    public string? IdField { get; set; }
    public string? ValueField { get; set; }
    public string? Validity { get; set; }
    public string? ValidForField { get; set; }
    public string? ValidUntilField { get; set; }
}

internal sealed class ProfileFileMqttAck
{
    public string? Topic { get; set; }
    public string? IdField { get; set; }
    public string? AcceptedField { get; set; }
    public string? ReasonField { get; set; }
    public string? AppliedField { get; set; }
}

internal sealed class ProfileFilePointMqtt
{
    public string? Topic { get; set; }
    public string? Field { get; set; }
    public int? Scale { get; set; }
    public bool? Negate { get; set; }
    public string? Absent { get; set; }
    public double? Step { get; set; }
}

internal sealed class ProfileFileOcpp
{
    public int? Evse { get; set; }
    public bool? V2x { get; set; }
    public double? RatingKw { get; set; }
}
