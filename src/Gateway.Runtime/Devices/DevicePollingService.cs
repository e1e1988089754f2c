using Microsoft.Extensions.Hosting;

namespace Gateway.Runtime.Devices;

/// <summary>Polls every device in the background for as long as the gateway runs (not in lockstep: the plant reads then).</summary>
internal sealed class DevicePollingService(DevicePoller poller) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => poller.RunAsync(stoppingToken);
}
