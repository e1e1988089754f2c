using Gateway.Drivers.Devices;
using Gateway.Runtime.Status;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Gateway.Runtime.Devices;

/// <summary>
/// Polls every device at its own period through a resilience pipeline (timeout, retry,
/// circuit breaker), keeps each link's last reading and state, re-arms device watchdogs while
/// the link is healthy, and reports health to the status board. One failing device never
/// stops the others.
/// </summary>
internal sealed class DevicePoller
{
    private readonly IReadOnlyList<DeviceLink> _links;
    private readonly TimeProvider _clock;
    private readonly DevicePollerOptions _options;
    private readonly GatewayStatusBoard _board;
    private readonly MeasurementLog? _log;
    private readonly ILogger _logger;
    private readonly TimeProvider _wallClock;
    private readonly Dictionary<string, DevicePipeline> _pipelines = new(StringComparer.Ordinal);

    /// <summary>
    /// Create a poller for <paramref name="links"/>; <paramref name="clock"/> paces the polls (simulated time on simulated rigs),
    /// <paramref name="wallClock"/> (default: the system's) bounds the attempts and times the circuit breaker: real time, as
    /// these bound network I/O, not market time.
    /// </summary>
    public DevicePoller(IReadOnlyList<DeviceLink> links, TimeProvider clock, DevicePollerOptions options, GatewayStatusBoard board, MeasurementLog? log, ILogger logger,
        TimeProvider? wallClock = null)
    {
        _links = links;
        _clock = clock;
        _options = options.Validate();
        _board = board;
        _log = log;
        _logger = logger;
        _wallClock = wallClock ?? TimeProvider.System;
        foreach (var link in links) _pipelines[link.Device.Id] = BuildPipeline(options, _wallClock);
    }

    private long _polls;
    private long _failedPolls;

    /// <summary>Polls attempted so far (each through its pipeline, retries included in one).</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Polls that ended in a failure so far.</summary>
    public long FailedPolls => Interlocked.Read(ref _failedPolls);

    private long _missedPolls;

    /// <summary>
    /// Poll slots skipped so far because the device's previous poll still ran when its next slot came (a slow or silent
    /// device, or a gateway short of time): the polls its period asked for and did not get.
    /// </summary>
    public long MissedPolls => Interlocked.Read(ref _missedPolls);

