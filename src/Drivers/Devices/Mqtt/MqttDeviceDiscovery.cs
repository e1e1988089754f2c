using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Lists the MQTT devices publishing on a broker: subscribes to the telemetry topics of each profile's topic map with a
/// wildcard in place of <c>{device}</c>, listens for a window, and reports the device ids seen per profile.
/// </summary>
public sealed class MqttDeviceDiscovery : IAsyncDisposable
{
    private readonly MqttDeviceConnection _connection;
    private readonly List<TopicMatcher> _matchers;
    private readonly Dictionary<(string Profile, string Device), Sighting> _seen = new();
    private readonly object _gate = new();
    private readonly List<string> _subscribed = [];
    private readonly List<string> _refused = [];

    /// <summary>A listener for the telemetry topics of <paramref name="profiles"/> (those without an MQTT part are skipped) on <paramref name="connection"/>.</summary>
    public MqttDeviceDiscovery(MqttDeviceConnection connection, IReadOnlyList<DeviceProfile> profiles)
    {
        _connection = connection;
        _matchers = profiles.Where(p => p.Mqtt is not null)
            .SelectMany(p => p.Mqtt!.TelemetryTopics.Select(t => TopicMatcher.For(p.Name, p.Mqtt.TopicPrefix, t)))
            .ToList();
    }

    /// <summary>The topic filters the broker refused (e.g. not allowed for the gateway's user).</summary>
    public IReadOnlyList<string> RefusedFilters
    {
        get { lock (_gate) return _refused.ToList(); }
    }

    /// <summary>Listens on <paramref name="connection"/> for <paramref name="window"/> and returns what it saw.</summary>
    /// <param name="connection">The broker connection (connected here if it is not).</param>
    /// <param name="profiles">Profiles whose topic maps to listen for.</param>
    /// <param name="window">How long to listen.</param>
    /// <param name="time">Clock of the window.</param>
    /// <param name="cancellationToken">Stops listening early.</param>
    /// <returns>The devices seen, by profile and device id, and the topic filters the broker refused.</returns>
    /// <exception cref="DeviceException">The broker cannot be reached or refuses the connection.</exception>
    public static async Task<(IReadOnlyList<MqttDeviceSighting> Devices, IReadOnlyList<string> RefusedFilters)> ListenAsync(
        MqttDeviceConnection connection, IReadOnlyList<DeviceProfile> profiles, TimeSpan window, TimeProvider time, CancellationToken cancellationToken = default)
    {
        await using var discovery = new MqttDeviceDiscovery(connection, profiles);
        await discovery.StartAsync(cancellationToken).ConfigureAwait(false);
        await Task.Delay(window, time, cancellationToken).ConfigureAwait(false);
        return (discovery.Devices(), discovery.RefusedFilters);
    }

    /// <summary>Connects if needed and subscribes to every telemetry topic filter; sightings are collected from then on.</summary>
    /// <exception cref="DeviceException">The broker cannot be reached or refuses the connection.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _connection.EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            foreach (var group in _matchers.GroupBy(m => m.Filter, StringComparer.Ordinal))
            {
                var forFilter = group.ToList();
                try
                {
                    await _connection.Client.SubscribeAsync(group.Key, MqttQos.AtMostOnce, (message, _) => OnMessage(forFilter, message), cancellationToken).ConfigureAwait(false);
                    lock (_gate) _subscribed.Add(group.Key);
                }
                catch (MqttSubscribeException)
                {
                    lock (_gate) _refused.Add(group.Key);
                }
            }
        }
        catch (Exception e) when (DeviceFailures.Translate(e, _connection.Description) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The devices seen so far, by profile and device id.</summary>
    public IReadOnlyList<MqttDeviceSighting> Devices()
    {
        lock (_gate)
        {
            return _seen.Select(kv => new MqttDeviceSighting(kv.Key.Profile, kv.Key.Device, kv.Value.Prefix,
                    kv.Value.Topics.Order(StringComparer.Ordinal).ToList(), kv.Value.Messages, kv.Value.RetainedOnly))
                .OrderBy(s => s.Profile, StringComparer.Ordinal).ThenBy(s => s.DeviceId, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Unsubscribes (best effort: a broker that is gone has forgotten the subscriptions anyway).</summary>
    public async ValueTask DisposeAsync()
    {
        List<string> filters;
        lock (_gate) filters = _subscribed.ToList();
        if (filters.Count == 0 || _connection.Client.State != MqttConnectionState.Connected) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _connection.Client.UnsubscribeAsync(filters, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
        {
        }
    }

    private ValueTask OnMessage(List<TopicMatcher> matchers, MqttApplicationMessage message)
    {
        foreach (var matcher in matchers)
        {
            if (matcher.Match(message.Topic) is not { } id) continue;
            lock (_gate)
            {
                if (!_seen.TryGetValue((matcher.Profile, id.Device), out var s))
                    _seen[(matcher.Profile, id.Device)] = s = new Sighting(id.Prefix);
                s.Topics.Add(message.Topic);
                s.Messages++;
                s.RetainedOnly &= message.Retain;
            }
        }
        return ValueTask.CompletedTask;
    }

    private sealed class Sighting(string prefix)
    {
        public string Prefix { get; } = prefix;
        public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);
        public int Messages { get; set; }
        public bool RetainedOnly { get; set; } = true;
    }

    // One telemetry topic of one profile: the filter with '+' for the {device} level, and how to read the id back out.
    private sealed record TopicMatcher(string Profile, string Filter, string[] Levels, int PrefixLevels, int DeviceLevel, string Before, string After)
    {
        public static TopicMatcher For(string profile, string prefix, string telemetry)
        {
            var full = prefix.Length == 0 ? telemetry : prefix + "/" + telemetry;
            var levels = full.Split('/');
            var prefixLevels = prefix.Length == 0 ? 0 : prefix.Split('/').Length;
            var index = Array.FindIndex(levels, l => l.Contains(MqttTopicMap.DevicePlaceholder, StringComparison.Ordinal));
            if (index < 0) return new TopicMatcher(profile, full, levels, prefixLevels, -1, "", "");
            var level = levels[index];
            var at = level.IndexOf(MqttTopicMap.DevicePlaceholder, StringComparison.Ordinal);
            var filter = (string[])levels.Clone();
            filter[index] = "+";
            return new TopicMatcher(profile, string.Join('/', filter), levels, prefixLevels, index, level[..at], level[(at + MqttTopicMap.DevicePlaceholder.Length)..]);
        }

        // The device id and topic prefix when `topic` fits this telemetry topic, else null.
        public (string Device, string Prefix)? Match(string topic)
        {
            var parts = topic.Split('/');
            if (parts.Length != Levels.Length) return null;
            string? device = DeviceLevel < 0 ? "" : null;
            for (var i = 0; i < parts.Length; i++)
            {
                if (i != DeviceLevel)
                {
                    if (!string.Equals(parts[i], Levels[i], StringComparison.Ordinal)) return null;
                    continue;
                }
                var level = parts[i];
                if (level.Length < Before.Length + After.Length + 1 || !level.StartsWith(Before, StringComparison.Ordinal) || !level.EndsWith(After, StringComparison.Ordinal))
                    return null;
                device = MqttTopicLevel.Unescape(level[Before.Length..^After.Length]);
            }
            return (device!, string.Join('/', parts.Take(PrefixLevels)));
        }
    }
}
