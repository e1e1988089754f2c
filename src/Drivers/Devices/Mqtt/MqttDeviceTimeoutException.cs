namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// An MQTT device did not publish what the driver waited for in time: no telemetry yet, telemetry
/// that stopped (the device went silent), or no acknowledgement of a command. The broker itself was
/// reachable; the device behind it did not answer.
/// </summary>
internal sealed class MqttDeviceTimeoutException : DeviceException
{
    /// <summary>Creates the exception; <paramref name="message"/> names the device, the topic and the wait.</summary>
    public MqttDeviceTimeoutException(string device, string message) : base(DeviceErrorKind.Timeout, device, message, isTransient: true)
    {
    }
}
