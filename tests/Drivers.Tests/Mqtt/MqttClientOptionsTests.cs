using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Tests.Mqtt;

public sealed class MqttClientOptionsTests
{
    [Fact]
    public void Defaults_are_valid() => new MqttClientOptions().Validate();

    [Theory]
    [InlineData("Port must be 1..65535")]
    [InlineData("an empty ClientId requires CleanSession = true [MQTT-3.1.3-7]")]
    [InlineData("Password requires UserName [MQTT-3.1.2-22]")]
    [InlineData("KeepAlive is sent in whole seconds")]
    [InlineData("Will.Topic")]
    [InlineData("Reconnect.MaxDelay")]
    [InlineData("MaxInflightMessages")]
    public void Each_bad_setting_is_named(string expected)
    {
        var options = expected switch
        {
            "Port must be 1..65535" => new MqttClientOptions { Port = 0 },
            "an empty ClientId requires CleanSession = true [MQTT-3.1.3-7]" => new MqttClientOptions { ClientId = "", CleanSession = false },
            "Password requires UserName [MQTT-3.1.2-22]" => new MqttClientOptions { Password = "x" },
            "KeepAlive is sent in whole seconds" => new MqttClientOptions { KeepAlive = TimeSpan.FromMilliseconds(1500) },
            "Will.Topic" => new MqttClientOptions { Will = new MqttWillMessage("gw/+/status", "offline"u8.ToArray()) },
            "Reconnect.MaxDelay" => new MqttClientOptions { Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(1) } },
            _ => new MqttClientOptions { MaxInflightMessages = 0 },
        };
        var ex = Assert.Throws<ArgumentException>(() => new MqttClient(options));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task Publish_arguments_are_checked_before_anything_is_sent()
    {
        await using var client = new MqttClient(new MqttClientOptions());
        var wildcard = await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync("site/+/power_kw", default, MqttQos.AtMostOnce, false));
        Assert.Contains("MQTT-3.3.2-2", wildcard.Message);
        await Assert.ThrowsAsync<MqttCommunicationException>(() => client.PublishAsync("site/ev-1/power_kw", default, MqttQos.AtLeastOnce, false));
        var filter = await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync("a/#/b", MqttQos.AtMostOnce, (_, _) => default));
        Assert.Contains("MQTT-4.7.1-2", filter.Message);
    }
}
