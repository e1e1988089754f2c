using Microsoft.Extensions.Hosting;

namespace Gateway.Runtime.Safety;

/// <summary>
/// Arms the e-stop interlock when the gateway starts and disposes it when it stops, which opens the contactor: a stopped
/// gateway leaves the bench disconnected. Registered first, so it is the last service to stop.
/// </summary>
internal sealed class InterlockService(SafetyInterlock interlock) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        interlock.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await interlock.DisposeAsync().ConfigureAwait(false);
}
