using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Channel;

namespace Gateway.Host.Tests.Operator;

/// <summary>Opens real TCP channels and can close the current one without an MQTT goodbye (the gateway "dies" to the broker).</summary>
internal sealed class CuttableChannelFactory : IMqttChannelFactory
{
    private IMqttChannel? _last;

    public int Connections { get; private set; }

    public async ValueTask<IMqttChannel> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        var channel = await MqttTcpChannelFactory.Instance.ConnectAsync(options, cancellationToken);
        _last = channel;
        Connections++;
        return channel;
    }

    public async Task CutAsync()
    {
        if (_last is { } channel) await channel.DisposeAsync();
    }
}
