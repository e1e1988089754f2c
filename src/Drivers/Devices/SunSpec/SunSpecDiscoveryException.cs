namespace Gateway.Drivers.Devices.SunSpec;

/// <summary>The device is not SunSpec, or its model chain is broken: its registers do not hold what a SunSpec profile expects.</summary>
internal sealed class SunSpecDiscoveryException(string device, string message)
    : DeviceException(DeviceErrorKind.BadValue, device, message, isTransient: false);
