using Gateway.Drivers.Devices;

namespace Gateway.Host.Cli;

/// <summary>One OCPP station the probe saw dial in.</summary>
/// <param name="Id">Its identity (the last segment of the URL it dialed).</param>
/// <param name="Version">The subprotocol agreed.</param>
/// <param name="Model">Vendor and model from its BootNotification.</param>
/// <param name="Reading">What it reported, through the profile.</param>
internal sealed record ProbeStation(string Id, string Version, string? Model, DeviceReading Reading);
