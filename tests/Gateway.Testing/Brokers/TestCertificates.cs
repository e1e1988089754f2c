using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Testing;

/// <summary>A throw-away CA with a server certificate for 127.0.0.1/localhost and a client certificate, made in-process.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client)
    {
        Ca = ca;
        Server = server;
        Client = client;
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    /// <summary>Client certificate with its private key, signed by <see cref="Ca"/>.</summary>
    public X509Certificate2 Client { get; }

    public static TestCertificates Create(string caName = "Gateway Test CA")
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var server = Issue(ca, "CN=localhost", serverAuth: true, now);
        var client = Issue(ca, "CN=gateway-test-client", serverAuth: false, now);
        return new TestCertificates(ca, server, client);
    }

    /// <summary>Write ca.pem, server.pem and server.key for mosquitto.</summary>
    public void WriteBrokerFiles(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "ca.pem"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), Server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Write the client certificate and key as PEM; returns (certificate path, key path).</summary>
    public (string Certificate, string Key) WriteClientFiles(string directory)
    {
        var certificate = Path.Combine(directory, "client.pem");
        var key = Path.Combine(directory, "client.key");
        File.WriteAllText(certificate, Client.ExportCertificatePem());
        File.WriteAllText(key, Client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificate, key);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
