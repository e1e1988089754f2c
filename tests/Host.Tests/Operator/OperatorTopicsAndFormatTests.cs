using System.Text;
using System.Text.Json;
using Gateway.Drivers.Mqtt;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Operator;
using Gateway.Runtime.Status;

namespace Gateway.Host.Tests.Operator;

public sealed class OperatorTopicsAndFormatTests
{
    private readonly OperatorMessageFormatter _format = new(new OperatorTopics("feeder-7"));

    [Fact]
    public void The_topic_scheme()
    {
        var topics = _format.Topics;
        Assert.Equal("gw/feeder-7/status", topics.Status);
        Assert.Equal("gw/feeder-7/operator/ack", topics.Acknowledge);
        Assert.Equal("gw/feeder-7/operator/rejected", topics.AcknowledgeRejected);
        Assert.Equal("gw/feeder-7/operator/ack/scada-1", topics.AcknowledgeAs("scada-1"));
        Assert.Equal("gw/feeder-7/operator/ack/+", topics.AcknowledgeAnyUser);
        Assert.Equal("gw/feeder-7/ledger/backlog", topics.LedgerBacklog);
        Assert.Equal("gw/feeder-7/rounds/latest", topics.LatestRound);
        Assert.Equal("gw/feeder-7/setpoints/ev-01", topics.Setpoint("ev-01"));
        Assert.Equal("gw/feeder-7/devices/ev-01/health", topics.DeviceHealth("ev-01"));
        Assert.Equal("gw/feeder-7/rounds/20261122-0815", topics.Round("20261122-0815"));
        Assert.Equal("gw/feeder-7/rounds/20261122-0815/ack", topics.RoundAcknowledgement("20261122-0815"));
    }

    [Theory]
    [InlineData("ev-01", "ev-01")]
    [InlineData("bay/2", "bay%2F2")]
    [InlineData("a+b#c", "a%2Bb%23c")]
    [InlineData("50%", "50%25")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("Ladesäule 3", "Ladesäule 3")]
    public void Ids_are_escaped_into_one_level(string id, string level) => Assert.Equal(level, OperatorTopics.Level(id));

    [Fact]
    public void An_empty_id_is_refused_with_its_name()
    {
        var e = Assert.Throws<ArgumentException>(() => _format.Topics.Setpoint(""));
        Assert.Contains("deviceId", e.Message);
    }

    [Fact]
    public void A_setpoint_is_retained_qos1_json_in_the_api_shape()
    {
        var message = _format.Setpoint(new DispatchedSetpoint("r1", "ev-02", -5.0, new DateTimeOffset(2026, 11, 22, 8, 31, 0, TimeSpan.Zero), SetpointStatus.Missed, null));
        Assert.Equal("gw/feeder-7/setpoints/ev-02", message.Topic);
        Assert.Equal(MqttQos.AtLeastOnce, message.Qos);
        Assert.True(message.Retain);
        Assert.Equal("""{"roundId":"r1","deviceId":"ev-02","setpointKw":-5,"validUntilUtc":"2026-11-22T08:31:00+00:00","status":"missed","readBackKw":null,"direction":"from-grid"}""",
            Encoding.UTF8.GetString(message.Payload.Span));
    }

    [Fact]
    public void Health_and_backlog_are_retained_at_qos0()
    {
        var health = _format.DeviceHealth(new DeviceHealth("ev-01", "charger", "p1", DeviceLinkState.Isolated, null, "no answer", new Dictionary<string, double> { ["PowerKw"] = 0 }, null, null));
        Assert.Equal((MqttQos.AtMostOnce, true), (health.Qos, health.Retain));
        using var doc = JsonDocument.Parse(health.Payload);
        Assert.Equal("isolated", doc.RootElement.GetProperty("state").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("measurements").GetProperty("PowerKw").GetDouble());

        var backlog = _format.LedgerBacklog(new LedgerBacklog(2, TimeSpan.FromHours(1.5), 0, 10, null));
        Assert.Equal("gw/feeder-7/ledger/backlog", backlog.Topic);
        Assert.Contains("\"oldestPendingAge\":\"PT1H30M\"", Encoding.UTF8.GetString(backlog.Payload.Span));
    }

    [Fact]
    public void A_round_goes_to_its_own_topic_and_to_latest_only_when_newest()
    {
        var round = SampleStatusBoard.Round(3);
        Assert.Equal(["gw/feeder-7/rounds/" + round.RoundId, "gw/feeder-7/rounds/latest"], _format.Round(round, isLatest: true).Select(m => m.Topic));
        Assert.Equal(["gw/feeder-7/rounds/" + round.RoundId], _format.Round(round, isLatest: false).Select(m => m.Topic));
        Assert.All(_format.Round(round, true), m => Assert.Equal((MqttQos.AtLeastOnce, true), (m.Qos, m.Retain)));
    }

    [Fact]
    public void Presence_and_will_are_plain_retained_text()
    {
        var online = _format.Presence(true);
        Assert.Equal(("gw/feeder-7/status", "online", true), (online.Topic, Encoding.UTF8.GetString(online.Payload.Span), online.Retain));
        var will = _format.Will();
        Assert.Equal(("gw/feeder-7/status", "offline", true, MqttQos.AtLeastOnce), (will.Topic, Encoding.UTF8.GetString(will.Payload.Span), will.Retain, will.Qos));
        var birth = _format.Birth();
        Assert.Equal(("gw/feeder-7/status", "online", true, MqttQos.AtLeastOnce), (birth.Topic, Encoding.UTF8.GetString(birth.Payload.Span), birth.Retain, birth.Qos));
    }

    [Fact]
    public void Expiring_a_round_clears_its_retained_topics()
    {
        var messages = _format.ExpireRound("r1");
        Assert.Equal(["gw/feeder-7/rounds/r1", "gw/feeder-7/rounds/r1/ack"], messages.Select(m => m.Topic));
        Assert.All(messages, m => Assert.True(m.Retain && m.Payload.IsEmpty));
    }

    [Theory]
    [InlineData("""{"roundId":"r1","operator":"a"}""", null, "r1", "a")]
    [InlineData("""{"operator":"  a.novak "}""", "r9", "r9", "a.novak")]
    public void Good_acknowledgements_parse(string payload, string? path, string roundId, string operatorName)
    {
        var request = OperatorAckRequest.TryParse(Encoding.UTF8.GetBytes(payload), path, out var error);
        Assert.Equal("", error);
        Assert.Equal(new OperatorAckRequest(roundId, operatorName), request);
    }

    [Theory]
    [InlineData("""{"operator":"a"}""", "\"roundId\" is missing")]
    [InlineData("""{"roundId":7,"operator":"a"}""", "\"roundId\" must be a string")]
    [InlineData("""{"roundId":"","operator":"a"}""", "\"roundId\" is empty")]
    [InlineData("\"just text\"", "JSON string")]
    [InlineData("{\"roundId\":\"r1\",", "not valid JSON")]
    public void Bad_acknowledgements_say_what_is_wrong(string payload, string expected)
    {
        Assert.Null(OperatorAckRequest.TryParse(Encoding.UTF8.GetBytes(payload), null, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Non_utf8_garbage_is_refused_not_thrown()
    {
        Assert.Null(OperatorAckRequest.TryParse(new byte[] { 0xFF, 0xFE, 0x00, 0x81 }, null, out var error));
        Assert.Contains("not valid JSON", error);
    }
}
