using Gateway.Drivers.Lab;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Safety;

/// <summary>
/// The bench's e-stop interlock. When the loop opens it writes 0 kW to every controllable device at once, opens the
/// contactor, and cancels <see cref="TripToken"/> so the round in progress stops and is journaled as interrupted. It
/// re-arms only when the loop is closed again <em>and</em> an operator acknowledges the trip through the ordinary,
/// authenticated acknowledgement (dashboard, API or MQTT) — releasing the stop alone restarts nothing.
/// </summary>
/// <remarks>
/// Runs on wall time: an e-stop is a physical event, and its 100 ms budget is real milliseconds however fast the plant
/// clock runs. Zero writes go through each device's driver lock: a dispatch write already on the wire finishes first
/// and is then overwritten; a dispatch that takes the lock later sees <see cref="IsTripped"/> and writes nothing.
/// </remarks>
internal sealed class SafetyInterlock : IAsyncDisposable
{
    private const int EventsKept = 64;
    private static readonly TimeSpan ZeroWriteTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ContactorDelay = TimeSpan.FromMilliseconds(100);

    private readonly EmergencyStopInput _estop;
    private readonly ContactorOutput? _contactor;
    private readonly string? _contactorError;
    private int _disposed;
    private readonly IReadOnlyList<DeviceLink> _links;
    private readonly GatewayStatusBoard _board;
    private readonly string _siteId;
    private readonly TimeProvider _wallClock;
    private readonly ILogger _logger;
    private readonly SafetyEventJournal? _journal;
    private readonly object _gate = new();
    private readonly List<InterlockEvent> _events = new();
    private CancellationTokenSource _trip = new();
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InterlockState _state = InterlockState.Armed;
    private string? _tripId;
    private DateTimeOffset? _trippedAt;
    private string? _interruptedRound;
    private double? _zeroLatencyMs;
    private string _reason = "";
    private volatile bool _tripped;
    private Task _zeroing = Task.CompletedTask;
    private int _tripCount;

    /// <summary>Create the interlock; call <see cref="Start"/> to act on the loop's state.</summary>
    /// <param name="estop">The e-stop input (sampling on <paramref name="wallClock"/>).</param>
    /// <param name="contactor">The contactor output, or null.</param>
    /// <param name="contactorError">Why the rig's contactor cannot be driven (null: it can, or there is none).</param>
    /// <param name="links">Every device link (meters and read-only devices get no write).</param>
    /// <param name="board">Where operators see the interlock and where acknowledgements arrive.</param>
    /// <param name="siteId">Prefix of trip ids.</param>
    /// <param name="wallClock">Wall time: event stamps and the contactor delay.</param>
    /// <param name="logger">Trip and reset events.</param>
    /// <param name="journal">Journals every event (null: not journaled).</param>
    public SafetyInterlock(EmergencyStopInput estop, ContactorOutput? contactor, string? contactorError, IReadOnlyList<DeviceLink> links, GatewayStatusBoard board,
        string siteId, TimeProvider wallClock, ILogger logger, SafetyEventJournal? journal = null)
    {
        _estop = estop;
        _contactor = contactor;
        _contactorError = contactorError;
        _links = links;
        _board = board;
        _siteId = siteId;
        _wallClock = wallClock;
        _logger = logger;
        _journal = journal;
    }

    /// <summary>True from the moment the loop is seen open until an operator re-arms the interlock.</summary>
    public bool IsTripped => _tripped;

    /// <summary>Cancelled when the e-stop trips; a fresh token after each re-arm.</summary>
    public CancellationToken TripToken { get { lock (_gate) return _trip.Token; } }

    /// <summary>The current trip's id (null: armed).</summary>
    public string? TripId { get { lock (_gate) return _tripped ? _tripId : null; } }

    /// <summary>The zero writes of the last trip (tests and shutdown wait for them).</summary>
    public Task Zeroing { get { lock (_gate) return _zeroing; } }

    /// <summary>Completes when the interlock is armed (at once if it is).</summary>
    public Task WhenArmedAsync(CancellationToken cancellationToken = default)
    {
        Task armed;
        lock (_gate) armed = _armed.Task;
        return armed.WaitAsync(cancellationToken);
    }

    /// <summary>Act on the loop as it reads now, then on every change.</summary>
    public void Start()
    {
        _estop.Changed += OnChanged;
        if (_contactorError is not null) _logger.LogError("safety: contactor cannot be driven: {Error}", _contactorError);
        if (_estop.IsOpen) Trip(_estop.LastChange);
        else
        {
            lock (_gate) _armed.TrySetResult();
            CloseContactor("e-stop loop closed at start");
            _reason = "e-stop loop closed; " + (_contactor is null ? "no contactor" : "contactor closed");
            Report();
        }
    }

