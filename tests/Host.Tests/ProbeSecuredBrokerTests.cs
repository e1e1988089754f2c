using System.CommandLine;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Host.Cli;
using Gateway.Rigs;

namespace Gateway.Host.Tests;

/// <summary>
/// <c>gateway probe|scan|commission</c> through a site broker as a site runs it (a real mosquitto: private CA, client
/// certificates required, password file, the shipped ACL), with <c>--ca</c>, <c>--cert</c>, <c>--key</c>, <c>--username</c>
/// and the password from a variable or a file; and the one-line errors when something of that is missing or wrong.
/// The verbs run as the command line runs them, so their output is taken from the console: the class runs on its own.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
[Collection(ConsoleVerbCollection.Name)]
public sealed class ProbeSecuredBrokerTests(Xunit.Abstractions.ITestOutputHelper log) : IAsyncLifetime
{
    private readonly string _passwordVariable = "GW_TEST_PROBE_PASSWORD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _reports = Directory.CreateTempSubdirectory("probe-tls-").FullName;
    private SecuredMosquitto _broker = null!;
    private RigHost _host = null!;

    public async Task InitializeAsync()
    {
        _broker = await SecuredMosquitto.StartAsync();
        Environment.SetEnvironmentVariable(_passwordVariable, SecuredMosquitto.Users["gateway"]);
        var tls = $"{{ ca: \"{_broker.CaFile}\", certificate: \"{_broker.ClientCertificateFile}\", key: \"{_broker.ClientKeyFile}\" }}";
        var rig = new SimulatedRig(RigLoader.ParseSimulated($$"""
            site: probe-tls
            start: 2026-06-01T12:00:00Z
            timeScale: 1
            devices:
              - { id: ev-1, kind: charger, protocol: mqtt, endpoint: "{{_broker.Url}}", profile: mqtt-charger,
                  sim: { batteryKwh: 50, socAtArrivalPercent: 42, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5, rampKwPerSecond: 100 } }
              - { id: smes-1, kind: smes, protocol: mqtt, endpoint: "{{_broker.Url}}", profile: mqtt-smes-converter,
                  sim: { inductanceH: 40, maxCurrentA: 1200, minCurrentA: 100, initialCurrentA: 800, maxPowerKw: 50 } }
            brokers:
              - url: "{{_broker.Url}}"
                sims: { tls: {{tls}}, username: devices, passwordFile: "{{_broker.PasswordFile("devices")}}" }
            """, "probe-tls.yaml"), TimeProvider.System);
        _host = await RigHost.StartAsync(rig, mqttPublishPeriod: TimeSpan.FromMilliseconds(100));
        rig.StartClock();
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_passwordVariable, null);
        await _host.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_reports, recursive: true);
    }

    // mqtt://, not mqtts://: --ca alone says TLS.
    private string Broker => $"mqtt://127.0.0.1:{_broker.Port}";

    private string[] ClientCertificate => ["--cert", _broker.ClientCertificateFile, "--key", _broker.ClientKeyFile];

    private string[] Gateway => ["--username", "gateway", "--password-env", _passwordVariable];

    [Fact]
    public async Task Probe_reads_a_device_through_the_site_broker_with_its_CA_a_client_certificate_and_a_password_from_a_variable()
    {
        var (code, output, errors) = await Run(["probe", Broker, "--profile", "mqtt-charger", "--device", "ev-1", "--timeout", "5", "--json", "--ca", _broker.CaFile, .. ClientCertificate, .. Gateway]);
        Assert.True(code == ExitCodes.Ok, errors + output + _broker.Log);
        Assert.Equal("", errors);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("v2g/ev-1", json.RootElement.GetProperty("topicPrefix").GetString());
        var soc = json.RootElement.GetProperty("measurements").EnumerateArray().Single(m => m.GetProperty("point").GetString() == "SocPercent");
        Assert.Equal(("good", 42.0), (soc.GetProperty("quality").GetString(), soc.GetProperty("value").GetDouble()));
        Assert.DoesNotContain(SecuredMosquitto.Users["gateway"], output + errors);
    }

    [Fact]
    public async Task Scan_lists_the_devices_on_the_site_broker_with_the_password_from_a_file()
    {
        var (code, output, errors) = await Run(["scan", _broker.Url, "--listen", "2", "--json", "--ca", _broker.CaFile, .. ClientCertificate,
            "--username", "gateway", "--password-file", _broker.PasswordFile("gateway")]);
        Assert.True(code == ExitCodes.Ok, errors + output + _broker.Log);
        using var json = JsonDocument.Parse(output);
        var devices = json.RootElement.GetProperty("devices").EnumerateArray().Select(d => (d.GetProperty("profile").GetString(), d.GetProperty("device").GetString())).ToList();
        Assert.Equal([("mqtt-charger", "ev-1"), ("mqtt-smes-converter", "smes-1")], devices);
    }

    [Fact]
    public async Task Commission_verifies_a_device_read_only_through_the_site_broker()
    {
        var (code, output, errors) = await Run(["commission", Broker, "--profile", "mqtt-smes-converter", "--device", "smes-1", "--timeout", "5", "--json",
            "--report", Path.Combine(_reports, "smes-1"), "--node", "n1", "--ca", _broker.CaFile, .. ClientCertificate, .. Gateway]);
        Assert.True(code == ExitCodes.Ok, errors + output + _broker.Log);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("smes/smes-1", json.RootElement.GetProperty("topicPrefix").GetString());
        Assert.True(File.Exists(Path.Combine(_reports, "smes-1", "report.md")));

        // Ready to paste: the device under devices:, and how the gateway reaches the broker under brokers:, with the
        // password's source but never the password.
        var entry = await File.ReadAllTextAsync(Path.Combine(_reports, "smes-1", "rig-entry.yaml"));
        var broker = await File.ReadAllTextAsync(Path.Combine(_reports, "smes-1", "rig-broker.yaml"));
        Assert.DoesNotContain(SecuredMosquitto.Users["gateway"], broker);
        Assert.Contains("brokers:", await File.ReadAllTextAsync(Path.Combine(_reports, "smes-1", "report.md")));
        var rig = Field.PastedRig.Load(_reports, entry, broker);
        Assert.Equal("smes-1", Assert.Single(rig.Devices).Id);
        var (_, security) = rig.Broker(Broker);
        Assert.Equal((Path.GetFullPath(_broker.CaFile), Path.GetFullPath(_broker.ClientCertificateFile), Path.GetFullPath(_broker.ClientKeyFile), "gateway", _passwordVariable),
            (security.CaFile, security.ClientCertificateFile, security.ClientKeyFile, security.UserName, security.PasswordEnvironmentVariable));
        Assert.Empty(security.Check());
    }

    [Fact]
    public async Task Without_the_site_CA_the_probe_fails_in_one_line_naming_the_broker_and_the_certificate_problem()
    {
        var (code, output, errors) = await Run(["probe", _broker.Url, "--profile", "mqtt-charger", "--device", "ev-1", "--json", .. ClientCertificate, .. Gateway]);
        Assert.Equal(ExitCodes.Unreachable, code);
        log.WriteLine(errors);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("probe: ", line);
        Assert.Contains($"127.0.0.1:{_broker.Port}", line);
        Assert.True(line.Contains("certificate", StringComparison.Ordinal) && line.Contains("--ca", StringComparison.Ordinal), line);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(ExitCodes.Unreachable, json.RootElement.GetProperty("exitCode").GetInt32());
        Field.ProbeHostileServerTests.NoStackTrace(output + errors);
    }

    [Fact]
    public async Task Without_a_client_certificate_or_with_a_wrong_password_the_scan_fails_in_one_line()
    {
        var (code, _, errors) = await Run(["scan", Broker, "--listen", "1", "--ca", _broker.CaFile, .. Gateway]);
        Assert.Equal(ExitCodes.Unreachable, code);
        log.WriteLine(errors);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("scan: ", line);
        Assert.Contains($"127.0.0.1:{_broker.Port}", line);
        Assert.True(line.Contains("client certificate", StringComparison.Ordinal), line);

        var wrong = "GW_TEST_PROBE_WRONG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(wrong, "not-the-password");
        try
        {
            (code, _, errors) = await Run(["scan", Broker, "--listen", "1", "--ca", _broker.CaFile, .. ClientCertificate, "--username", "gateway", "--password-env", wrong]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(wrong, null);
        }
        Assert.Equal(ExitCodes.Unreachable, code);
        line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"127.0.0.1:{_broker.Port}", line);
        // mosquitto answers a wrong password with 0x87 (not authorised) over MQTT 5.
        Assert.True(line.Contains("refused the connection", StringComparison.Ordinal) && line.Contains("not authorised", StringComparison.Ordinal), line);
    }

    [Theory]
    [InlineData("probe", "--cert-only", "--cert needs --key")]
    [InlineData("scan", "--missing-ca", "--ca /nonexistent/site-ca.pem: no such file")]
    [InlineData("commission", "--ca-on-modbus", "--ca is for an MQTT broker (mqtt:// or mqtts://); 'modbus-tcp://127.0.0.1:1502' is not one")]
    [InlineData("probe", "--unset-variable", "--password-env GW_TEST_PROBE_UNSET_VARIABLE: the environment variable $GW_TEST_PROBE_UNSET_VARIABLE is not set")]
    [InlineData("scan", "--no-user", "--password-env needs --username (or a user in the URL, mqtt://USER@HOST)")]
    [InlineData("commission", "--not-a-pem", "--ca/--cert/--key: the TLS files do not load")]
    public async Task Usage_errors_exit_2_with_a_line_naming_the_option(string verb, string mistake, string line)
    {
        var notPem = Path.Combine(_reports, "not-a-ca.pem");
        await File.WriteAllTextAsync(notPem, "not a certificate\n");
        string[] options = mistake switch
        {
            "--cert-only" => [Broker, "--cert", _broker.ClientCertificateFile],
            "--missing-ca" => [Broker, "--ca", "/nonexistent/site-ca.pem"],
            "--ca-on-modbus" => ["modbus-tcp://127.0.0.1:1502", "--ca", _broker.CaFile],
            "--unset-variable" => [Broker, "--username", "gateway", "--password-env", "GW_TEST_PROBE_UNSET_VARIABLE"],
            "--no-user" => [Broker, "--password-env", _passwordVariable],
            _ => [Broker, "--ca", notPem],
        };
        string[] device = verb == "scan" || mistake == "--ca-on-modbus" ? [] : ["--profile", "mqtt-charger", "--device", "ev-1"];
        var (code, output, errors) = await Run([verb, .. options, .. device, "--json"]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{verb}: {line}", errors);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(ExitCodes.BadInput, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Contains(line, json.RootElement.GetProperty("error").GetString());
        Field.ProbeHostileServerTests.NoStackTrace(output + errors);
    }

    private static async Task<(int Code, string Out, string Err)> Run(string[] args)
    {
        var root = new RootCommand { ProbeVerb.Create(), ScanVerb.Create(), CommissionVerb.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = await root.Parse(args).InvokeAsync();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
        }
    }
}

/// <summary>Tests that run a verb as the command line does and read its console: alone, so no other test writes to it meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleVerbCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "console verbs";
}
