using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// TLS server validation against explicitly configured CA certificates only: a Fabric peer's TLS
/// certificate is issued by its organisation's own CA, never by a public root.
/// </summary>
internal static class CaTrust
{
    /// <summary>Loads every certificate of a PEM file (a CA bundle may hold several).</summary>
    public static X509Certificate2Collection LoadPemBundle(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TLS CA certificate file '{path}' does not exist", path);
        }
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidDataException($"TLS CA certificate file '{path}' is not a PEM certificate: {e.Message}", e);
        }
        if (collection.Count == 0)
        {
            throw new InvalidDataException($"TLS CA certificate file '{path}' holds no PEM certificate");
        }
        return collection;
    }

    /// <summary>
    /// A validation callback accepting a server chain only when it ends at one of <paramref name="roots"/> and the
    /// certificate names the host: <paramref name="expectedServerName"/> when given (HttpClient checks the URI host,
    /// so an override has to be checked here), else the host the runtime validated.
    /// </summary>
    public static RemoteCertificateValidationCallback CreateValidator(X509Certificate2Collection roots, string? expectedServerName = null)
    {
        var trusted = new X509Certificate2Collection(roots);
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }
            var serverCertificate = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var nameMatches = expectedServerName is null
                ? (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                : serverCertificate.MatchesHostname(expectedServerName, allowWildcards: true, allowCommonName: false);
            if (!nameMatches)
            {
                return false;
            }
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            return custom.Build(serverCertificate);
        };
    }
}
