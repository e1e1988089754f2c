using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// A Fabric client identity: MSP id, X.509 certificate and its ECDSA P-256 private key. Signs proposals,
/// transactions and commit-status requests the way a peer verifies them (SHA-256, low-S DER).
/// </summary>
public sealed class FabricIdentity : IDisposable
{
    private readonly ECDsa _privateKey;

    private FabricIdentity(string mspId, string certificatePem, X509Certificate2 certificate, ECDsa privateKey)
    {
        MspId = mspId;
        CertificatePem = certificatePem;
        Certificate = certificate;
        _privateKey = privateKey;
        // Fabric's X.509 MSP identifies a creator by the PEM text of its certificate.
        Creator = new SerializedIdentity { Mspid = mspId, IdBytes = ByteString.CopyFromUtf8(certificatePem) }.ToByteArray();
    }

    /// <summary>The MSP (organisation) id, e.g. "Org1MSP".</summary>
    public string MspId { get; }

    /// <summary>The certificate as PEM text, exactly as sent to the peer.</summary>
    public string CertificatePem { get; }

    /// <summary>The parsed certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The serialized <c>msp.SerializedIdentity</c> (creator bytes) that headers and commit-status requests carry.</summary>
    public byte[] Creator { get; }

    /// <summary>Loads an identity from a PEM certificate file and a PEM private key file (PKCS#8 or SEC1).</summary>
    public static FabricIdentity FromPemFiles(string mspId, string certificatePath, string privateKeyPath)
    {
        if (!File.Exists(certificatePath))
        {
            throw new FileNotFoundException($"Fabric client certificate file '{certificatePath}' does not exist", certificatePath);
        }
        if (!File.Exists(privateKeyPath))
        {
            throw new FileNotFoundException($"Fabric client private key file '{privateKeyPath}' does not exist", privateKeyPath);
        }
        return FromPem(mspId, File.ReadAllText(certificatePath), File.ReadAllText(privateKeyPath),
            $"certificate '{certificatePath}'", $"private key '{privateKeyPath}'");
    }

    /// <summary>Builds an identity from PEM texts; validates that the key is P-256 and belongs to the certificate.</summary>
    internal static FabricIdentity FromPem(string mspId, string certificatePem, string privateKeyPem,
        string certificateName = "certificate", string keyName = "private key")
    {
        if (string.IsNullOrWhiteSpace(mspId))
        {
            throw new ArgumentException("MSP id must not be empty", nameof(mspId));
        }
        var pemCertificate = ExtractSingleCertificatePem(certificatePem, certificateName);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(pemCertificate);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"Fabric client {certificateName} is not a valid X.509 certificate: {e.Message}", e);
        }
        using var certificateKey = certificate.GetECDsaPublicKey()
            ?? throw new InvalidDataException($"Fabric client {certificateName} does not hold an ECDSA public key (Fabric's X.509 MSP signs with ECDSA)");
        var key = ECDsa.Create();
        try
        {
            try
            {
                key.ImportFromPem(privateKeyPem);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new InvalidDataException($"Fabric client {keyName} is not a PEM EC private key (PKCS#8 'PRIVATE KEY' or SEC1 'EC PRIVATE KEY'): {e.Message}", e);
            }
            var parameters = key.ExportParameters(includePrivateParameters: false);
            if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new InvalidDataException($"Fabric client {keyName} is not on curve P-256 (found {parameters.Curve.Oid?.FriendlyName ?? parameters.Curve.Oid?.Value ?? "an explicit curve"})");
            }
            var certificateParameters = certificateKey.ExportParameters(includePrivateParameters: false);
            if (!parameters.Q.X!.AsSpan().SequenceEqual(certificateParameters.Q.X) || !parameters.Q.Y!.AsSpan().SequenceEqual(certificateParameters.Q.Y))
            {
                throw new InvalidDataException($"Fabric client {keyName} does not belong to the {certificateName} (public keys differ)");
            }
            return new FabricIdentity(mspId, pemCertificate, certificate, key);
        }
        catch
        {
            key.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>Signs SHA-256(<paramref name="message"/>); returns a low-S DER signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(message, digest);
        Span<byte> rs = stackalloc byte[64];
        if (!_privateKey.TrySignHash(digest, rs, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written) || written != 64)
        {
            throw new CryptographicException("ECDSA signing did not produce a 64-byte P-256 signature");
        }
        return EcdsaSignatureEncoding.ToLowSDer(rs);
    }

    private static string ExtractSingleCertificatePem(string text, string name)
    {
        const string begin = "-----BEGIN CERTIFICATE-----";
        const string end = "-----END CERTIFICATE-----";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = start < 0 ? -1 : text.IndexOf(end, start, StringComparison.Ordinal);
        if (start < 0 || stop < 0)
        {
            throw new InvalidDataException($"Fabric client {name} holds no PEM 'CERTIFICATE' block");
        }
        var pem = text.Substring(start, stop + end.Length - start).Replace("\r\n", "\n");
        return pem.EndsWith('\n') ? pem : pem + "\n";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _privateKey.Dispose();
        Certificate.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{MspId}:{Certificate.Subject}";
}
