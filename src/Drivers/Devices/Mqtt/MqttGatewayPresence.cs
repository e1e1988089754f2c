using System.Text;
using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// The gateway's presence on a device broker: a retained status topic that reads <see cref="Online"/> while the gateway's
/// device connection is up and <see cref="Offline"/> once it is gone, published by the broker as the connection's last
/// will when the gateway dies without a goodbye. A device that sees <see cref="Offline"/> goes to its safe state at
/// once instead of waiting for its setpoint's validity to run out.
/// </summary>
public static class MqttGatewayPresence
{
    /// <summary>The payload while the gateway is connected.</summary>
    public const string Online = "online";

    /// <summary>The payload once it is not.</summary>
    public const string Offline = "offline";

    /// <summary>The status topic of site <paramref name="siteId"/>'s gateway on its device brokers (the id escaped as one topic level).</summary>
    public static string Topic(string siteId) => $"gw/{MqttTopicLevel.Escape(siteId)}/devices/status";

    /// <summary>The last will the gateway's device connection leaves with the broker: retained <see cref="Offline"/>.</summary>
    public static MqttWillMessage Will(string siteId) => Message(siteId, Offline);

    /// <summary>What the connection publishes at every connect: retained <see cref="Online"/>.</summary>
    public static MqttWillMessage Birth(string siteId) => Message(siteId, Online);

    /// <summary>Whether <paramref name="payload"/> says the gateway is gone.</summary>
    public static bool SaysOffline(ReadOnlySpan<byte> payload) => payload.SequenceEqual(OfflineBytes);

    private static readonly byte[] OfflineBytes = Encoding.ASCII.GetBytes(Offline);

    private static MqttWillMessage Message(string siteId, string payload) =>
        new(Topic(siteId), Encoding.ASCII.GetBytes(payload), MqttQos.AtLeastOnce, Retain: true);
}
