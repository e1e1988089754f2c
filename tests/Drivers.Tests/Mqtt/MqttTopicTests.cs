using Gateway.Drivers.Mqtt;

namespace Gateway.Drivers.Tests.Mqtt;

public sealed class MqttTopicTests
{
    [Theory]
    [InlineData("a/b/c", "a/b/c", true)]
    [InlineData("a/+/c", "a/b/c", true)]
    [InlineData("a/+/c", "a/b/d", false)]
    [InlineData("a/+", "a/b/c", false)]
    [InlineData("a/#", "a/b/c", true)]
    [InlineData("a/#", "a", true)]
    [InlineData("a/b/#", "a/b", true)]
    [InlineData("#", "a/b", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("/+", "/finance", true)]
    [InlineData("a/+/#", "a/b", true)]
    [InlineData("a/+/#", "a", false)]
    [InlineData("#", "$SYS/broker/uptime", false)]
    [InlineData("+/broker/uptime", "$SYS/broker/uptime", false)]
    [InlineData("$SYS/#", "$SYS/broker/uptime", true)]
    [InlineData("$SYS/+/uptime", "$SYS/broker/uptime", true)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a/b/c", "a/b", false)]
    public void Matches(string filter, string topic, bool expected) => Assert.Equal(expected, MqttTopic.Matches(filter, topic));

    [Theory]
    [InlineData("a/#/b", "MQTT-4.7.1-2")]
    [InlineData("a#", "MQTT-4.7.1-2")]
    [InlineData("a/b+", "MQTT-4.7.1-3")]
    [InlineData("", "MQTT-4.7.3-1")]
    public void Invalid_filters_cite_the_clause(string filter, string clause) => Assert.Contains(clause, MqttTopic.CheckTopicFilter(filter));

    [Theory]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("")]
    public void Invalid_topic_names(string topic) => Assert.NotNull(MqttTopic.CheckTopicName(topic));

    [Fact]
    public void Valid_names_and_filters()
    {
        Assert.Null(MqttTopic.CheckTopicName("site/ev-1/power_kw"));
        Assert.Null(MqttTopic.CheckTopicFilter("site/+/power_kw"));
        Assert.Null(MqttTopic.CheckTopicFilter("#"));
        Assert.Null(MqttTopic.CheckTopicFilter("+/+/#"));
    }
}
