namespace Gateway.Drivers.Devices.SunSpec;

/// <summary>The device is not SunSpec, or its model chain is broken.</summary>
public sealed class SunSpecDiscoveryException(string message) : Exception(message);
