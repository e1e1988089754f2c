using System.Text;

namespace Gateway.Runtime.Operator;

/// <summary>
/// The operator topic scheme of one site (documented in docs/operator-topics.md). Every id placed in a topic
/// level is escaped so that an id containing <c>/</c>, <c>+</c>, <c>#</c> or <c>%</c> can neither add a level
/// nor turn into a wildcard: those characters (and control characters) become <c>%XX</c> (UTF-8, upper-case hex).
/// </summary>
internal sealed class OperatorTopics
{
    /// <summary>Payload of <see cref="Status"/> while the gateway is connected.</summary>
    public const string Online = "online";

    /// <summary>Payload of <see cref="Status"/> after a clean stop, and of the last will the broker publishes when the gateway vanishes.</summary>
    public const string Offline = "offline";

    private readonly string _root;

    /// <summary>Topics of site <paramref name="siteId"/>.</summary>
    /// <exception cref="ArgumentException">The site id is empty.</exception>
    public OperatorTopics(string siteId)
    {
        _root = "gw/" + Level(siteId, nameof(siteId));
    }

    /// <summary><c>gw/{site}/status</c>: retained <c>online</c> / <c>offline</c>.</summary>
    public string Status => _root + "/status";

    /// <summary><c>gw/{site}/operator/ack</c>: the old anonymous acknowledgement topic; anything published here is refused (no broker identity).</summary>
    public string Acknowledge => _root + "/operator/ack";

    /// <summary><c>gw/{site}/operator/ack/{user}</c>: where broker user <paramref name="brokerUser"/> acknowledges (the broker ACL lets only that user write it).</summary>
    public string AcknowledgeAs(string brokerUser) => $"{Acknowledge}/{Level(brokerUser, nameof(brokerUser))}";

    /// <summary><c>gw/{site}/operator/ack/+</c>: every user's acknowledgement topic.</summary>
    public string AcknowledgeAnyUser => Acknowledge + "/+";

    /// <summary><c>gw/{site}/operator/rejected</c>: acknowledgements the gateway refused, with the reason (outside <c>operator/ack/+</c>, so it never reads its own refusals).</summary>
    public string AcknowledgeRejected => _root + "/operator/rejected";

    /// <summary><c>gw/{site}/ledger/backlog</c>: retained settlement backlog.</summary>
    public string LedgerBacklog => _root + "/ledger/backlog";

    /// <summary><c>gw/{site}/rounds/latest</c>: retained summary of the newest round.</summary>
    public string LatestRound => _root + "/rounds/latest";

    /// <summary><c>gw/{site}/setpoints/{device}</c>: retained setpoint in force for a device.</summary>
    public string Setpoint(string deviceId) => $"{_root}/setpoints/{Level(deviceId, nameof(deviceId))}";

    /// <summary><c>gw/{site}/devices/{device}/health</c>: retained link state and latest values of a device.</summary>
    public string DeviceHealth(string deviceId) => $"{_root}/devices/{Level(deviceId, nameof(deviceId))}/health";

    /// <summary><c>gw/{site}/rounds/{roundId}</c>: retained summary of one round.</summary>
    public string Round(string roundId) => $"{_root}/rounds/{Level(roundId, nameof(roundId))}";

    /// <summary><c>gw/{site}/rounds/{roundId}/ack</c>: retained acknowledgement of one round.</summary>
    public string RoundAcknowledgement(string roundId) => $"{Round(roundId)}/ack";

    /// <summary>Escape one topic level: <c>/ + # %</c> and control characters become <c>%XX</c>.</summary>
    /// <exception cref="ArgumentException">The id is empty (an empty level would collide with other topics).</exception>
    public static string Level(string id, string what = "id")
    {
        ArgumentNullException.ThrowIfNull(id, what);
        if (id.Length == 0) throw new ArgumentException($"{what} must not be empty in an MQTT topic level", what);
        if (!id.AsSpan().ContainsAny("/+#%\0") && !id.Any(char.IsControl)) return id;
        var escaped = new StringBuilder(id.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in id.EnumerateRunes())
        {
            if (rune.Value is '/' or '+' or '#' or '%' || Rune.IsControl(rune))
            {
                var length = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..length]) escaped.Append('%').Append(b.ToString("X2"));
            }
            else
            {
                escaped.Append(rune.ToString());
            }
        }
        return escaped.ToString();
    }
}
