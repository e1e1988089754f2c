namespace Gateway.Drivers.Mqtt;

/// <summary>SUBACK return codes (MQTT 3.1.1 §3.9.3; an MQTT 5 failure reason code arrives as Failure).</summary>
public enum MqttSubscribeReturnCode : byte
{
    /// <summary>Success, granted QoS 0.</summary>
    GrantedQos0 = 0x00,
    /// <summary>Success, granted QoS 1.</summary>
    GrantedQos1 = 0x01,
    /// <summary>Success, granted QoS 2.</summary>
    GrantedQos2 = 0x02,
    /// <summary>The broker refused the subscription.</summary>
    Failure = 0x80,
}
