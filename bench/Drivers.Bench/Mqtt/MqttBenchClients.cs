using MQTTnet.Formatter;

namespace Gateway.Bench.Mqtt;

/// <summary>The clients the bench knows, by the name given to <c>--clients</c>.</summary>
internal static class MqttBenchClients
{
    public static readonly string[] Names = ["gateway", "mqttnet5", "mqttnet311", "mosquitto"];

    public static IMqttBenchClient? Create(string name) => name switch
    {
        "gateway" => new GatewayMqttBenchClient(),
        "mqttnet5" => new MqttNetBenchClient(MqttProtocolVersion.V500),
        "mqttnet311" => new MqttNetBenchClient(MqttProtocolVersion.V311),
        "mosquitto" => new MosquittoCliBenchClient(),
        _ => null,
    };
}
