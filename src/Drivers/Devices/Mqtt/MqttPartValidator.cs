using System.Globalization;

namespace Gateway.Drivers.Devices.Mqtt;

// Checks the `mqtt:` part of a profile and each point's `mqtt:` location, reporting every problem
// through the profile validator (so one run lists everything, file and point named).
internal sealed class MqttPartValidator(Action<string?, string> problem)
{
    // Always returns a map, built from the parts that are valid, so points are checked against the
    // telemetry topics even when something else is wrong; the profile validator refuses the file then.
    public MqttTopicMap ValidatePart(ProfileFileMqtt m)
    {
        var prefix = m.TopicPrefix;
        if (prefix is null) { problem(null, "mqtt: 'topicPrefix' is missing (e.g. site/chargers/{device})"); }
        else if (CheckPrefix(prefix) is { } why) { problem(null, $"mqtt: 'topicPrefix' {why}"); }

        var telemetry = new List<string>();
        if (m.Telemetry is null || m.Telemetry.Count == 0) { problem(null, "mqtt: 'telemetry' is missing or empty: list the topics the device publishes JSON on"); }
        foreach (var topic in m.Telemetry ?? [])
        {
            // A bare "-" in the list is a null entry (found by fuzzing).
            if (topic is null) { problem(null, "mqtt: a telemetry topic is empty"); continue; }
            if (CheckRelative(topic) is { } why) { problem(null, $"mqtt: telemetry topic {why}"); }
            else if (telemetry.Contains(topic)) { problem(null, $"mqtt: telemetry topic '{topic}' is listed twice"); }
            else telemetry.Add(topic);
        }

        MqttCommandFormat? command = null;
        if (m.Command is { } c)
        {
            if (c.Topic is null) { problem(null, "mqtt: 'command.topic' is missing"); }
            else if (CheckRelative(c.Topic) is { } why) { problem(null, $"mqtt: command topic {why}"); }
            var validity = MqttSetpointValidity.Both;
            switch (c.Validity)
            {
                case null or "both": break;
                case "valid-for": validity = MqttSetpointValidity.ValidFor; break;
                case "valid-until": validity = MqttSetpointValidity.ValidUntil; break;
                default: problem(null, $"mqtt: 'command.validity' is '{c.Validity}', expected valid-for, valid-until or both"); break;
            }
            if (c.ValueField is null) { problem(null, "mqtt: 'command.valueField' is missing (the JSON field carrying the setpoint)"); }
            var id = Path("command.idField", c.IdField, "id");
            var value = Path("command.valueField", c.ValueField, null);
            var validFor = Path("command.validForField", c.ValidForField, "validForSeconds");
            var validUntil = Path("command.validUntilField", c.ValidUntilField, "validUntil");
            if (c.Topic is not null && id is not null && value is not null && validFor is not null && validUntil is not null)
            {
                if (new[] { id, value, validFor, validUntil }.Distinct().Count() < 4) { problem(null, "mqtt: the command's id, value and validity fields must differ"); }
                command = new MqttCommandFormat { Topic = c.Topic, IdField = id, ValueField = value, Validity = validity, ValidForField = validFor, ValidUntilField = validUntil };
            }
        }

        MqttAckFormat? ack = null;
        if (m.Ack is { } a)
        {
            if (a.Topic is null) { problem(null, "mqtt: 'ack.topic' is missing"); }
            else if (CheckRelative(a.Topic) is { } why) { problem(null, $"mqtt: ack topic {why}"); }
            var id = Path("ack.idField", a.IdField, "id");
            var accepted = Path("ack.acceptedField", a.AcceptedField, "accepted");
            var reason = Path("ack.reasonField", a.ReasonField, "reason");
            var applied = a.AppliedField is null ? null : Path("ack.appliedField", a.AppliedField, null);
            if (a.Topic is not null && id is not null && accepted is not null && reason is not null && (a.AppliedField is null || applied is not null))
                ack = new MqttAckFormat { Topic = a.Topic, IdField = id, AcceptedField = accepted, ReasonField = reason, AppliedField = applied };
        }
        if (m.Command is not null && m.Ack is null) { problem(null, "mqtt: 'command' needs an 'ack' topic: a setpoint is confirmed by the device's acknowledgement"); }
        if (m.Ack is not null && m.Command is null) { problem(null, "mqtt: 'ack' is given without a 'command'"); }

        if (m.Heartbeat is { } heartbeat && CheckRelative(heartbeat) is { } hbWhy) { problem(null, $"mqtt: heartbeat topic {hbWhy}"); }
        if (m.Heartbeat is not null && m.Command is null) { problem(null, "mqtt: 'heartbeat' is given without a 'command' (it re-arms a setpoint's validity)"); }

        // The driver subscribes to telemetry and acknowledgements; sharing a topic would mix them up.
        var topics = telemetry.Select(t => ("telemetry", t)).ToList();
        if (m.Command?.Topic is { } commandTopic) topics.Add(("command", commandTopic));
        if (m.Ack?.Topic is { } ackTopic) topics.Add(("ack", ackTopic));
        if (m.Heartbeat is not null) topics.Add(("heartbeat", m.Heartbeat));
        foreach (var clash in topics.GroupBy(t => t.Item2, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problem(null, $"mqtt: topic '{clash.Key}' is used as {string.Join(" and ", clash.Select(t => t.Item1))}: each role needs its own topic");

        var silence = m.SilenceTimeoutSeconds ?? 30;
        if (!(silence is >= 0.1 and <= 86_400)) { problem(null, $"mqtt: 'silenceTimeoutSeconds' is {silence.ToString(CultureInfo.InvariantCulture)}, must be 0.1–86400"); }

        return new MqttTopicMap
        {
            TopicPrefix = prefix ?? "",
            TelemetryTopics = telemetry,
            Locations = new Dictionary<string, MqttPointLocation>(),
            Command = command,
            Ack = ack,
            HeartbeatTopic = m.Heartbeat,
            SilenceTimeout = TimeSpan.FromSeconds(silence is >= 0.1 and <= 86_400 ? silence : 30),
        };
    }

    public MqttPointLocation? ValidatePoint(ProfileFilePointMqtt p, string label, MqttTopicMap map)
    {
        var ok = true;
        string? topic = p.Topic;
        if (topic is null)
        {
            if (map.TelemetryTopics.Count == 1) topic = map.TelemetryTopics[0];
            else { problem(label, $"mqtt: 'topic' is missing: the profile has {map.TelemetryTopics.Count} telemetry topics ({string.Join(", ", map.TelemetryTopics)})"); ok = false; }
        }
        else if (!map.TelemetryTopics.Contains(topic))
        {
            problem(label, $"mqtt: topic '{topic}' is not one of the profile's telemetry topics ({string.Join(", ", map.TelemetryTopics)})");
            ok = false;
        }
        MqttJsonPath? field = null;
        if (p.Field is null) { problem(label, "mqtt: 'field' is missing (the JSON field, e.g. soc or power.w)"); ok = false; }
        else if (MqttJsonPath.Check(p.Field) is { } why) { problem(label, $"mqtt: 'field' {why}"); ok = false; }
        else field = MqttJsonPath.Parse(p.Field);
        if (p.Scale is { } scale && scale is < -12 or > 12) { problem(label, $"mqtt: 'scale' is {scale}, must be -12–12 (a power of ten)"); ok = false; }
        if (p.Step is { } stepValue && !(stepValue > 0 && stepValue <= 1e6)) { problem(label, $"mqtt: 'step' is {stepValue.ToString(CultureInfo.InvariantCulture)}, must be above 0 (the device's resolution in its own units)"); ok = false; }
        if (p.Absent is { Length: 0 }) { problem(label, "mqtt: 'absent' is empty (JSON null is always absent; give the device's other marker, e.g. 65535)"); ok = false; }
        if (!ok) return null;
        return new MqttPointLocation
        {
            Topic = topic!,
            Field = field!,
            ScaleExponent = p.Scale ?? 0,
            Negate = p.Negate ?? false,
            AbsentMarker = p.Absent,
            Step = p.Step ?? 0.001,
        };
    }

    private MqttJsonPath? Path(string key, string? text, string? fallback)
    {
        text ??= fallback;
        if (text is null) return null;
        if (MqttJsonPath.Check(text) is { } why) { problem(null, $"mqtt: '{key}' {why}"); return null; }
        return MqttJsonPath.Parse(text);
    }

    private static string? CheckPrefix(string prefix)
    {
        if (prefix.Length == 0) return "is empty";
        var withoutPlaceholder = prefix.Replace(MqttTopicMap.DevicePlaceholder, "x", StringComparison.Ordinal);
        if (withoutPlaceholder.Contains('{') || withoutPlaceholder.Contains('}')) return $"'{prefix}' has a placeholder other than {MqttTopicMap.DevicePlaceholder}";
        return CheckLevels(prefix, withoutPlaceholder);
    }

    private static string? CheckRelative(string topic)
    {
        if (topic.Contains('{') || topic.Contains('}')) return $"'{topic}' has a placeholder: only the topicPrefix takes {MqttTopicMap.DevicePlaceholder}";
        return topic.Length == 0 ? "is empty" : CheckLevels(topic, topic);
    }

    private static string? CheckLevels(string shown, string topic)
    {
        if (topic.Contains('+') || topic.Contains('#')) return $"'{shown}' contains a wildcard (+ or #): a device's topics are names, not filters";
        if (topic.StartsWith('/') || topic.EndsWith('/') || topic.Contains("//", StringComparison.Ordinal)) return $"'{shown}' has an empty level (a leading, trailing or double /)";
        if (topic.StartsWith('$')) return $"'{shown}' starts with $, which brokers reserve";
        if (topic.Any(char.IsControl)) return $"'{shown}' contains a control character";
        return null;
    }
}
