namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>What one telemetry field said about its point.</summary>
/// <param name="Kind">A number, a text, "not available", or a field the driver cannot use.</param>
/// <param name="Value">The engineering value (for <see cref="MqttFieldKind.Number"/>).</param>
/// <param name="Text">The text of a string point, or the state name of an enumerated point.</param>
/// <param name="Problem">What is wrong, for <see cref="MqttFieldKind.WrongType"/>.</param>
internal readonly record struct MqttFieldValue(MqttFieldKind Kind, double? Value = null, string? Text = null, string? Problem = null);

/// <summary>The kinds of <see cref="MqttFieldValue"/>.</summary>
internal enum MqttFieldKind
{
    /// <summary>A number (also true/false as 1/0, or an enumerated point's state name).</summary>
    Number,
    /// <summary>The text of a point without a unit (model, serial number).</summary>
    Text,
    /// <summary>JSON null or the profile's absent marker: the device does not provide the value now.</summary>
    Absent,
    /// <summary>A value of a type the point cannot take; the point keeps its last good value.</summary>
    WrongType,
}
