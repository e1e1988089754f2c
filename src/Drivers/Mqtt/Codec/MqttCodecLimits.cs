namespace Gateway.Drivers.Mqtt;

/// <summary>Size limits that follow from the MQTT 3.1.1 encoding.</summary>
public static class MqttCodecLimits
{
    /// <summary>The largest whole packet: 1 header byte, 4 length bytes and 268,435,455 body bytes.</summary>
    public const int MaxPacketSize = 1 + 4 + Codec.MqttRemainingLength.MaxValue;
}
