namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// Where and as whom the gateway commits settlements on Fabric. Bound from the rig's <c>ledger.fabric</c>
/// section; <see cref="Validate"/> lists every problem at once so a field engineer can fix the file in one go.
/// </summary>
public sealed class FabricLedgerOptions
{
    /// <summary>The peer's Gateway endpoint: <c>https://peer0.org1.example.com:7051</c> (TLS) or <c>http://host:port</c> (plaintext, labs only).</summary>
    public string PeerEndpoint { get; set; } = "";

    /// <summary>PEM file of the CA that issued the peer's TLS certificate (required for https).</summary>
    public string? TlsCaCertificatePath { get; set; }

    /// <summary>Host name expected in the peer's TLS certificate when it differs from the endpoint host (e.g. connecting to 127.0.0.1 via a tunnel).</summary>
    public string? TlsServerName { get; set; }

    /// <summary>Channel the settlement chaincode is deployed on.</summary>
    public string Channel { get; set; } = "";

    /// <summary>Name the settlement chaincode was approved and committed under.</summary>
    public string Chaincode { get; set; } = "";

    /// <summary>The client's MSP id, e.g. <c>Org1MSP</c>.</summary>
    public string MspId { get; set; } = "";

    /// <summary>PEM file of the client's X.509 signing certificate (the MSP's signcerts/cert.pem).</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>PEM file of the client's EC P-256 private key (the MSP's keystore/priv_sk; PKCS#8 or SEC1).</summary>
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>Deadline of an Evaluate (read) call.</summary>
    public TimeSpan EvaluateTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of an Endorse call.</summary>
    public TimeSpan EndorseTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deadline of a Submit call (handing the transaction to the orderers).</summary>
    public TimeSpan SubmitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a submitted transaction to be committed in a block.</summary>
    public TimeSpan CommitStatusTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Returns every configuration problem found, empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(PeerEndpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"ledger.fabric.peerEndpoint '{PeerEndpoint}' must be an absolute https://host:port (or http:// for a plaintext lab peer) URL");
        }
        else if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            if (string.IsNullOrWhiteSpace(TlsCaCertificatePath))
            {
                problems.Add("ledger.fabric.tlsCaCertificatePath is required for an https peer endpoint (the CA that issued the peer's TLS certificate)");
            }
            else if (!File.Exists(TlsCaCertificatePath))
            {
                problems.Add($"ledger.fabric.tlsCaCertificatePath '{TlsCaCertificatePath}' does not exist");
            }
        }
        Require(Channel, "channel", problems);
        Require(Chaincode, "chaincode", problems);
        Require(MspId, "mspId", problems);
        RequireFile(CertificatePath, "certificatePath", problems);
        RequireFile(PrivateKeyPath, "privateKeyPath", problems);
        RequirePositive(EvaluateTimeout, "evaluateTimeout", problems);
        RequirePositive(EndorseTimeout, "endorseTimeout", problems);
        RequirePositive(SubmitTimeout, "submitTimeout", problems);
        RequirePositive(CommitStatusTimeout, "commitStatusTimeout", problems);
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the options are not usable.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid Fabric ledger configuration:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems));
        }
    }

    private static void Require(string value, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"ledger.fabric.{name} is required");
        }
    }

    private static void RequireFile(string path, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            problems.Add($"ledger.fabric.{name} is required");
        }
        else if (!File.Exists(path))
        {
            problems.Add($"ledger.fabric.{name} '{path}' does not exist");
        }
    }

    private static void RequirePositive(TimeSpan value, string name, List<string> problems)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
        {
            problems.Add($"ledger.fabric.{name} must be between 0 and 1 hour, got {value}");
        }
    }
}
