using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;

namespace Gateway.Testing.Fabric;

/// <summary>A signer the MSP refuses; <see cref="Exception.Message"/> says why ("access denied: …").</summary>
internal sealed class CreatorRejected(string message) : Exception(message);

/// <summary>
/// What a peer's MSP checks about a signer: a SerializedIdentity of an MSP that is a member of the channel, whose PEM
/// certificate chains to that MSP's CA, and a low-S ECDSA signature over SHA-256 of the signed bytes made with the
/// certificate's key.
/// </summary>
internal sealed class CreatorVerifier(IReadOnlyDictionary<string, X509Certificate2> mspCas)
{
    // Like a peer's MSP cache: an identity whose certificate chain was validated once is not rebuilt per request.
    private readonly ConcurrentDictionary<ByteString, (string MspId, X509Certificate2 Certificate)> _validated = new();

    /// <summary>Verifies the signature and returns the signer's MSP id and certificate; throws <see cref="CreatorRejected"/> saying what is wrong.</summary>
    public (string MspId, X509Certificate2 Certificate) Verify(ByteString creatorBytes, ReadOnlySpan<byte> signedBytes, ByteString signature, string context)
    {
        var (mspId, certificate) = _validated.TryGetValue(creatorBytes, out var known) ? known : Validate(creatorBytes, context);
        using var key = certificate.GetECDsaPublicKey();
        if (key is null)
        {
            throw Denied(context, "creator certificate has no ECDSA key");
        }
        // Checked independently of the client's encoder: the runtime's DER verifier and a separate low-S test.
        if (!IsLowS(signature.Span))
        {
            throw Denied(context, "signature is malformed or not in low-S form");
        }
        if (!key.VerifyHash(SHA256.HashData(signedBytes), signature.Span, DSASignatureFormat.Rfc3279DerSequence))
        {
            throw Denied(context, "the creator's signature is invalid");
        }
        return (mspId, certificate);
    }

    private (string MspId, X509Certificate2 Certificate) Validate(ByteString creatorBytes, string context)
    {
        SerializedIdentity creator;
        try
        {
            creator = SerializedIdentity.Parser.ParseFrom(creatorBytes);
        }
        catch (InvalidProtocolBufferException)
        {
            throw Denied(context, "creator is malformed");
        }
        if (!mspCas.TryGetValue(creator.Mspid, out var mspCa))
        {
            throw Denied(context, $"creator org unknown: MSP '{creator.Mspid}' is not a member of the channel");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(creator.IdBytes.ToStringUtf8());
        }
        catch (CryptographicException)
        {
            throw Denied(context, "creator identity is not a PEM X.509 certificate");
        }
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(mspCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(certificate))
            {
                var reasons = string.Join(", ", chain.ChainStatus.Select(s => s.Status));
                throw Denied(context, $"creator certificate is not valid: x509: certificate signed by unknown authority ({reasons})");
            }
        }
        _validated.TryAdd(creatorBytes, (creator.Mspid, certificate));
        return (creator.Mspid, certificate);
    }

    private static readonly BigInteger HalfOrder = BigInteger.Parse(
        "7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A8", NumberStyles.HexNumber);

    private static bool IsLowS(ReadOnlySpan<byte> der)
    {
        try
        {
            var sequence = new AsnReader(der.ToArray(), AsnEncodingRules.DER).ReadSequence();
            sequence.ReadInteger();
            var s = sequence.ReadInteger();
            return s.Sign > 0 && s <= HalfOrder;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static CreatorRejected Denied(string context, string reason) => new($"access denied: {reason}");
}
