using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Mqtt;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// Reads a rig's <c>brokers:</c>: each broker's address, how the gateway reaches it and, on a simulated rig, how the simulated
/// devices reach it (its <c>sims:</c> part). Both are the one security block — <c>tls: {ca, certificate, key, serverName}</c>,
/// <c>username</c>, <c>passwordEnv</c> or <c>passwordFile</c> — read by <see cref="ReadSecurity"/> with one set of rules.
/// </summary>
internal static class RigBrokerReader
{
    private static readonly string[] SecurityKeys = ["tls", "username", "passwordEnv", "passwordFile"];

    /// <summary>
    /// The brokers as the gateway reaches them (when <paramref name="forGateway"/>) and as the simulated devices do (when
    /// <paramref name="simulated"/>); each problem goes to <paramref name="reader"/>.
    /// </summary>
    public static (List<RigBroker> Gateway, List<SimBroker> Simulators) Read(YamlFieldReader reader, YamlMappingNode root, string baseDir, bool forGateway, bool simulated)
    {
        var brokers = new List<RigBroker>();
        var simBrokers = new List<SimBroker>();
        var items = reader.Sequence(root, "brokers", "", required: false);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"brokers[{i}]";
            if (items[i] is not YamlMappingNode b) { reader.Problem(items[i], path, "must be a mapping with url and its security (tls, username, passwordEnv or passwordFile)"); continue; }
            // The rest of the entry is the gateway's: a read for the simulators only looks at the url and the sims: part.
            if (forGateway) reader.RejectUnknownKeys(b, path, [.. SecurityKeys, "url", "sims"]);
            var url = reader.String(b, "url", path);
            MqttBrokerAddress? address = null;
            if (url is not null && !MqttBrokerAddress.TryParse(url, out address, out var error))
                reader.Problem(YamlFieldReader.Child(b, "url"), path + ".url", error);
            if (forGateway && address?.Password is not null)
                reader.Problem(YamlFieldReader.Child(b, "url"), path + ".url", "write no password in a rig: use passwordEnv or passwordFile");

            var gateway = forGateway ? ReadSecurity(reader, b, path, baseDir) : null;
            var sims = new MqttBrokerSecurity();
            if (simulated && YamlFieldReader.Child(b, "sims") is not null)
            {
                var block = reader.Mapping(b, "sims", path);
                if (block is not null) reader.RejectUnknownKeys(block, path + ".sims", SecurityKeys);
                sims = block is null ? null : ReadSecurity(reader, block, path + ".sims", baseDir);
            }
            if (address is null) continue;
            if (simulated && sims is not null) simBrokers.Add(new SimBroker(address.WithoutCredentials(), sims with { Tls = sims.Tls || address.UseTls }));
            if (!forGateway || gateway is null) continue;
            if (brokers.Any(x => x.Address.WithoutCredentials() == address.WithoutCredentials()))
            {
                reader.Problem(b, path + ".url", $"broker {address} is listed twice");
                continue;
            }
            brokers.Add(new RigBroker(address.WithoutCredentials(), gateway with { Tls = gateway.Tls || address.UseTls, UserName = gateway.UserName ?? address.UserName }));
        }
        return (brokers, simBrokers);
    }

    /// <summary>
    /// The security block under <paramref name="block"/> (a broker entry, or its <c>sims:</c> part); null when it has a problem.
    /// Besides its shape, what the client would refuse when it connects is refused here, while the rig is read: a file that is
    /// missing or does not load, an unset password variable, an empty password file.
    /// </summary>
    private static MqttBrokerSecurity? ReadSecurity(YamlFieldReader reader, YamlMappingNode block, string path, string baseDir)
    {
        var before = reader.Problems.Count;
        string? ca = null, cert = null, key = null, serverName = null;
        var tls = false;
        if (reader.Mapping(block, "tls", path, required: false) is { } t)
        {
            tls = true;
            var tp = path + ".tls";
            reader.RejectUnknownKeys(t, tp, "ca", "certificate", "key", "serverName");
            ca = reader.String(t, "ca", tp, required: false);
            cert = reader.String(t, "certificate", tp, required: false);
            key = reader.String(t, "key", tp, required: false);
            serverName = reader.String(t, "serverName", tp, required: false);
            foreach (var (k, v) in new[] { ("ca", ca), ("certificate", cert), ("key", key) })
                if (v is not null && !File.Exists(RigLoader.Resolve(baseDir, v))) reader.Problem(YamlFieldReader.Child(t, k), $"{tp}.{k}", $"file '{v}' not found");
            if (cert is null != key is null) reader.Problem(t, tp, "a client certificate needs its key (certificate and key together)");
        }
        var user = reader.String(block, "username", path, required: false);
        var passwordEnv = reader.String(block, "passwordEnv", path, required: false);
        var passwordFile = reader.String(block, "passwordFile", path, required: false);
        if (passwordEnv is not null && passwordFile is not null) reader.Problem(block, path, "give passwordEnv or passwordFile, not both");
        if ((passwordEnv ?? passwordFile) is not null && user is null) reader.Problem(block, path, "a password needs a username");
        if (passwordFile is not null && !File.Exists(RigLoader.Resolve(baseDir, passwordFile)))
            reader.Problem(YamlFieldReader.Child(block, "passwordFile"), path + ".passwordFile", $"file '{passwordFile}' not found");
        if (passwordEnv is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(passwordEnv)))
            reader.Problem(YamlFieldReader.Child(block, "passwordEnv"), path + ".passwordEnv", $"the environment variable ${passwordEnv} is not set");
        if (reader.Problems.Count > before) return null;
        var security = new MqttBrokerSecurity
        {
            Tls = tls, CaFile = ca is null ? null : RigLoader.Resolve(baseDir, ca), ClientCertificateFile = cert is null ? null : RigLoader.Resolve(baseDir, cert),
            ClientKeyFile = key is null ? null : RigLoader.Resolve(baseDir, key), ServerName = serverName, UserName = user,
            PasswordEnvironmentVariable = passwordEnv, PasswordFile = passwordFile is null ? null : RigLoader.Resolve(baseDir, passwordFile),
        };
        foreach (var problem in security.Check()) reader.Problem(block, path, problem);
        return reader.Problems.Count > before ? null : security;
    }
}
