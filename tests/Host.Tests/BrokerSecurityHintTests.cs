using System.Net.Sockets;
using Gateway.Drivers.Mqtt;
using Gateway.Host.Cli;

namespace Gateway.Host.Tests;

/// <summary>
/// The hint at the end of a failed probe's line through a TLS broker. A TLS 1.3 broker that wants a client certificate
/// refuses it after the handshake has ended on our side, so the refusal reaches us one of two ways depending on which
/// arrives first: a closed connection, or its alert as a record that fails to decrypt. Both must name the certificate
/// (CI once saw the second and got no hint).
/// </summary>
public sealed class BrokerSecurityHintTests
{
    private static readonly MqttBrokerSecurity CaOnly = new() { CaFile = "/site/ca.pem" };

    public static TheoryData<string, Exception> BrokerRefusals => new()
    {
        { "closed connection", new MqttCommunicationException("MQTT broker 127.0.0.1:8883: connection reset", new SocketException((int)SocketError.ConnectionReset)) },
        { "end of stream", new MqttCommunicationException("MQTT broker 127.0.0.1:8883: end of stream", new EndOfStreamException()) },
        { "alert read first", new MqttCommunicationException("TLS connection with MQTT broker 127.0.0.1:8883 failed: tlsv13 alert certificate required",
            new InvalidOperationException("Error while authenticating. The decryption operation failed, see inner exception.",
                new IOException("The decryption operation failed, see inner exception.", new InvalidOperationException("SSL_ERROR_SSL, error:0A00045C:SSL routines::tlsv13 alert certificate required")))) },
    };

    [Theory]
    [MemberData(nameof(BrokerRefusals))]
    public void A_refusal_after_the_handshake_without_a_client_certificate_asks_for_one(string how, Exception error)
    {
        var hint = BrokerSecurityOptions.Hint(error, "mqtt://127.0.0.1:8883", CaOnly);
        Assert.True(hint is not null && hint.Contains("--cert FILE --key FILE", StringComparison.Ordinal), $"{how}: {hint ?? "no hint"}");
    }

    [Fact]
    public void With_a_client_certificate_given_the_same_refusal_gets_no_certificate_hint()
    {
        var withCertificate = CaOnly with { ClientCertificateFile = "/site/gw.pem", ClientKeyFile = "/site/gw.key" };
        foreach (var error in BrokerRefusals.Select(row => (Exception)row[1]))
            Assert.Null(BrokerSecurityOptions.Hint(error, "mqtt://127.0.0.1:8883", withCertificate));
    }

    [Fact]
    public void Without_TLS_a_closed_connection_is_not_about_certificates()
    {
        var reset = new MqttCommunicationException("MQTT broker 127.0.0.1:1883: connection reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)));
        Assert.Null(BrokerSecurityOptions.Hint(reset, "mqtt://127.0.0.1:1883", null));
    }
}
