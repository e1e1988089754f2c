using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// The rig's <c>ocpp:</c> section: the security of the gateway's OCPP endpoint. Absent: security profile 0, loopback only.
/// <code>
/// ocpp:
///   securityProfile: 2
///   certificate: certs/gateway.pem
///   key: certs/gateway.key
///   stations: { CP-1: "pbkdf2-sha256$100000$…$…" }   # gateway ocpp-password makes these
/// </code>
/// </summary>
/// <param name="SecurityProfile">0, 1 or 2.</param>
/// <param name="CertificatePath">PEM certificate (profile 2).</param>
/// <param name="KeyPath">PEM key (profile 2).</param>
/// <param name="PasswordHashes">Password hash per station id.</param>
internal sealed record OcppRigSection(int SecurityProfile, string? CertificatePath, string? KeyPath, IReadOnlyDictionary<string, string> PasswordHashes)
{
    /// <summary>No section: profile 0.</summary>
    public static OcppRigSection None { get; } = new(0, null, null, new Dictionary<string, string>(StringComparer.Ordinal));

    internal static OcppRigSection? Read(YamlFieldReader reader, YamlMappingNode root, string baseDir)
    {
        if (reader.Mapping(root, "ocpp", "", required: false) is not { } map) return None;
        const string p = "ocpp";
        var before = reader.Problems.Count;
        reader.RejectUnknownKeys(map, p, "securityProfile", "certificate", "key", "stations");
        var profile = reader.Integer(map, "securityProfile", p, 0, 2, required: false, fallback: 0) ?? 0;
        var certificate = reader.String(map, "certificate", p, required: profile == 2);
        var key = reader.String(map, "key", p, required: profile == 2);
        foreach (var (k, v) in new[] { ("certificate", certificate), ("key", key) })
            if (v is not null && !File.Exists(Path.Combine(baseDir, v))) reader.Problem(YamlFieldReader.Child(map, k), $"{p}.{k}", $"file '{v}' not found");
        if (profile < 2 && certificate is not null) reader.Problem(YamlFieldReader.Child(map, "certificate"), p + ".certificate", "a certificate means TLS: that is securityProfile 2");
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Mapping(map, "stations", p, required: profile > 0) is { } stations)
        {
            foreach (var (k, v) in stations.Children)
            {
                var id = ((YamlScalarNode)k).Value ?? "";
                if (v is not YamlScalarNode { Value: { } hash }) { reader.Problem(v, $"{p}.stations.{id}", "must be a password hash (gateway ocpp-password makes one)"); continue; }
                if (!PasswordHash.TryParse(hash, out var problem)) reader.Problem(v, $"{p}.stations.{id}", $"{problem} (make one with 'gateway ocpp-password'); never write the password itself");
                else hashes[id] = hash;
            }
        }
        if (reader.Problems.Count > before) return null;
        return new OcppRigSection(profile, certificate is null ? null : Path.Combine(baseDir, certificate), key is null ? null : Path.Combine(baseDir, key), hashes);
    }
}
