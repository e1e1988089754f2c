using System.Diagnostics;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Tests.Mqtt;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>
/// Listing the MQTT devices on a real mosquitto: telemetry published with mosquitto_pub under the shipped topic maps
/// shows up per profile and device id (escaped ids unescaped), retained-only devices are flagged, other traffic is not
/// taken for a device.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttDeviceDiscoveryTests
{
    [Fact]
    public async Task Devices_publishing_under_the_shipped_topic_maps_are_listed_per_profile()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // Published before anyone listens: only the retained one stays for the discovery to see.
        await MosquittoCli.PubAsync(broker, "meter/m-old/telemetry", """{"power":{"w":100}}""", retain: true);
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "discover" });
        await using var connection = new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{broker.Port}");
        var profiles = ProfileLoader.ShippedProfileNames().Select(ProfileLoader.Load).ToList();
        await using var discovery = new MqttDeviceDiscovery(connection, profiles);
        await discovery.StartAsync();

        await MosquittoCli.PubAsync(broker, "v2g/ev-7/state", """{"power":{"w":0}}""");
        await MosquittoCli.PubAsync(broker, "v2g/ev-7/energy", """{"importedWh":1}""");
        await MosquittoCli.PubAsync(broker, "v2g/ev-7/state", """{"power":{"w":10}}""");
        await MosquittoCli.PubAsync(broker, "pv/roof%2F1/telemetry", """{"power":{"w":900}}""");
        await MosquittoCli.PubAsync(broker, "v2g/ev-8/setpoint/set", """{"id":"x"}""");   // a command, not telemetry
        await MosquittoCli.PubAsync(broker, "v2g/a/b/state", "{}");                         // one level too many

        var watch = Stopwatch.StartNew();
        IReadOnlyList<MqttDeviceSighting> devices;
        while ((devices = discovery.Devices()).Sum(d => d.Messages) < 5)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"only {devices.Sum(d => d.Messages)} of 5 telemetry messages seen");
            await Task.Delay(20);
        }
        Assert.Equal([("mqtt-charger", "ev-7"), ("mqtt-meter", "m-old"), ("mqtt-pv-inverter", "roof/1")], devices.Select(d => (d.Profile, d.DeviceId)));
        var ev = devices[0];
        Assert.Equal(("v2g/ev-7", 3, false), (ev.TopicPrefix, ev.Messages, ev.RetainedOnly));
        Assert.Equal(["v2g/ev-7/energy", "v2g/ev-7/state"], ev.Topics);
        Assert.True(devices[1].RetainedOnly);
        Assert.Equal("pv/roof%2F1", devices[2].TopicPrefix);
        Assert.Empty(discovery.RefusedFilters);
    }

    [Theory]
    [InlineData("roof/1")]
    [InlineData("a+b#c%d")]
    [InlineData("plain")]
    public void Escaped_ids_come_back_unchanged(string id) => Assert.Equal(id, MqttTopicLevel.Unescape(MqttTopicLevel.Escape(id)));
}
