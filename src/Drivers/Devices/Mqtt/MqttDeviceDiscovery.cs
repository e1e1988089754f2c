using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Lists the MQTT devices publishing on a broker: subscribes to the telemetry topics of each profile's topic map with a
/// wildcard in place of <c>{device}</c>, listens for a window, and reports the device ids seen per profile.
/// </summary>
public static class MqttDeviceDiscovery
{
    /// <summary>Listens on <paramref name="connection"/> for <paramref name="window"/>.</summary>
    /// <param name="connection">The broker connection (connected here if it is not).</param>
    /// <param name="profiles">Profiles whose topic maps to listen for (those without an MQTT part are skipped).</param>
    /// <param name="window">How long to listen.</param>
    /// <param name="time">Clock of the window.</param>
    /// <param name="cancellationToken">Stops listening early.</param>
    /// <returns>The devices seen, by profile and device id, and the topic filters the broker refused.</returns>
    /// <exception cref="DeviceException">The broker cannot be reached or refuses the connection.</exception>
    public static async Task<(IReadOnlyList<MqttDeviceSighting> Devices, IReadOnlyList<string> RefusedFilters)> ListenAsync(
        MqttDeviceConnection connection, IReadOnlyList<DeviceProfile> profiles, TimeSpan window, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var matchers = profiles.Where(p => p.Mqtt is not null)
            .SelectMany(p => p.Mqtt!.TelemetryTopics.Select(t => TopicMatcher.For(p.Name, p.Mqtt.TopicPrefix, t)))
            .ToList();
        var seen = new Dictionary<(string Profile, string Device), Sighting>();
        var gate = new object();
        var refused = new List<string>();
        try
        {
            await connection.EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            foreach (var group in matchers.GroupBy(m => m.Filter, StringComparer.Ordinal))
            {
                var forFilter = group.ToList();
                ValueTask OnMessage(MqttApplicationMessage message, CancellationToken ct)
                {
                    foreach (var matcher in forFilter)
                    {
                        if (matcher.Match(message.Topic) is not { } id) continue;
                        lock (gate)
                        {
                            if (!seen.TryGetValue((matcher.Profile, id.Device), out var s))
                                seen[(matcher.Profile, id.Device)] = s = new Sighting(id.Prefix);
                            s.Topics.Add(message.Topic);
                            s.Messages++;
                            s.RetainedOnly &= message.Retain;
                        }
                    }
                    return ValueTask.CompletedTask;
                }
                try
                {
                    await connection.Client.SubscribeAsync(group.Key, MqttQos.AtMostOnce, OnMessage, cancellationToken).ConfigureAwait(false);
                }
                catch (MqttSubscribeException)
                {
                    refused.Add(group.Key);
                }
            }
            await Task.Delay(window, time, cancellationToken).ConfigureAwait(false);
            await connection.Client.UnsubscribeAsync(matchers.Select(m => m.Filter).Distinct(StringComparer.Ordinal).Except(refused).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DeviceFailures.Translate(e, connection.Description) is { } failure)
        {
            throw failure;
        }
        lock (gate)
        {
            var devices = seen.Select(kv => new MqttDeviceSighting(kv.Key.Profile, kv.Key.Device, kv.Value.Prefix,
                    kv.Value.Topics.Order(StringComparer.Ordinal).ToList(), kv.Value.Messages, kv.Value.RetainedOnly))
                .OrderBy(s => s.Profile, StringComparer.Ordinal).ThenBy(s => s.DeviceId, StringComparer.Ordinal).ToList();
            return (devices, refused);
        }
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
