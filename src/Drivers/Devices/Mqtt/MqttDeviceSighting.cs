namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>A device seen publishing telemetry on a broker, under the topic map of one profile.</summary>
/// <param name="Profile">The profile whose topic map the topics fit.</param>
/// <param name="DeviceId">The id in the profile's <c>{device}</c> level (unescaped); empty for a profile with fixed topics.</param>
/// <param name="TopicPrefix">The device's topic prefix.</param>
/// <param name="Topics">The telemetry topics it published on.</param>
/// <param name="Messages">Telemetry messages received within the window.</param>
/// <param name="RetainedOnly">Whether every message was a retained one: the device published once, maybe long ago, and may be gone.</param>
public sealed record MqttDeviceSighting(string Profile, string DeviceId, string TopicPrefix, IReadOnlyList<string> Topics, int Messages, bool RetainedOnly);
