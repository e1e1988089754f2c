using MQTTnet;

namespace Gateway.Drivers.Mqtt;

/// <summary>The broker refused the connection: CONNACK with a failure code (bad credentials, not authorised, ...).</summary>
public sealed class MqttConnectException : Exception
{
    /// <summary>Create from the CONNACK code (an MQTT 3.1.1 return code arrives as its MQTT 5 reason code).</summary>
    /// <param name="resultCode">The code.</param>
    /// <param name="reasonString">The broker's MQTT 5 reason string, if it sent one.</param>
    public MqttConnectException(MqttClientConnectResultCode resultCode, string? reasonString = null)
        : base($"broker refused the connection: CONNACK reason code 0x{(int)resultCode:X2} ({Describe(resultCode)})"
            + (string.IsNullOrEmpty(reasonString) ? "" : $": {reasonString}"))
    {
        ResultCode = resultCode;
    }

    /// <summary>The CONNACK code.</summary>
    public MqttClientConnectResultCode ResultCode { get; }

    /// <summary>Whether trying again later may succeed (the broker is busy or unavailable, not refusing us).</summary>
    public bool IsTransient => ResultCode is MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy
        or MqttClientConnectResultCode.QuotaExceeded or MqttClientConnectResultCode.ConnectionRateExceeded;

    private static string Describe(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.UnsupportedProtocolVersion => "unacceptable protocol version",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "client identifier rejected",
        MqttClientConnectResultCode.ServerUnavailable => "server unavailable",
        MqttClientConnectResultCode.ServerBusy => "server busy",
        MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password",
        MqttClientConnectResultCode.NotAuthorized => "not authorised",
        MqttClientConnectResultCode.Banned => "banned",
        MqttClientConnectResultCode.BadAuthenticationMethod => "bad authentication method",
        MqttClientConnectResultCode.QuotaExceeded => "quota exceeded",
        MqttClientConnectResultCode.ConnectionRateExceeded => "connection rate exceeded",
        _ => code.ToString(),
    };
}
