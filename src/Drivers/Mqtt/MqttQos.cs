namespace Gateway.Drivers.Mqtt;

/// <summary>Quality of service of a publication or subscription.</summary>
public enum MqttQos : byte
{
    /// <summary>At most once: fire and forget.</summary>
    AtMostOnce = 0,
    /// <summary>At least once: kept by the sender until PUBACK; may arrive more than once.</summary>
    AtLeastOnce = 1,
    /// <summary>Exactly once: the PUBLISH/PUBREC/PUBREL/PUBCOMP handshake.</summary>
    ExactlyOnce = 2,
}
