namespace Gateway.Drivers.Mqtt;

/// <summary>The broker refused a subscription (SUBACK return code 0x80, e.g. not authorised for the filter).</summary>
public sealed class MqttSubscribeException : Exception
{
    /// <summary>Create for the refused filter.</summary>
    public MqttSubscribeException(string topicFilter)
        : base($"broker refused the subscription to \"{topicFilter}\" (SUBACK return code 0x80)")
    {
        TopicFilter = topicFilter;
    }

    /// <summary>The refused topic filter.</summary>
    public string TopicFilter { get; }
}
