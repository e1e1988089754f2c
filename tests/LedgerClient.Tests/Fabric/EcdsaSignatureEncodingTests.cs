using System.Numerics;
using System.Security.Cryptography;
using Gateway.LedgerClient.Fabric;

namespace Gateway.LedgerClient.Tests.Fabric;

public class EcdsaSignatureEncodingTests
{
    private static readonly BigInteger N = EcdsaSignatureEncoding.P256Order;

    private static byte[] Fixed(BigInteger r, BigInteger s)
    {
        var rs = new byte[64];
        r.TryWriteBytes(rs.AsSpan(32 - r.GetByteCount(true), r.GetByteCount(true)), out _, true, true);
        s.TryWriteBytes(rs.AsSpan(64 - s.GetByteCount(true), s.GetByteCount(true)), out _, true, true);
        return rs;
    }

    [Fact]
    public void Der_of_small_integers_matches_X690()
    {
        Assert.Equal(new byte[] { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02 }, EcdsaSignatureEncoding.ToLowSDer(Fixed(1, 2)));
        // A high first bit needs a 0x00 pad to stay positive.
        Assert.Equal(new byte[] { 0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x7F }, EcdsaSignatureEncoding.ToLowSDer(Fixed(0x80, 0x7F)));
    }

    [Fact]
    public void High_S_is_replaced_by_n_minus_s()
    {
        var highS = N - 5;
        var der = EcdsaSignatureEncoding.ToLowSDer(Fixed(7, highS));
        var (r, s) = EcdsaSignatureEncoding.DecodeDer(der);
        Assert.Equal(7, r);
        Assert.Equal(5, s);
        Assert.True(EcdsaSignatureEncoding.IsLowS(der));
        Assert.False(EcdsaSignatureEncoding.IsLowS(EcdsaSignatureEncoding.EncodeDer(7, highS)));
    }

    [Fact]
    public void S_exactly_half_the_order_stays()
    {
        var half = N >> 1;
        Assert.Equal(half, EcdsaSignatureEncoding.DecodeDer(EcdsaSignatureEncoding.ToLowSDer(Fixed(3, half))).S);
        Assert.Equal(N - (half + 1), EcdsaSignatureEncoding.DecodeDer(EcdsaSignatureEncoding.ToLowSDer(Fixed(3, half + 1))).S);
    }

    [Fact]
    public void Normalised_signatures_still_verify_with_the_runtime_DER_verifier()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var sawHighS = false;
        for (var i = 0; i < 64; i++)
        {
            var digest = SHA256.HashData(BitConverter.GetBytes(i));
            var rs = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            sawHighS |= new BigInteger(rs.AsSpan(32), true, true) > N >> 1;
            var der = EcdsaSignatureEncoding.ToLowSDer(rs);
            Assert.True(EcdsaSignatureEncoding.IsLowS(der));
            Assert.True(key.VerifyHash(digest, der, DSASignatureFormat.Rfc3279DerSequence));
            Assert.True(key.VerifyHash(digest, EcdsaSignatureEncoding.ToIeeeP1363(der)));
        }
        Assert.True(sawHighS, "64 random signatures should include high-S ones, or this test proves nothing");
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02 })]
    [InlineData(new byte[] { 0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x02 })]
    [InlineData(new byte[] { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00 })]
    public void Malformed_DER_is_rejected(byte[] der) =>
        Assert.Throws<FormatException>(() => EcdsaSignatureEncoding.DecodeDer(der));

    [Fact]
    public void Wrong_length_raw_signature_is_rejected() =>
        Assert.Throws<ArgumentException>(() => EcdsaSignatureEncoding.ToLowSDer(new byte[63]));
}
