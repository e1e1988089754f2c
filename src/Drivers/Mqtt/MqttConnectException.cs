using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt;

/// <summary>The broker answered CONNECT with a non-zero return code (bad credentials, not authorised, ...).</summary>
public sealed class MqttConnectException : Exception
{
    /// <summary>Create from the CONNACK return code.</summary>
    public MqttConnectException(MqttConnectReturnCode returnCode)
        : base($"broker refused the connection: CONNACK return code {(byte)returnCode} ({Describe(returnCode)})")
    {
        ReturnCode = returnCode;
    }

    /// <summary>The CONNACK return code.</summary>
    public MqttConnectReturnCode ReturnCode { get; }

    private static string Describe(MqttConnectReturnCode code) => code switch
    {
        MqttConnectReturnCode.UnacceptableProtocolVersion => "unacceptable protocol version",
        MqttConnectReturnCode.IdentifierRejected => "client identifier rejected",
        MqttConnectReturnCode.ServerUnavailable => "server unavailable",
        MqttConnectReturnCode.BadUserNameOrPassword => "bad user name or password",
        MqttConnectReturnCode.NotAuthorized => "not authorised",
        _ => "unknown return code",
    };
}
