using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Gateway.Drivers.Mqtt;
using MqttClientConnectResultCode = MQTTnet.MqttClientConnectResultCode;
using static Gateway.Drivers.Tests.Mqtt.MqttTestSupport;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>Credentials and TLS against mosquitto with a password file and a test CA made in the test.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttAuthAndTlsTests
{
    private static MqttClientOptions With(MqttClientOptions o, int? port = null, string? user = null, string? password = null, MqttTlsOptions? tls = null) => new()
    {
        Host = o.Host, Port = port ?? o.Port, ClientId = o.ClientId, UserName = user, Password = password, Tls = tls,
        ConnectTimeout = o.ConnectTimeout, Reconnect = new MqttReconnectOptions { Enabled = false },
    };

    [Fact]
    public async Task Credentials_are_checked_and_refusals_surface_as_MqttConnectException()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSettings
        {
            Users = new Dictionary<string, string> { ["gateway"] = "s3cret" },
        });
        var options = Options(broker, UniqueId("auth"));

        await using (var good = new MqttClient(With(options, user: "gateway", password: "s3cret")))
        {
            await good.ConnectAsync();
            Assert.Equal(MqttConnectionState.Connected, good.State);
            await good.PublishAsync("auth/ok", Utf8("1"), MqttQos.AtLeastOnce, false);
        }

        await using var wrong = new MqttClient(With(options, user: "gateway", password: "wrong"));
        var refused = await Assert.ThrowsAsync<MqttConnectException>(() => wrong.ConnectAsync());
        Assert.Contains(refused.ResultCode, new[] { MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized });
        Assert.Contains("CONNACK reason code", refused.Message);
        Assert.Equal(MqttConnectionState.Disconnected, wrong.State);

        await using var anonymous = new MqttClient(With(options));
        var anonymousRefused = await Assert.ThrowsAsync<MqttConnectException>(() => anonymous.ConnectAsync());
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, anonymousRefused.ResultCode);
    }

    [Fact]
    public async Task Tls_with_the_test_ca_and_a_client_certificate_works_and_an_untrusted_ca_fails()
    {
        using var certificates = TestCertificates.Create();
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSettings { Tls = certificates, RequireClientCertificate = true });
        var (clientPem, clientKey) = certificates.WriteClientFiles(broker.Directory);
        var tls = MqttTlsOptions.FromPemFiles(Path.Combine(broker.Directory, "ca.pem"), clientPem, clientKey);
        var options = Options(broker, UniqueId("tls"));

        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using (var client = new MqttClient(With(options, port: broker.TlsPort, tls: tls)))
        {
            await client.ConnectAsync();
            await client.SubscribeAsync("tls/echo", MqttQos.AtLeastOnce, Collect(received));
            await client.PublishAsync("tls/echo", Utf8("over TLS"), MqttQos.AtLeastOnce, false);
            await Waits.UntilAsync(() => received.Count == 1, () => "TLS echo missing", TimeSpan.FromSeconds(5));
            Assert.Equal("over TLS", Text(received.Single()));
        }

        // A CA we did not trust signed nothing of the broker's: the handshake must fail on our side.
        using var strangers = TestCertificates.Create("Some Other CA");
        var untrusted = new MqttTlsOptions
        {
            TrustedCertificateAuthorities = new X509Certificate2Collection(strangers.Ca),
            ClientCertificate = tls.ClientCertificate,
        };
        await using var doubtful = new MqttClient(With(options, port: broker.TlsPort, tls: untrusted));
        var failure = await Assert.ThrowsAsync<MqttCommunicationException>(() => doubtful.ConnectAsync());
        Assert.Contains("TLS handshake", failure.Message);

        // And a broker that demands a client certificate refuses a client without one.
        await using var anonymous = new MqttClient(With(options, port: broker.TlsPort, tls: MqttTlsOptions.FromPemFiles(Path.Combine(broker.Directory, "ca.pem"))));
        await Assert.ThrowsAsync<MqttCommunicationException>(() => anonymous.ConnectAsync());
    }
}
