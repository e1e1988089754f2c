using System.Text;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Tests.Devices;

public sealed class MqttGatewayPresenceTests
{
    [Fact]
    public void Will_and_birth_are_retained_at_least_once_on_the_sites_status_topic()
    {
        var will = MqttGatewayPresence.Will("lab-3");
        var birth = MqttGatewayPresence.Birth("lab-3");
        Assert.Equal("gw/lab-3/devices/status", will.Topic);
        Assert.Equal(will.Topic, birth.Topic);
        Assert.Equal(("offline", "online"), (Encoding.ASCII.GetString(will.Payload.Span), Encoding.ASCII.GetString(birth.Payload.Span)));
        Assert.All(new[] { will, birth }, m => Assert.True(m.Retain && m.Qos == MqttQos.AtLeastOnce));
    }

    [Fact]
    public void A_site_id_with_topic_wildcards_stays_one_level_and_only_offline_means_gone()
    {
        Assert.Equal("gw/a%2Fb%2B%23/devices/status", MqttGatewayPresence.Topic("a/b+#"));
        Assert.Null(MqttTopic.CheckTopicName(MqttGatewayPresence.Topic("a/b+#")));
        Assert.True(MqttGatewayPresence.SaysOffline("offline"u8));
        Assert.False(MqttGatewayPresence.SaysOffline("online"u8));
        Assert.False(MqttGatewayPresence.SaysOffline("OFFLINE "u8));
    }
}
