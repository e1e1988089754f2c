namespace Gateway.Drivers.Mqtt;

/// <summary>The broker refused a subscription (SUBACK 0x80 in MQTT 3.1.1; in MQTT 5 a reason code such as 0x87 not authorised).</summary>
internal sealed class MqttSubscribeException : Exception
{
    /// <summary>Create for the refused filter.</summary>
    /// <param name="topicFilter">The filter.</param>
    /// <param name="reasonCode">The SUBACK code as sent (0x80 for an MQTT 3.1.1 refusal).</param>
    /// <param name="reasonString">The broker's MQTT 5 reason string, if it sent one.</param>
    public MqttSubscribeException(string topicFilter, int reasonCode = 0x80, string? reasonString = null)
        : base($"broker refused the subscription to \"{topicFilter}\" (SUBACK reason code 0x{reasonCode:X2})"
            + (string.IsNullOrEmpty(reasonString) ? "" : $": {reasonString}"))
    {
        TopicFilter = topicFilter;
        ReasonCode = reasonCode;
    }

    /// <summary>The refused topic filter.</summary>
    public string TopicFilter { get; }

    /// <summary>The SUBACK code (0x80 and up).</summary>
    public int ReasonCode { get; }
}
