using System.Text;
using MQTTnet.Formatter;

namespace Gateway.Drivers.Mqtt;

/// <summary>
/// Settings of one <see cref="MqttClient"/>. Validated by <see cref="Validate"/>, which the client calls in its
/// constructor, so a bad setting fails at start with a message naming it.
/// </summary>
public sealed class MqttClientOptions
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Broker port (1883 plain, 8883 TLS by convention).</summary>
    public int Port { get; init; } = 1883;

    /// <summary>Client identifier; empty lets the broker assign one, which requires <see cref="CleanSession"/> [MQTT-3.1.3-7].</summary>
    public string ClientId { get; init; } = "";

    /// <summary>True: every connection starts a new session. False: the broker keeps subscriptions and queued QoS 1/2 messages while the client is away.</summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>
    /// MQTT 5 (the default) or 3.1.1. With MQTT 5 the client falls back to 3.1.1 by itself when a broker refuses
    /// version 5 (CONNACK "unacceptable protocol version"), and stays there for the life of the client.
    /// </summary>
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    /// <summary>
    /// MQTT 5: how long the broker keeps a persistent session (<see cref="CleanSession"/> false) after the connection
    /// ends, so a gateway that is taken away does not leave messages piling up on the broker for ever. Null: as long
    /// as the broker allows (what MQTT 3.1.1 does). Not used with a clean session or over 3.1.1.
    /// </summary>
    public TimeSpan? SessionExpiry { get; init; }

    /// <summary>
    /// Where QoS 1/2 messages wait until the broker acknowledged them; null keeps them in memory only. With a durable
    /// store (<see cref="SqliteMqttOutboxStore"/>) the messages a gateway accepted survive its restart and are sent by
    /// the next client that opens the same store.
    /// </summary>
    public IMqttOutboxStore? OutboxStore { get; init; }

    /// <summary>Optional user name.</summary>
    public string? UserName { get; init; }

    /// <summary>Optional password (requires <see cref="UserName"/> [MQTT-3.1.2-22]).</summary>
    public string? Password { get; init; }

    /// <summary>Keep-alive interval; the client pings when idle, the broker drops a client silent for 1.5× this. Zero disables it.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Optional last will, e.g. a retained "offline" status published by the broker if the gateway vanishes.</summary>
    public MqttWillMessage? Will { get; init; }

    /// <summary>
    /// Optional message published every time a connection is established (first connect and each reconnect),
    /// e.g. a retained "online" status that overwrites the "offline" <see cref="Will"/> the broker published
    /// while the gateway was away.
    /// </summary>
    public MqttWillMessage? BirthMessage { get; init; }

    /// <summary>TLS settings; null for plain TCP.</summary>
    public MqttTlsOptions? Tls { get; init; }

    /// <summary>Time allowed for TCP connect, TLS handshake and CONNACK together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for SUBACK/UNSUBACK, a PUBACK and a keep-alive's PINGRESP.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>QoS 1/2 messages in flight or queued while disconnected; a further <c>PublishAsync</c> waits for room.</summary>
    public int MaxPendingMessages { get; init; } = 1000;

    /// <summary>
    /// QoS 1/2 messages sent but not yet acknowledged at any time (the rest wait their turn, in order). mosquitto
    /// handles 20 per client (its max_inflight_messages, announced as MQTT 5's receive maximum) and fails to forward
    /// QoS 2 messages beyond it over 3.1.1, so the default matches libmosquitto's 20.
    /// </summary>
    public int MaxInflightMessages { get; init; } = 20;

    /// <summary>Largest packet accepted from the broker, in bytes (announced to an MQTT 5 broker as the maximum packet size).</summary>
    public int MaxIncomingPacketSize { get; init; } = 1024 * 1024;

    /// <summary>Automatic reconnect policy.</summary>
    public MqttReconnectOptions Reconnect { get; init; } = new();

    /// <summary>The largest packet MQTT can encode (a four-byte remaining length plus the fixed header).</summary>
    public const int MaxPacketSize = 268_435_460;

    /// <summary>Copy with TLS and credentials replaced (for <see cref="MqttBrokerSecurity.Apply"/>).</summary>
    internal MqttClientOptions With(string? userName, string? password, MqttTlsOptions? tls) => new()
    {
        Host = Host, Port = Port, ClientId = ClientId, CleanSession = CleanSession, ProtocolVersion = ProtocolVersion,
        SessionExpiry = SessionExpiry, OutboxStore = OutboxStore,
        UserName = userName ?? UserName, Password = userName is null ? Password : password,
        KeepAlive = KeepAlive, Will = Will, BirthMessage = BirthMessage, Tls = tls ?? Tls, ConnectTimeout = ConnectTimeout,
        OperationTimeout = OperationTimeout, MaxPendingMessages = MaxPendingMessages, MaxInflightMessages = MaxInflightMessages,
        MaxIncomingPacketSize = MaxIncomingPacketSize, Reconnect = Reconnect,
    };

    /// <summary>Throw <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) errors.Add("Host must be set");
        if (Port is < 1 or > 65535) errors.Add($"Port must be 1..65535, got {Port}");
        if (ClientId is null) errors.Add("ClientId must not be null (use \"\" for a broker-assigned id)");
        else
        {
            if (ClientId.Length == 0 && !CleanSession) errors.Add("an empty ClientId requires CleanSession = true [MQTT-3.1.3-7]");
            if (Encoding.UTF8.GetByteCount(ClientId) > ushort.MaxValue) errors.Add("ClientId is longer than 65535 bytes of UTF-8");
            if (ClientId.Contains('\0')) errors.Add("ClientId must not contain U+0000");
        }
        if (ProtocolVersion is not (MqttProtocolVersion.V500 or MqttProtocolVersion.V311))
            errors.Add($"ProtocolVersion must be V500 or V311, got {ProtocolVersion}");
        if (SessionExpiry is { } expiry && (expiry <= TimeSpan.Zero || expiry.TotalSeconds >= uint.MaxValue))
            errors.Add($"SessionExpiry must be > 0 and below {uint.MaxValue} s (or null for no expiry), got {expiry}");
        if (Password is not null && UserName is null) errors.Add("Password requires UserName [MQTT-3.1.2-22]");
        if (KeepAlive < TimeSpan.Zero || KeepAlive.TotalSeconds > ushort.MaxValue) errors.Add($"KeepAlive must be 0..65535 s, got {KeepAlive}");
        else if (KeepAlive > TimeSpan.Zero && KeepAlive.Ticks % TimeSpan.TicksPerSecond != 0) errors.Add($"KeepAlive is sent in whole seconds, got {KeepAlive}");
        if (Will is { } will)
        {
            if (MqttTopic.CheckTopicName(will.Topic) is { } topicError) errors.Add($"Will.Topic: {topicError}");
            if ((int)will.Qos > 2) errors.Add($"Will.Qos must be 0, 1 or 2, got {(int)will.Qos}");
            if (will.Payload.Length > ushort.MaxValue) errors.Add($"Will.Payload must be at most 65535 bytes, got {will.Payload.Length}");
        }
        if (BirthMessage is { } birth)
        {
            if (MqttTopic.CheckTopicName(birth.Topic) is { } topicError) errors.Add($"BirthMessage.Topic: {topicError}");
            if ((int)birth.Qos > 2) errors.Add($"BirthMessage.Qos must be 0, 1 or 2, got {(int)birth.Qos}");
        }
        if (ConnectTimeout <= TimeSpan.Zero) errors.Add($"ConnectTimeout must be > 0, got {ConnectTimeout}");
        if (OperationTimeout <= TimeSpan.Zero) errors.Add($"OperationTimeout must be > 0, got {OperationTimeout}");
        if (MaxPendingMessages is < 1 or > 1_000_000) errors.Add($"MaxPendingMessages must be 1..1000000, got {MaxPendingMessages}");
        if (MaxInflightMessages is < 1 or > 65_000 || MaxInflightMessages > MaxPendingMessages)
            errors.Add($"MaxInflightMessages must be 1..65000 (packet ids are 16-bit) and at most MaxPendingMessages ({MaxPendingMessages}), got {MaxInflightMessages}");
        if (MaxIncomingPacketSize is < 16 or > MaxPacketSize) errors.Add($"MaxIncomingPacketSize must be 16..{MaxPacketSize}, got {MaxIncomingPacketSize}");
        if (Reconnect is null) errors.Add("Reconnect must not be null");
        else errors.AddRange(Reconnect.Validate());
        if (errors.Count > 0) throw new ArgumentException("invalid MQTT client options: " + string.Join("; ", errors));
    }
}