    /// <summary>
    /// Poll every device that is not isolated once, all at the same time (requests to devices behind one endpoint are
    /// pipelined): fresh readings for a round. An isolated device is left to its own poll loop and circuit breaker.
    /// </summary>
    public Task PollAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_links.Where(l => l.State != DeviceLinkState.Isolated).Select(link => PollOnceAsync(link, cancellationToken)));

    /// <summary>Poll until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        RunAsync(_clock.GetUtcNow(), cancellationToken);

    private Task RunAsync(DateTimeOffset anchor, CancellationToken cancellationToken) =>
        Task.WhenAll(_links.Select((link, i) => PollLoopAsync(link, anchor + FirstSlot(link.Device.PollPeriod, i, _links.Count), cancellationToken)).Append(StalenessWatchAsync(cancellationToken)));

    // After the start-up poll at once: at the device's phase, or a period on for the device whose phase is 0.
    private static TimeSpan FirstSlot(TimeSpan period, int index, int count) =>
        Phase(period, index, count) is { } phase && phase > TimeSpan.Zero ? phase : period;

    /// <summary>
    /// Where in its period device <paramref name="index"/> of <paramref name="count"/> is polled: spread evenly, so that
    /// 2,000 devices at 1 Hz ask for 2 polls a millisecond instead of 2,000 at once every second (a burst that queues behind
    /// an endpoint's pipelining window until polls time out).
    /// </summary>
    internal static TimeSpan Phase(TimeSpan period, int index, int count) =>
        count <= 1 ? TimeSpan.Zero : TimeSpan.FromTicks(period.Ticks / count * index);

    /// <summary>
    /// Marks a device stale when its last good reading is older than two poll periods, even while a poll of it hangs
    /// (a broker gone without a word, a TCP peer that never answers): operators must not take old values for current.
    /// </summary>
    private async Task StalenessWatchAsync(CancellationToken cancellationToken)
    {
        if (_links.Count == 0) return;
        var period = _links.Min(l => l.Device.PollPeriod) / 2;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = _clock.GetUtcNow();
            foreach (var link in _links)
            {
                var old = link.LastGoodAt is { } at && now - at > link.Device.PollPeriod * 2;
                if (!old) { reported.Remove(link.Device.Id); continue; }
                if (!reported.Add(link.Device.Id)) continue;
                var current = _board.CurrentSetpoint(link.Device.Id);
                _board.Report(link.ToHealth(current?.SetpointKw, current?.ValidUntilUtc, now));
                _logger.LogWarning("device {Device}: no good reading for {Age:0} s (plant time), more than two poll periods; its values are stale", link.Device.Id, (now - link.LastGoodAt!.Value).TotalSeconds);
            }
        }
    }

    /// <summary>Poll one device once (one attempt through its pipeline); the unit of work of the loop.</summary>
    public async Task PollOnceAsync(DeviceLink link, CancellationToken cancellationToken = default)
    {
        var before = link.State;
        Interlocked.Increment(ref _polls);
        var device = _pipelines[link.Device.Id];
        if (device.Circuit.CircuitState == CircuitState.Open && _wallClock.GetUtcNow() < device.TrialAt)
        {
            // The open circuit refuses the poll anyway; asking the pipeline would only build Polly's BrokenCircuitException,
            // whose stack trace is captured with source information (the cost that fed the timeout spiral at 2,000 devices).
            // Only until its break is over: Polly half-opens a circuit when it is asked to execute after the break, never by
            // itself (reading its state does not), so a poller that stopped asking kept a healed device isolated for good.
            Interlocked.Increment(ref _failedPolls);
            link.RecordFailure(Isolated, _options.IsolateAfterFailures);
        }
        else
        {
            await PollThroughPipelineAsync(link, device.Pipeline, cancellationToken).ConfigureAwait(false);
        }
        if (link.State != before)
        {
            if (link.State == DeviceLinkState.Degraded && before == DeviceLinkState.Healthy)
                _logger.LogWarning("device {Device} degraded: {Error}; its values are stale", link.Device.Id, link.LastError);
            else if (link.State == DeviceLinkState.Isolated)
            {
                _logger.LogWarning("device {Device} isolated: {Error}; no setpoints until it answers again (its own fail-safe takes it to 0 kW)", link.Device.Id, link.LastError);
                if (link.Driver is Gateway.Drivers.Devices.Ocpp.OcppChargerDriver { ReadOnly: false }) await ClearOcppProfileAsync(link, cancellationToken).ConfigureAwait(false);
            }
            else if (before == DeviceLinkState.Isolated)
                _logger.LogInformation("device {Device} answers again", link.Device.Id);
        }
        var current = _board.CurrentSetpoint(link.Device.Id);
        _board.Report(link.ToHealth(current?.SetpointKw, current?.ValidUntilUtc, _clock.GetUtcNow()));
    }

    private async Task PollThroughPipelineAsync(DeviceLink link, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        try
        {
            var reading = await pipeline.ExecuteAsync(
                static async (state, ct) => await state.Poller.AttemptAsync(state.link, static (d, c) => d.ReadAsync(c), ct).ConfigureAwait(false),
                (Poller: this, link), cancellationToken).ConfigureAwait(false);
            link.RecordReading(reading);
            _log?.Append(link.Device.Id, reading);
            // A read-only device is only watched: nothing of the gateway's to keep alive on it. The keep-alive holds the driver
            // lock as a read does, so it is bounded as one: a write that never completes must not keep the driver from the
            // dispatcher and every later poll.
            if (_options.RefreshWatchdogs && !link.Driver.ReadOnly && link.State == DeviceLinkState.Healthy && HasWatchdog(link.Driver.Profile))
                await AttemptAsync(link, static async (d, c) => { await d.RefreshWatchdogIfDueAsync(c).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedPolls);
            link.RecordFailure(Describe(e), _options.IsolateAfterFailures);
        }
    }

    // One use of the driver by the poller (waiting for its lock included), abandoned after the attempt timeout on the wall
    // clock (real time on purpose: it bounds network I/O, not market time).
    private async Task<T> AttemptAsync<T>(DeviceLink link, Func<IDeviceDriver, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var timeout = _options.AttemptTimeout;
        using var deadline = new CancellationTokenSource(timeout, _wallClock);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await link.UseDriverAsync(action, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PollTimeoutException(timeout);
        }
    }

    // An isolated OCPP pile still connected gets its profile removed at once (ClearChargingProfile); one that is gone drops it
    // by itself when the profile's validTo passes.
    private async Task ClearOcppProfileAsync(DeviceLink link, CancellationToken cancellationToken)
    {
        try
        {
            // Under the driver lock, so bounded like a poll: a pile that never answers must not keep the driver from the rest.
            var status = await AttemptAsync(link, static (d, c) => ((Gateway.Drivers.Devices.Ocpp.OcppChargerDriver)d).ClearAsync(c), cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("device {Device}: the gateway's charging profile is cleared ({Status})", link.Device.Id, status);
        }
        catch (Exception e) when (e is DeviceException or PollTimeoutException)
        {
            _logger.LogInformation("device {Device}: cannot clear its charging profile ({Error}); its validTo ends it", link.Device.Id, e.Message);
        }
    }

    // A fixed cadence: slot k of a device is at the poller's start + its phase + k periods, whatever a poll took. A poll
    // that runs past slots skips them (counted as missed; a clock stepped forward counts too) rather than pushing every later
    // poll back, so a slow device costs its own polls, not the cadence; and the devices keep the phases they were spread
    // over (waiting a period after each poll let them drift into step). The first poll is at once: a starting gateway needs
    // a reading of each device.
    private async Task PollLoopAsync(DeviceLink link, DateTimeOffset firstSlot, CancellationToken cancellationToken)
    {
        var period = link.Device.PollPeriod;
        DateTimeOffset? next = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(link, cancellationToken).ConfigureAwait(false);
                var now = _clock.GetUtcNow();
                var slot = next is { } previous ? previous + period : firstSlot;
                if (slot - now > period)
                {
                    // The clock was stepped back: the cadence starts over from now.
                    slot = now + period;
                }
                else if (slot < now)
                {
                    // The slots that passed while the poll ran; a slot that is due right now is polled right now.
                    var behind = ((now - slot).Ticks + period.Ticks - 1) / period.Ticks;
                    Interlocked.Add(ref _missedPolls, behind);
                    slot += TimeSpan.FromTicks(behind * period.Ticks);
                }
                next = slot;
                await Task.Delay(slot - now, _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static bool HasWatchdog(DeviceProfile profile) =>
        profile.Points.Any(p => p.Role is PointRole.Watchdog or PointRole.Heartbeat);

    // The pipeline's own rejections are the poller's business: the rest of the host sees device errors only.
    private static bool IsTransient(Exception e) => DeviceErrors.IsTransient(e) || e is PollTimeoutException;

    private static string Describe(Exception e) => e switch
    {
        PollTimeoutException => "no answer in time (the poll was abandoned)",
        BrokenCircuitException => Isolated,
        _ => DeviceErrors.Describe(e),
    };

    private const string Isolated = "isolated after repeated failures; retrying later";

    /// <summary>A device's resilience pipeline, its circuit, and when its open circuit is next due a trial poll (wall clock).</summary>
    private sealed class DevicePipeline
    {
        public required ResiliencePipeline Pipeline { get; init; }

        public required CircuitBreakerStateProvider Circuit { get; init; }

        // Written by the circuit's OnOpened, which Polly runs before the failing execution returns; read by the next poll.
        private long _trialAtTicks;

        public DateTimeOffset TrialAt
        {
            get => new(Interlocked.Read(ref _trialAtTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _trialAtTicks, value.UtcTicks);
        }
    }

    private static DevicePipeline BuildPipeline(DevicePollerOptions options, TimeProvider wallClock)
    {
        var circuit = new CircuitBreakerStateProvider();
        DevicePipeline? device = null;
        // Real time on purpose (the wall clock): these bound network I/O, not market time.
        var builder = new ResiliencePipelineBuilder { TimeProvider = wallClock };
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retries,
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 1.0,
            MinimumThroughput = Math.Max(2, options.IsolateAfterFailures * (options.Retries + 1)),
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.BreakDuration,
            StateProvider = circuit,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            // When the break is over, the next poll goes to the pipeline again, which half-opens the circuit for it.
            OnOpened = args =>
            {
                device!.TrialAt = wallClock.GetUtcNow() + args.BreakDuration;
                return default;
            },
        });
        // The attempt timeout is the poller's own (AttemptAsync), innermost as a timeout strategy would be.
        return device = new DevicePipeline { Pipeline = builder.Build(), Circuit = circuit };
    }
}
