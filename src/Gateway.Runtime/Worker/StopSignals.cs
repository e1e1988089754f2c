using System.Runtime.InteropServices;

namespace Gateway.Runtime.Worker;

/// <summary>
/// SIGTERM and Ctrl+C (SIGINT, also SIGQUIT) for the run loop. The first asks for a clean stop (<see cref="Stopping"/>):
/// the current round finishes or is parked, journaled, the outbox is flushed for a bounded time, the summary is printed.
/// The second stops at once (<see cref="Abort"/>): whatever step runs is abandoned; the journal, written ahead of every
/// action, keeps the round resumable. Nothing else in the process handles these signals.
/// </summary>
/// <remarks>Public: <c>gateway run</c> owns the signals (it words them and tells systemd) and passes them to the round loop.</remarks>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<PosixSignalRegistration> _registrations = new();
    private int _count;

    /// <summary>Register for the signals (none when <paramref name="register"/> is false: tests request stops directly).</summary>
    public StopSignals(bool register = true)
    {
        if (!register) return;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // Keep the runtime from terminating the process: the run loop ends it.
                context.Cancel = true;
                Request(context.Signal.ToString());
            }));
        }
    }

    /// <summary>Cancelled at the first signal: stop cleanly.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled at the second signal: stop at once.</summary>
    public CancellationToken Abort => _abort.Token;

    /// <summary>The first signal received, when any.</summary>
    public string? FirstSignal { get; private set; }

    /// <summary>Raised (on the signal's thread) with the signal's name and whether it is the second one.</summary>
    public event Action<string, bool>? Received;

    /// <summary>Act as if <paramref name="signal"/> was received.</summary>
    internal void Request(string signal)
    {
        var n = Interlocked.Increment(ref _count);
        if (n == 1)
        {
            FirstSignal = signal;
            Received?.Invoke(signal, false);
            _stopping.Cancel();
        }
        else if (n == 2)
        {
            Received?.Invoke(signal, true);
            _abort.Cancel();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stopping.Dispose();
        _abort.Dispose();
    }
}
