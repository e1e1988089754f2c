using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Testing.Fabric;

/// <summary>An EC P-256 certificate with its key, as PEM texts and files.</summary>
public sealed record TestCredential(X509Certificate2 Certificate, string CertificatePem, string PrivateKeyPem, string CertificatePath, string PrivateKeyPath);

/// <summary>
/// The certificates a Fabric organisation would have, made on the fly: an MSP CA issuing client and peer
/// signing certificates, a TLS CA issuing the peer's TLS certificate for 127.0.0.1/localhost, and an unrelated
/// "rogue" CA whose client certificate no peer trusts. PEM files live in a temp directory removed on dispose.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly string _directory;
    private readonly string _domain;

    public TestPki(string mspId = "Org1MSP")
    {
        MspId = mspId;
        _domain = (mspId.EndsWith("MSP", StringComparison.Ordinal) ? mspId[..^3] : mspId).ToLowerInvariant() + ".example.com";
        _directory = Directory.CreateTempSubdirectory("fabric-test-pki-").FullName;
        MspCa = CreateCa($"ca.{_domain}", "msp-ca");
        TlsCa = CreateCa($"tlsca.{_domain}", "tls-ca");
        RogueCa = CreateCa("ca.rogue.example.com", "rogue-ca");
        Client = Issue(MspCa, $"User1@{_domain}", "client", serverNames: false);
        Peer = Issue(MspCa, $"peer0.{_domain}", "peer", serverNames: false);
        PeerTls = Issue(TlsCa, $"peer0.{_domain}", "peer-tls", serverNames: true);
        RogueClient = Issue(RogueCa, $"User1@{_domain}", "rogue-client", serverNames: false);
    }

    public string MspId { get; }

    public TestCredential MspCa { get; }

    public TestCredential TlsCa { get; }

    public TestCredential RogueCa { get; }

    /// <summary>A client (User1) issued by the MSP CA.</summary>
    public TestCredential Client { get; }

    /// <summary>The peer's signing identity (endorsements).</summary>
    public TestCredential Peer { get; }

    /// <summary>The peer's TLS server certificate (SAN 127.0.0.1, ::1, localhost).</summary>
    public TestCredential PeerTls { get; }

    /// <summary>A client certificate claiming the same MSP but issued by a CA the peer does not trust.</summary>
    public TestCredential RogueClient { get; }

    /// <summary>Writes extra PEM text into the PKI directory (for malformed-file tests) and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private TestCredential CreateCa(string commonName, string fileName)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O={_domain}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return Save(certificate, key, fileName);
    }

    private TestCredential Issue(TestCredential issuer, string commonName, string fileName, bool serverNames)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, OU=client, O={_domain}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (serverNames)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            names.AddDnsName("localhost");
            names.AddDnsName(commonName);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        }
        using var issuerKey = issuer.Certificate.GetECDsaPrivateKey()!;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(issuer.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), serial);
        return Save(issued.CopyWithPrivateKey(key), key, fileName);
    }

    private TestCredential Save(X509Certificate2 certificate, ECDsa key, string fileName)
    {
        var certificatePem = certificate.ExportCertificatePem() + "\n";
        var keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
        var certificatePath = Path.Combine(_directory, fileName + "-cert.pem");
        var keyPath = Path.Combine(_directory, fileName + "-key.pem");
        File.WriteAllText(certificatePath, certificatePem);
        File.WriteAllText(keyPath, keyPem);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        var usable = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        return new TestCredential(usable, certificatePem, keyPem, certificatePath, keyPath);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
