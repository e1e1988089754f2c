using Gateway.Runtime.Ocpp;
using Gateway.Rigs;
using Gateway.Testing.Rigs;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>The rig's OCPP devices and its <c>ocpp:</c> section: every mistake named with its line, nothing half-loaded.</summary>
public sealed class OcppRigTests
{
    private const string Tail = RigYaml.FeederAndMarket;

    [Fact]
    public void OCPP_devices_need_a_station_URL_on_one_endpoint_and_an_OCPP_profile()
    {
        var yaml = """
            site: ocpp
            devices:
              - { id: ev-1, kind: charger, node: n1, protocol: ocpp, endpoint: "127.0.0.1:9000", profile: ocpp-charger }
              - { id: ev-2, kind: charger, node: n1, protocol: ocpp, endpoint: "ws://127.0.0.1:9000/ocpp/CP-2", profile: v2g-charger }
              - { id: ev-3, kind: charger, node: n1, protocol: ocpp, endpoint: "ws://127.0.0.1:9001/ocpp/CP-3", profile: ocpp-charger }
              - { id: ev-4, kind: charger, node: n1, protocol: ocpp, endpoint: "ws://127.0.0.1:9000/ocpp/CP-3", profile: ocpp-charger }
              - { id: ev-5, kind: charger, node: n1, protocol: modbus-tcp, endpoint: "127.0.0.1:502", profile: ocpp-charger }
            """ + "\n" + Tail;
        var text = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "ocpp.yaml")).Message;
        Assert.Contains("devices[0].endpoint: '127.0.0.1:9000' is not an OCPP station URL: write ws://HOST:PORT/ocpp/STATION-ID", text);
        Assert.Contains("profile 'v2g-charger' has no 'ocpp' part", text);
        Assert.Contains("the gateway has one OCPP endpoint", text);
        Assert.Contains("station 'CP-3' is named by two devices", text);
        Assert.Contains("profile 'ocpp-charger' has no 'modbus' part", text);
    }

    [Fact]
    public void Security_profiles_need_password_hashes_TLS_needs_wss_and_a_plain_password_is_refused()
    {
        var yaml = """
            site: ocpp
            ocpp:
              securityProfile: 1
              stations: { CP-1: "hunter2" }
            devices:
              - { id: ev-1, kind: charger, node: n1, protocol: ocpp, endpoint: "ws://127.0.0.1:9000/ocpp/CP-1", profile: ocpp-charger }
              - { id: ev-2, kind: charger, node: n1, protocol: ocpp, endpoint: "wss://127.0.0.1:9000/ocpp/CP-2", profile: ocpp-charger }
            """ + "\n" + Tail;
        var text = Assert.Throws<RigFileException>(() => RigLoader.Parse(yaml, "ocpp.yaml")).Message;
        Assert.Contains("ocpp.stations.CP-1: a password hash looks like pbkdf2-sha256$ITERATIONS$SALT$HASH", text);
        Assert.Contains("never write the password itself", text);
    }

    [Fact]
    public void A_valid_OCPP_rig_gives_each_OCPP_device_the_endpoints_security()
    {
        var hash = PasswordHash.Create("pw", 10_000);
        var yaml = $$"""
            site: ocpp
            ocpp:
              securityProfile: 1
              stations: { CP-1: "{{hash}}", CP-2: "{{hash}}" }
            devices:
              - { id: ev-1, kind: charger, node: n1, protocol: ocpp, endpoint: "ws://127.0.0.1:9000/ocpp/CP-1", profile: ocpp-charger }
              - { id: ev-2, kind: charger, node: n1, protocol: ocpp, endpoint: "ws://127.0.0.1:9000/ocpp/CP-2", profile: ocpp-charger }
            """ + "\n" + Tail;
        var rig = RigLoader.Parse(yaml, "ocpp.yaml");
        Assert.All(rig.Devices, d => Assert.Equal(1, d.Ocpp!.SecurityProfile));
        Assert.True(PasswordHash.Verify("pw", rig.Devices[0].Ocpp!.PasswordHashes["CP-1"]));
        Assert.False(PasswordHash.Verify("PW", rig.Devices[0].Ocpp!.PasswordHashes["CP-1"]));

        var missing = yaml.Replace($", CP-2: \"{hash}\"", "", StringComparison.Ordinal);
        Assert.Contains("station 'CP-2' of device 'ev-2' has no password hash", Assert.Throws<RigFileException>(() => RigLoader.Parse(missing, "ocpp.yaml")).Message);
    }
}
