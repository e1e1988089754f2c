using MQTTnet;

namespace Gateway.Drivers.Mqtt;

/// <summary>
/// The broker acknowledged a QoS 1/2 message with a failure reason code (MQTT 5 only, e.g. 0x87 not authorised when an ACL
/// forbids the topic; an MQTT 3.1.1 broker drops such a message silently). Resending will not help.
/// </summary>
internal sealed class MqttPublishRefusedException : Exception
{
    /// <summary>Create for the refused message.</summary>
    public MqttPublishRefusedException(string topic, MqttClientPublishReasonCode reasonCode, string? reasonString = null)
        : base($"broker refused the message to \"{topic}\" (reason code 0x{(int)reasonCode:X2}, {reasonCode})"
            + (string.IsNullOrEmpty(reasonString) ? "" : $": {reasonString}"))
    {
        Topic = topic;
        ReasonCode = reasonCode;
    }

    /// <summary>The message's topic.</summary>
    public string Topic { get; }

    /// <summary>The PUBACK/PUBREC reason code.</summary>
    public MqttClientPublishReasonCode ReasonCode { get; }
}
