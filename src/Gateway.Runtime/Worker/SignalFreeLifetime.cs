using Microsoft.Extensions.Hosting;

namespace Gateway.Runtime.Worker;

/// <summary>
/// A host lifetime that registers no signal handlers. The default console lifetime would take SIGTERM and Ctrl+C for
/// itself and stop the host at the first one; the gateway's <see cref="StopSignals"/> own the signals instead, so the
/// first finishes or parks the round and the second stops at once.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
