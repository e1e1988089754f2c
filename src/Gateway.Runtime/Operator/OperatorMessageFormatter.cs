using System.Text;
using Gateway.Drivers.Mqtt;
using Gateway.Runtime.Status;

namespace Gateway.Runtime.Operator;

/// <summary>
/// Turns status-board records into operator publications: topic, JSON payload (the same shape as the dashboard
/// API, see <see cref="OperatorJson"/>), QoS and retain flag. Pure; the scheme is documented in docs/operator-topics.md.
/// </summary>
internal sealed class OperatorMessageFormatter
{
    /// <summary>Format for the topics of one site.</summary>
    public OperatorMessageFormatter(OperatorTopics topics)
    {
        Topics = topics;
    }

    /// <summary>MQTT 5 user property: the round a message belongs to or an acknowledgement answers.</summary>
    public const string RoundProperty = "round";

    /// <summary>MQTT 5 user property: the operator who acknowledged.</summary>
    public const string OperatorProperty = "operator";

    /// <summary>MQTT 5 user property: the device a setpoint is for.</summary>
    public const string DeviceProperty = "device";

    /// <summary>MQTT 5 user property: the round's state.</summary>
    public const string StateProperty = "state";

    /// <summary>The site's topics.</summary>
    public OperatorTopics Topics { get; }

    /// <summary>A setpoint: retained per device, QoS 1.</summary>
    public OperatorMessage Setpoint(DispatchedSetpoint setpoint) =>
        new(Topics.Setpoint(setpoint.DeviceId), OperatorJson.ToUtf8(setpoint), MqttQos.AtLeastOnce, Retain: true)
        {
            UserProperties = [new(RoundProperty, setpoint.RoundId), new(DeviceProperty, setpoint.DeviceId)],
        };

    /// <summary>Device health: retained per device, QoS 0 (the next update, or the refresh after a reconnect, replaces a lost one).</summary>
    public OperatorMessage DeviceHealth(DeviceHealth health) =>
        new(Topics.DeviceHealth(health.DeviceId), OperatorJson.ToUtf8(health), MqttQos.AtMostOnce, Retain: true);

    /// <summary>Ledger backlog: retained, QoS 0.</summary>
    public OperatorMessage LedgerBacklog(LedgerBacklog backlog) =>
        new(Topics.LedgerBacklog, OperatorJson.ToUtf8(backlog), MqttQos.AtMostOnce, Retain: true);

    /// <summary>A round's result on its own topic and, when it is the newest round, on <c>rounds/latest</c>; retained, QoS 1.</summary>
    public IReadOnlyList<OperatorMessage> Round(RoundSummary round, bool isLatest)
    {
        var payload = OperatorJson.ToUtf8(round);
        KeyValuePair<string, string>[] properties = [new(RoundProperty, round.RoundId), new(StateProperty, System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(round.State.ToString()))];
        var own = new OperatorMessage(Topics.Round(round.RoundId), payload, MqttQos.AtLeastOnce, Retain: true) { UserProperties = properties };
        return isLatest ? [own, new OperatorMessage(Topics.LatestRound, payload, MqttQos.AtLeastOnce, Retain: true) { UserProperties = properties }] : [own];
    }

    /// <summary>An accepted acknowledgement: retained under its round, QoS 1.</summary>
    public OperatorMessage Acknowledgement(AckNotice ack) =>
        new(Topics.RoundAcknowledgement(ack.RoundId), OperatorJson.ToUtf8(ack), MqttQos.AtLeastOnce, Retain: true)
        {
            UserProperties = [new(RoundProperty, ack.RoundId), new(OperatorProperty, ack.Operator)],
        };

    /// <summary>A refused acknowledgement: not retained (it is an event), QoS 1.</summary>
    public OperatorMessage Rejection(AckRejection rejection) =>
        new(Topics.AcknowledgeRejected, OperatorJson.ToUtf8(rejection), MqttQos.AtLeastOnce, Retain: false);

    /// <summary>The gateway's presence: plain text "online"/"offline", retained, QoS 1.</summary>
    public OperatorMessage Presence(bool online) =>
        new(Topics.Status, Encoding.UTF8.GetBytes(online ? OperatorTopics.Online : OperatorTopics.Offline), MqttQos.AtLeastOnce, Retain: true);

    /// <summary>The last will to put in the MQTT client options: retained "offline" on <c>gw/{site}/status</c>.</summary>
    public MqttWillMessage Will() => new(Topics.Status, Encoding.UTF8.GetBytes(OperatorTopics.Offline), MqttQos.AtLeastOnce, Retain: true);

    /// <summary>The birth message to put in the MQTT client options: retained "online", sent by the client on every (re)connect, before anything queued.</summary>
    public MqttWillMessage Birth() => new(Topics.Status, Encoding.UTF8.GetBytes(OperatorTopics.Online), MqttQos.AtLeastOnce, Retain: true);

    /// <summary>Clear the retained round and acknowledgement topics of a round that is no longer kept (empty retained payloads).</summary>
    public IReadOnlyList<OperatorMessage> ExpireRound(string roundId) =>
    [
        new(Topics.Round(roundId), ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, Retain: true),
        new(Topics.RoundAcknowledgement(roundId), ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, Retain: true),
    ];
}
