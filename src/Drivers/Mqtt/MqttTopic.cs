namespace Gateway.Drivers.Mqtt;

/// <summary>
/// Topic names and topic filters (MQTT §4.7): validation (so a bad topic in a rig file is refused at start, naming the
/// clause) and matching with <c>+</c> (one level)
/// and <c>#</c> (this level and all below, last only). Topics starting with <c>$</c> are not matched by a
/// filter that starts with a wildcard [MQTT-4.7.2-1], so <c>#</c> never sees <c>$SYS/...</c>.
/// </summary>
internal static class MqttTopic
{
    /// <summary>Why <paramref name="topic"/> is not a valid topic name (with the clause), or null if it is.</summary>
    public static string? CheckTopicName(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Length == 0) return "a topic name must be at least one character long [MQTT-4.7.3-1]";
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) return $"topic name \"{topic}\" must not contain the wildcards + or # [MQTT-3.3.2-2]";
        if (topic.Contains('\0')) return "a topic name must not contain U+0000 [MQTT-4.7.3-2]";
        return null;
    }

    /// <summary>Why <paramref name="filter"/> is not a valid topic filter (with the clause), or null if it is.</summary>
    public static string? CheckTopicFilter(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Length == 0) return "a topic filter must be at least one character long [MQTT-4.7.3-1]";
        if (filter.Contains('\0')) return "a topic filter must not contain U+0000 [MQTT-4.7.3-2]";
        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#') && (level != "#" || i != levels.Length - 1))
                return $"topic filter \"{filter}\": # must be a whole level and the last one [MQTT-4.7.1-2]";
            if (level.Contains('+') && level != "+")
                return $"topic filter \"{filter}\": + must occupy a whole level [MQTT-4.7.1-3]";
        }
        return null;
    }

    /// <summary>Whether the topic name <paramref name="topic"/> matches the (valid) topic filter <paramref name="filter"/>.</summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#'))) return false;
        var f = filter.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var fEnd = f.IndexOf('/');
            var fLevel = fEnd < 0 ? f : f[..fEnd];
            if (fLevel is "#") return true; // "a/#" also matches "a" (the parent level)
            var tEnd = t.IndexOf('/');
            var tLevel = tEnd < 0 ? t : t[..tEnd];
            if (!(fLevel is "+" || fLevel.SequenceEqual(tLevel))) return false;
            if (fEnd < 0 || tEnd < 0)
            {
                if (fEnd < 0 && tEnd < 0) return true;
                // The topic ended but the filter has one more level: only "/#" may follow.
                return tEnd < 0 && f[(fEnd + 1)..] is "#";
            }
            f = f[(fEnd + 1)..];
            t = t[(tEnd + 1)..];
        }
    }
}