    /// <summary>What operators see now.</summary>
    public InterlockStatus Status()
    {
        lock (_gate)
        {
            return new InterlockStatus(_state, _estop.IsOpen, _contactor is null ? null : _contactor.IsClosed,
                _contactorError is null ? _reason : _reason + "; contactor cannot be driven: " + _contactorError,
                _tripId, _trippedAt, _state == InterlockState.AwaitingAck ? _tripId : null, _interruptedRound, _zeroLatencyMs, _events.ToList());
        }
    }

    /// <summary>Record that the trip interrupted <paramref name="roundId"/> (the runner journaled it so).</summary>
    public void NoteInterrupted(string roundId, string tripId)
    {
        lock (_gate)
        {
            if (_tripId == tripId) _interruptedRound = roundId;
        }
        Add(new InterlockEvent(_wallClock.GetUtcNow(), "round-interrupted", tripId, null, $"round {roundId} journaled as interrupted"));
        Report();
    }

    private void OnChanged(EmergencyStopChange change)
    {
        if (change.IsOpen) Trip(change);
        else LoopClosed(change);
    }

    private void Trip(EmergencyStopChange change)
    {
        CancellationTokenSource running;
        string tripId;
        lock (_gate)
        {
            _tripped = true;
            _state = InterlockState.Tripped;
            _tripCount++;
            tripId = $"{_siteId}-estop-{_wallClock.GetUtcNow():yyyyMMdd'T'HHmmss'.'fff'Z'}" + (_tripCount > 1 ? $"-{_tripCount}" : "");
            _tripId = tripId;
            _trippedAt = change.RawChangeAtUtc;
            _interruptedRound = null;
            _zeroLatencyMs = null;
            _reason = change.Reason;
            running = _trip;
            if (_armed.Task.IsCompleted) _armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _logger.LogCritical("EMERGENCY STOP {TripId}: {Reason}; all devices to 0 kW, contactor opening, dispatch held until the loop is closed and an operator acknowledges",
            tripId, change.Reason);
        Add(new InterlockEvent(change.RawChangeAtUtc, "estop-open", tripId, null, change.Reason));
        // Zero writes first (they start synchronously up to their first I/O), then stop the round: its cancellation
        // continuations must not stand between the loop opening and the devices.
        var zeroing = ZeroAllAsync(tripId, change.RawChangeAtUtc);
        lock (_gate) _zeroing = zeroing;
        running.Cancel();
        Report();
    }

    private async Task ZeroAllAsync(string tripId, DateTimeOffset openedAt)
    {
        var targets = _links.Where(l => !l.Driver.ReadOnly && l.Device.Kind != "meter").ToList();
        var writes = targets.Select(l => ZeroOneAsync(l, tripId, openedAt)).ToList();
        var all = Task.WhenAll(writes);
        using (var delay = new CancellationTokenSource())
        {
            // The contactor opens once every device is at 0 kW (no arcing under load), and after 100 ms at the latest.
            await Task.WhenAny(all, Task.Delay(ContactorDelay, _wallClock, delay.Token)).ConfigureAwait(false);
            delay.Cancel();
        }
        OpenContactor(tripId);
        var confirmed = await all.ConfigureAwait(false);
        lock (_gate)
        {
            if (_tripId == tripId && confirmed.All(c => c is not null))
                _zeroLatencyMs = confirmed.Length == 0 ? 0 : confirmed.Max(c => (c!.Value - openedAt).TotalMilliseconds);
        }
        Report();
    }

    private async Task<DateTimeOffset?> ZeroOneAsync(DeviceLink link, string tripId, DateTimeOffset openedAt)
    {
        try
        {
            using var timeout = new CancellationTokenSource(ZeroWriteTimeout);
            var result = await link.UseDriverAsync((d, ct) => d.WriteSetpointAsync(0, TimeSpan.FromMinutes(15), ct), timeout.Token).ConfigureAwait(false);
            var at = _wallClock.GetUtcNow();
            var ok = result.Confirmed && Math.Abs(result.TargetKw) < 1e-9;
            Add(new InterlockEvent(at, ok ? "zero-confirmed" : "zero-failed", tripId, link.Device.Id,
                ok ? $"0 kW confirmed {(at - openedAt).TotalMilliseconds:0.#} ms after the loop opened"
                   : $"0 kW written but read back {result.ReadBackValue?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} {result.Unit}"));
            return ok ? at : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var why = e is OperationCanceledException ? $"no answer within {ZeroWriteTimeout.TotalSeconds:0} s" : DeviceErrors.Describe(e);
            _logger.LogError("EMERGENCY STOP {TripId}: device {Device} did not take 0 kW: {Why}; it falls back on its setpoint validity, and the contactor is open", tripId, link.Device.Id, why);
            Add(new InterlockEvent(_wallClock.GetUtcNow(), "zero-failed", tripId, link.Device.Id, why));
            return null;
        }
    }

    private void OpenContactor(string tripId)
    {
        if (_contactor is null) return;
        try
        {
            _contactor.Open();
            Add(new InterlockEvent(_wallClock.GetUtcNow(), "contactor-open", tripId, null, "contactor opened"));
        }
        catch (IOException e)
        {
            _logger.LogCritical("EMERGENCY STOP {TripId}: the contactor could not be opened: {Error}", tripId, e.Message);
            Add(new InterlockEvent(_wallClock.GetUtcNow(), "contactor-failed", tripId, null, e.Message));
        }
    }

    private void CloseContactor(string why)
    {
        if (_contactor is null) return;
        try
        {
            _contactor.Close();
            Add(new InterlockEvent(_wallClock.GetUtcNow(), "contactor-closed", _tripId ?? "start", null, "contactor closed: " + why));
        }
        catch (IOException e)
        {
            _logger.LogError("safety: the contactor could not be closed: {Error}", e.Message);
            Add(new InterlockEvent(_wallClock.GetUtcNow(), "contactor-failed", _tripId ?? "start", null, e.Message));
        }
    }

    private void LoopClosed(EmergencyStopChange change)
    {
        string tripId;
        lock (_gate)
        {
            if (_state != InterlockState.Tripped || _tripId is null) return;
            _state = InterlockState.AwaitingAck;
            tripId = _tripId;
            _reason = $"e-stop loop closed again; waiting for an operator to acknowledge {tripId}";
        }
        _logger.LogWarning("safety: e-stop loop closed again; nothing is dispatched until an operator acknowledges {TripId}", tripId);
        Add(new InterlockEvent(change.AtUtc, "estop-closed", tripId, null, change.Reason));
        Report();
        _ = _board.WhenAcknowledged(tripId).ContinueWith(_ => Acknowledged(tripId), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Acknowledged(string tripId)
    {
        lock (_gate)
        {
            // Only the acknowledgement of this trip, given while the loop is closed, re-arms.
            if (_state != InterlockState.AwaitingAck || _tripId != tripId || _estop.IsOpen) return;
        }
        var by = _board.Snapshot().OperatorAcks.GetValueOrDefault(tripId) ?? "an operator";
        Add(new InterlockEvent(_wallClock.GetUtcNow(), "acknowledged", tripId, null, $"acknowledged by {by}"));
        CloseContactor($"{tripId} acknowledged by {by}");
        TaskCompletionSource armed;
        lock (_gate)
        {
            if (_state != InterlockState.AwaitingAck || _tripId != tripId) return;
            _state = InterlockState.Armed;
            _trip = new CancellationTokenSource();
            _tripped = false;
            _reason = $"re-armed: {tripId} acknowledged by {by}";
            armed = _armed;
        }
        _logger.LogWarning("safety: {TripId} acknowledged by {Operator}; dispatch resumes with the next round", tripId, by);
        Add(new InterlockEvent(_wallClock.GetUtcNow(), "armed", tripId, null, "dispatch resumes with the next round"));
        armed.TrySetResult();
        Report();
    }

    private void Add(InterlockEvent e)
    {
        lock (_gate)
        {
            _events.Add(e);
            if (_events.Count > EventsKept) _events.RemoveRange(0, _events.Count - EventsKept);
        }
        try
        {
            _journal?.Record(e);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogError("safety: event {Kind} of {TripId} could not be journaled: {Error}", e.Kind, e.TripId, ex.Message);
        }
    }

    private void Report() => _board.Report(Status());

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // The gateway's interlock service disposes it at stop, and the service container again when it is disposed.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _estop.Changed -= OnChanged;
        try { await Zeroing.ConfigureAwait(false); } catch (Exception e) when (e is not OutOfMemoryException) { }
        _estop.Dispose();
        // A stopping gateway leaves the bench disconnected.
        _contactor?.Dispose();
        _trip.Dispose();
    }
}
