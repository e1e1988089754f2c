using Gateway.Rigs;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Ocpp;
using Gateway.Runtime.Ocpp;
using Gateway.Testing;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// Charging stations built on each of two OCPP-J implementations independent of ours, ocpp-rpc and ocpp-ws-io (in strict mode,
/// so they check our CALLs and answers against the official schemas too), connect to the gateway's endpoint; the gateway's OCPP charger driver reads them and
/// sends them setpoints. Everything on 127.0.0.1, on free ports; the station's clock is the wall clock, so is the driver's.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Node)]
public sealed class OcppStationInteropTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ocpp-interop-").FullName;
    private readonly AsyncCleanup _cleanup = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cleanup.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task An_OCPP_2_1_station_boots_authorises_transacts_reports_takes_V2X_setpoints_and_falls_back_when_the_profile_expires(string library)
    {
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions { Stations = new HashSet<string> { "CP-21" } });
        var station = StartStation(library, endpoint, "CP-21", "ocpp2.1");
        Assert.Equal("ocpp2.1", (await station.WaitForAsync("connected")).GetProperty("protocol").GetString());
        Assert.Equal("Accepted", (await station.WaitForAsync("booted")).GetProperty("status").GetString());
        Assert.Equal("Accepted", (await station.WaitForAsync("authorized")).GetProperty("status").GetString());
        Assert.Equal("Accepted", (await station.WaitForAsync("needs")).GetProperty("status").GetString());
        await station.WaitForAsync("ready");
        var driver = new OcppChargerDriver(endpoint.Registry.Find("CP-21")!, ShortValidityProfile());

        var reading = await driver.ReadAsync();
        Assert.Equal(0, Good(reading, PointRole.MeasuredPower));       // the station's fallback: 0 W without a profile
        Assert.Equal(40, Good(reading, PointRole.StateOfCharge));
        Assert.Equal(60, Good(reading, PointRole.BatteryCapacity));
        Assert.Equal(80, Good(reading, PointRole.TargetStateOfCharge));
        Assert.InRange(Good(reading, PointRole.TimeToDeparture), 235, 240);
        Assert.Equal(-11, Good(reading, PointRole.MinPower));
        Assert.Equal(11, Good(reading, PointRole.MaxPower));
        Assert.Equal("paused", reading.Find(PointRole.PlugState)!.Text);      // SuspendedEVSE: its fallback limit is 0 W
        Assert.True(Good(reading, PointRole.EnergyImported) > 0.99);

        // Charge at 7 kW: a TxProfile for the running transaction, OCPP-signed (charging positive), read back as Power.Active.Setpoint.
        var charge = await driver.WriteSetpointAsync(-7, TimeSpan.FromSeconds(60));
        Assert.True(charge.Confirmed, $"read back {charge.ReadBackValue}");
        Assert.Equal(-7, charge.ReadBackValue);
        var sent = station.Seen.Last(e => e.GetProperty("event").GetString() == "profile");
        Assert.Equal("TxProfile", sent.GetProperty("purpose").GetString());
        Assert.Equal(7000, sent.GetProperty("setpointW").GetDouble());
        Assert.Equal(7000, sent.GetProperty("limitW").GetDouble());
        Assert.Equal("CentralSetpoint", sent.GetProperty("operationMode").GetString());
        Assert.InRange(DateTimeOffset.Parse(sent.GetProperty("validTo").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow,
            TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
        Assert.Equal(-7, Good(await driver.ReadAsync(), PointRole.MeasuredPower));

        // Discharge 5 kW to the grid (V2X over 2.1): a negative OCPP setpoint with the matching discharge limit.
        var discharge = await driver.WriteSetpointAsync(5, TimeSpan.FromSeconds(60));
        Assert.True(discharge.Confirmed);
        sent = station.Seen.Last(e => e.GetProperty("event").GetString() == "profile");
        Assert.Equal(-5000, sent.GetProperty("setpointW").GetDouble());
        Assert.Equal(-5000, sent.GetProperty("dischargeLimitW").GetDouble());
        Assert.Equal(0, sent.GetProperty("limitW").GetDouble());
        reading = await driver.ReadAsync();
        Assert.Equal(5, Good(reading, PointRole.MeasuredPower));
        Assert.Equal("discharging", reading.Find(PointRole.PlugState)!.Text);

        // Beyond what the vehicle offers: clamped to its 11 kW.
        var tooMuch = await driver.WriteSetpointAsync(30, TimeSpan.FromSeconds(60));
        Assert.Equal(11, tooMuch.TargetKw);
        Assert.Equal("device limit MaxPowerKw", tooMuch.ClampedBy);

        // The gateway goes quiet: the profile's validTo passes and the station falls back by itself.
        var brief = await driver.WriteSetpointAsync(-3, TimeSpan.FromSeconds(1));
        Assert.True(brief.Confirmed);
        await station.WaitForAsync("expired", TimeSpan.FromSeconds(10));
        await station.WaitForAsync("meter", where: e => e.GetProperty("powerW").GetDouble() == 0);
        await station.SendAsync("meter");
        await station.WaitForAsync("meter");
        Assert.Equal(0, Good(await driver.ReadAsync(), PointRole.MeasuredPower));

        // Isolation clears the gateway's profile.
        Assert.True((await driver.WriteSetpointAsync(-2, TimeSpan.FromSeconds(60))).Confirmed);
        Assert.Equal("Accepted", await driver.ClearAsync());
        await station.WaitForAsync("cleared");
        Assert.DoesNotContain(station.Seen, e => e.GetProperty("event").GetString() is "strictValidationFailure" or "badMessage" or "error");
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task An_OCPP_2_0_1_station_takes_charging_limits_only_so_it_is_a_buyer(string library)
    {
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions { Stations = new HashSet<string> { "CP-201" } });
        var station = StartStation(library, endpoint, "CP-201", "ocpp2.0.1");
        await station.WaitForAsync("ready");
        var driver = new OcppChargerDriver(endpoint.Registry.Find("CP-201")!, ShortValidityProfile());

        var reading = await driver.ReadAsync();
        Assert.Equal(0, Good(reading, PointRole.MaxPower));
        Assert.Equal(-11, Good(reading, PointRole.MinPower));
        Assert.Equal(80, Good(reading, PointRole.TargetStateOfCharge));   // 2.0.1: the vehicle's fullSoC

        var sell = await driver.WriteSetpointAsync(5, TimeSpan.FromSeconds(60));
        Assert.Equal(0, sell.TargetKw);
        Assert.True(sell.Confirmed);
        var sent = station.Seen.Last(e => e.GetProperty("event").GetString() == "profile");
        Assert.Equal(0, sent.GetProperty("limitW").GetDouble());
        Assert.False(sent.TryGetProperty("setpointW", out _));

        var buy = await driver.WriteSetpointAsync(-4.2, TimeSpan.FromSeconds(60));
        Assert.True(buy.Confirmed, $"read back {buy.ReadBackValue}");
        Assert.Equal(-4.2, buy.ReadBackValue);
        Assert.Equal(4200, station.Seen.Last(e => e.GetProperty("event").GetString() == "profile").GetProperty("limitW").GetDouble());
        Assert.Equal(-4.2, Good(await driver.ReadAsync(), PointRole.MeasuredPower));
        Assert.DoesNotContain(station.Seen, e => e.GetProperty("event").GetString() is "strictValidationFailure" or "badMessage" or "error");
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task A_TxProfile_for_a_transaction_that_ended_is_refused_by_the_station_and_reported_as_a_rejection(string library)
    {
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions { Stations = new HashSet<string> { "CP-9" } });
        var station = StartStation(library, endpoint, "CP-9", "ocpp2.1");
        await station.WaitForAsync("ready");
        var driver = new OcppChargerDriver(endpoint.Registry.Find("CP-9")!, ShortValidityProfile());
        await driver.ReadAsync();
        await station.SendAsync("unplug");
        await station.WaitForAsync("unplugged");

        // Without a vehicle the bounds are 0 kW, and the profile goes to the EVSE's default (no transaction to bind it to).
        var reading = await driver.ReadAsync();
        Assert.Equal("disconnected", reading.Find(PointRole.PlugState)!.Text);
        Assert.Equal(MeasurementQuality.Absent, reading.Find(PointRole.StateOfCharge)!.Quality);
        var result = await driver.WriteSetpointAsync(-7, TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.TargetKw);
        Assert.Equal("TxDefaultProfile", station.Seen.Last(e => e.GetProperty("event").GetString() == "profile").GetProperty("purpose").GetString());
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task Security_profile_1_admits_a_station_with_its_password_and_refuses_a_wrong_one_and_an_unknown_station(string library)
    {
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions
        {
            SecurityProfile = 1,
            Stations = new HashSet<string> { "CP-A" },
            PasswordHashes = new Dictionary<string, string> { ["CP-A"] = PasswordHash.Create("correct horse battery", 10_000) },
        });
        var good = StartStation(library, endpoint, "CP-A", "ocpp2.0.1", password: "correct horse battery", noEv: true);
        await good.WaitForAsync("ready");
        var wrong = StartStation(library, endpoint, "CP-A", "ocpp2.0.1", password: "wrong", noEv: true);
        Assert.Contains("401", (await wrong.WaitForAsync("failed")).ToString());
        var none = StartStation(library, endpoint, "CP-A", "ocpp2.0.1", noEv: true);
        Assert.Contains("401", (await none.WaitForAsync("failed")).ToString());
        var stranger = StartStation(library, endpoint, "CP-X", "ocpp2.0.1", password: "correct horse battery", noEv: true);
        Assert.Contains("404", (await stranger.WaitForAsync("failed")).ToString());
        Assert.Equal(3, endpoint.Refused);
        Assert.NotNull(endpoint.Registry.Find("CP-A")!.Connection);
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task Security_profile_2_serves_TLS_with_the_gateways_certificate_and_Basic_auth(string library)
    {
        using var certificates = TestCertificates.Create("OCPP Test CA");
        certificates.WriteBrokerFiles(_dir);
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions
        {
            SecurityProfile = 2,
            CertificatePath = Path.Combine(_dir, "server.pem"),
            KeyPath = Path.Combine(_dir, "server.key"),
            Stations = new HashSet<string> { "CP-T" },
            PasswordHashes = new Dictionary<string, string> { ["CP-T"] = PasswordHash.Create("tls-secret", 10_000) },
        });
        Assert.Equal("wss", endpoint.Url.Scheme);
        var station = StartStation(library, endpoint, "CP-T", "ocpp2.1", password: "tls-secret", caFile: Path.Combine(_dir, "ca.pem"));
        await station.WaitForAsync("ready");
        var driver = new OcppChargerDriver(endpoint.Registry.Find("CP-T")!, ShortValidityProfile());
        Assert.True((await driver.WriteSetpointAsync(-6, TimeSpan.FromSeconds(60))).Confirmed);

        // A station that does not trust the gateway's certificate never gets through.
        var untrusting = StartStation(library, endpoint, "CP-T", "ocpp2.1", password: "tls-secret");
        Assert.Matches("certificate|self.signed|issuer", (await untrusting.WaitForAsync("failed")).ToString());
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task A_station_that_offers_no_subprotocol_the_gateway_speaks_is_refused_before_the_upgrade(string library)
    {
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions { Stations = new HashSet<string> { "CP-16" } });
        var old = StartStation(library, endpoint, "CP-16", "ocpp1.6", noEv: true);
        Assert.Contains("400", (await old.WaitForAsync("failed")).ToString());
        Assert.Null(endpoint.Registry.Find("CP-16"));
    }

    [Fact]
    public async Task Malformed_and_unknown_messages_get_the_CALLERROR_the_spec_names_and_the_session_goes_on()
    {
        var endpoint = await StartEndpointAsync(new OcppEndpointOptions { Stations = new HashSet<string> { "CP-RAW" } });
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("ocpp2.0.1");
        await socket.ConnectAsync(new Uri(endpoint.Url, "CP-RAW"), CancellationToken.None);
        Assert.Equal("ocpp2.0.1", socket.SubProtocol);

        async Task<JsonElement> Exchange(string frame)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[8192];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            return JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone();
        }

        var notJson = await Exchange("{{{ not json");
        Assert.Equal([4, "-1", "RpcFrameworkError"], new object[] { notJson[0].GetInt32(), notJson[1].GetString()!, notJson[2].GetString()! });
        var missing = await Exchange("""[2,"m1","BootNotification",{"reason":"PowerUp"}]""");
        Assert.Equal(("m1", "OccurrenceConstraintViolation"), (missing[1].GetString(), missing[2].GetString()));
        var wrongType = await Exchange("""[2,"m2","Heartbeat",[]]""");
        Assert.Equal(("m2", "FormatViolation"), (wrongType[1].GetString(), wrongType[2].GetString()));
        var badEnum = await Exchange("""[2,"m3","StatusNotification",{"timestamp":"2026-12-03T10:00:00Z","connectorStatus":"Exploded","evseId":1,"connectorId":1}]""");
        Assert.Equal(("m3", "PropertyConstraintViolation"), (badEnum[1].GetString(), badEnum[2].GetString()));
        var typed = await Exchange("""[2,"m4","MeterValues",{"evseId":"one","meterValue":[]}]""");
        Assert.Equal("m4", typed[1].GetString());
        Assert.Contains(typed[2].GetString(), new[] { "TypeConstraintViolation", "OccurrenceConstraintViolation" });
        var unknown = await Exchange("""[2,"m5","OpenThePodBayDoors",{}]""");
        Assert.Equal(("m5", "NotSupported"), (unknown[1].GetString(), unknown[2].GetString()));
        var notHandled = await Exchange("""[2,"m6","Get15118EVCertificate",{"iso15118SchemaVersion":"urn:iso:15118:2:2013:MsgDef","action":"Install","exiRequest":"AAAA"}]""");
        Assert.Equal(("m6", "NotImplemented"), (notHandled[1].GetString(), notHandled[2].GetString()));
        var badType = await Exchange("""[9,"m7","Heartbeat",{}]""");
        Assert.Equal(("m7", "MessageTypeNotSupported"), (badType[1].GetString(), badType[2].GetString()));
        var longId = await Exchange($"""[2,"{new string('x', 37)}","Heartbeat",{"{}"}]""");
        Assert.Equal(("-1", "RpcFrameworkError"), (longId[1].GetString(), longId[2].GetString()));

        // After all that, the session still works.
        var heartbeat = await Exchange("""[2,"m8","Heartbeat",{}]""");
        Assert.Equal(3, heartbeat[0].GetInt32());
        Assert.Equal("m8", heartbeat[1].GetString());
        Assert.True(heartbeat[2].TryGetProperty("currentTime", out _));
        Assert.Equal(8, endpoint.Registry.Find("CP-RAW")!.Connection!.RejectedFrames);
    }

    private async Task<OcppEndpoint> StartEndpointAsync(OcppEndpointOptions options)
    {
        var endpoint = new OcppEndpoint(new OcppStationRegistry(), options);
        _cleanup.Add(endpoint);
        await endpoint.StartAsync();
        return endpoint;
    }

    private NodeOcppPeer StartStation(string library, OcppEndpoint endpoint, string id, string protocol, string? password = null, bool noEv = false, string? caFile = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["OCPP_URL"] = endpoint.Url.ToString().TrimEnd('/'),
            ["STATION_ID"] = id,
            ["OCPP_PROTOCOL"] = protocol,
            ["METER_MS"] = "400",
        };
        if (password is not null) environment["STATION_PASSWORD"] = password;
        if (noEv) environment["NO_EV"] = "1";
        if (caFile is not null) environment["NODE_EXTRA_CA_CERTS"] = caFile;
        var station = NodeOcppPeer.Start("station.js", environment, library);
        _cleanup.Add(station);
        return station;
    }

    // The shipped profile with a validity that may be as short as 1 s, so the fallback shows within a test.
    private DeviceProfile ShortValidityProfile()
    {
        var source = Path.Combine(NodeOcppPeer.InteropDirectory, "..", "..", "..", "..", "src", "Drivers", "Profiles", "ocpp-charger.yaml");
        var path = Path.Combine(_dir, "ocpp-charger-short.yaml");
        File.WriteAllText(path, File.ReadAllText(source).Replace("limits: { min: 10, max: 600 }", "limits: { min: 1, max: 600 }", StringComparison.Ordinal)
            .Replace("name: ocpp-charger", "name: ocpp-charger-short", StringComparison.Ordinal));
        return ProfileLoader.Load(path);
    }

    private static double Good(DeviceReading reading, PointRole role)
    {
        Assert.True(reading.TryGetGood(role, out var value), $"{role}: {reading.Find(role)}");
        return value;
    }
}
