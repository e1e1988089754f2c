using Gateway.Runtime.Operator;
using Gateway.Rigs;
using Gateway.Runtime.Worker;

namespace Gateway.Host.Tests.Rigs;

/// <summary>The operator and broker parts of a rig: what is refused, and what a good one becomes.</summary>
public sealed class RigOperatorSecurityTests
{
    private const string Base = """
        site: s1
        devices:
          - { id: ev-1, kind: charger, node: n1, protocol: modbus-tcp, endpoint: "127.0.0.1:1502", profile: v2g-charger }
        feeder: { root: n0, nodes: [ { id: n0 }, { id: n1 } ], lines: [ { id: L1, from: n0, to: n1, limitKw: 10 } ] }
        market: { intervalMinutes: 15, gridPrices: [ { from: "00:00", pricePerKwh: 0.5 } ], feedInPricePerKwh: 0.3 }

        """;

    private static string Problems(string operatorPart)
    {
        var e = Assert.Throws<RigFileException>(() => RigLoader.Parse(Base + operatorPart, "op.yaml"));
        return e.Message;
    }

    /// <summary>Issue #13: "dashboard: 0.0.0.0:18090" was accepted and silently bound 127.0.0.1.</summary>
    [Fact]
    public void A_dashboard_beyond_loopback_without_TLS_and_credentials_is_refused()
    {
        var text = Problems("operator:\n  dashboard: 0.0.0.0:18090\n");
        Assert.Contains("operator.dashboard: '0.0.0.0:18090' is not a loopback address: a dashboard reachable from the network needs HTTPS", text);
    }

    [Fact]
    public void A_dashboard_beyond_loopback_with_TLS_and_a_token_binds_that_address()
    {
        using var certificates = TestCertificates.Create();
        var dir = Directory.CreateTempSubdirectory("rig-tls-").FullName;
        certificates.WriteBrokerFiles(dir);
        var rig = RigLoader.Parse(Base + $$"""
            operator:
              dashboard: 0.0.0.0:18090
              dashboardTls: { certificate: "{{dir}}/server.pem", key: "{{dir}}/server.key" }
              dashboardHosts: [ gateway.site.example ]
              auth: { tokens: [ { operator: ops, sha256: "{{OperatorCredentials.TokenHash("x-token-0123456789abcdef")["sha256:".Length..]}}" } ] }
            """, "op.yaml");
        var options = GatewayRuntime.DashboardOptionsOf(rig.Operator);
        Assert.Equal(System.Net.IPAddress.Any, options.Address);
        Assert.Equal(18090, options.Port);
        Assert.False(options.IsLoopback);
        Assert.Equal($"{dir}/server.pem", options.CertificatePath);
        Assert.Equal(["gateway.site.example"], options.AllowedHosts);
        Assert.Equal("ops", options.Credentials.Authenticate("Bearer x-token-0123456789abcdef"));
        options.Validate();
    }

    [Fact]
    public void Require_ack_without_anyone_who_can_acknowledge_is_refused()
    {
        Assert.Contains("requireAck needs someone who can acknowledge", Problems("operator:\n  dashboard: 127.0.0.1:0\n  requireAck: true\n"));
    }

    [Fact]
    public void Bad_credentials_are_named_without_their_secret()
    {
        var variable = "GW_TEST_TOKENS_" + Guid.NewGuid().ToString("N")[..6];
        var text = Problems($"operator:\n  auth:\n    tokens: [ {{ operator: a, sha256: nothex }} ]\n    users: [ {{ name: b, passwordHash: plain-password }} ]\n    tokensEnv: {variable}\n");
        Assert.Contains("token of 'a': expected sha256:<64 hex digits>", text);
        Assert.Contains("user 'b': the password hash is not pbkdf2-sha256", text);
        Assert.Contains($"${variable} is not set", text);
        Assert.DoesNotContain("plain-password", text);
    }

    [Fact]
    public void Tokens_and_users_from_environment_variables()
    {
        var tokens = "GW_TEST_TOKENS_" + Guid.NewGuid().ToString("N")[..6];
        var users = "GW_TEST_USERS_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(tokens, "scada=token-for-the-scada-0001;night=token-for-night-shift-02");
        Environment.SetEnvironmentVariable(users, "j.ortega=" + OperatorCredentials.HashPassword("a long passphrase", 20_000));
        try
        {
            var rig = RigLoader.Parse(Base + $"operator:\n  dashboard: 127.0.0.1:0\n  requireAck: true\n  auth: {{ tokensEnv: {tokens}, usersEnv: {users} }}\n", "op.yaml");
            var c = rig.Operator.Credentials;
            Assert.Equal("scada", c.Authenticate("Bearer token-for-the-scada-0001"));
            Assert.Equal("night", c.Authenticate("Bearer token-for-night-shift-02"));
            Assert.Null(c.Authenticate("Bearer token-for-the-scada-0002"));
            Assert.Equal("j.ortega", c.Authenticate("Basic " + Convert.ToBase64String("j.ortega:a long passphrase"u8.ToArray())));
            Assert.Null(c.Authenticate("Basic " + Convert.ToBase64String("j.ortega:a long passphrasE"u8.ToArray())));
        }
        finally
        {
            Environment.SetEnvironmentVariable(tokens, null);
            Environment.SetEnvironmentVariable(users, null);
        }
    }

    [Fact]
    public void Brokers_take_tls_files_and_a_password_source_but_never_a_password()
    {
        var text = Problems("""
            brokers:
              - url: "mqtts://gateway:secret-in-url@127.0.0.1:8883"
              - url: "mqtts://10.0.0.9:8883"
                tls: { ca: /nonexistent/ca.pem, certificate: /nonexistent/gw.pem }
                passwordFile: /nonexistent/pw
            """);
        Assert.Contains("write no password in a rig", text);
        Assert.Contains("file '/nonexistent/ca.pem' not found", text);
        Assert.Contains("a client certificate needs its key", text);
        Assert.Contains("a password needs a username", text);
        Assert.DoesNotContain("secret-in-url", text);
    }

    [Fact]
    public void A_device_on_a_listed_broker_gets_its_security_and_an_mqtts_endpoint_keeps_tls()
    {
        var dir = Directory.CreateTempSubdirectory("rig-broker-").FullName;
        File.WriteAllText(Path.Combine(dir, "pw"), "pw\n");
        var rig = RigLoader.Parse(Base.Replace("""protocol: modbus-tcp, endpoint: "127.0.0.1:1502", profile: v2g-charger""", """protocol: mqtt, endpoint: "mqtts://127.0.0.1:8883", profile: mqtt-charger""") + $$"""
            brokers:
              - url: "mqtts://127.0.0.1:8883"
                username: gateway
                passwordFile: "{{dir}}/pw"
            operator:
              mqtt: "mqtt://ops:pw@127.0.0.1:1883"
            """, Path.Combine(dir, "rig.yaml"));
        var (address, security) = rig.Broker(rig.Devices[0].Endpoint);
        Assert.Equal(("127.0.0.1", 8883, true), (address.Host, address.Port, address.UseTls));
        Assert.Equal(("gateway", $"{dir}/pw"), (security.UserName, security.PasswordFile));
        Assert.True(security.UsesTls);
        var (op, opSecurity) = rig.Broker(rig.Operator.MqttBroker!);
        Assert.Equal("mqtt://127.0.0.1:1883", op.ToString());
        Assert.Equal(("ops", "pw"), (opSecurity.UserName, opSecurity.Password));
        Assert.Equal("user ops, password from the address", opSecurity.Describe());
    }
}
