using System.Formats.Asn1;
using System.Numerics;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// ECDSA P-256 signature forms as Fabric wants them: DER <c>SEQUENCE { r INTEGER, s INTEGER }</c> with
/// low S (s ≤ n/2). Peers reject high-S signatures because (r, n − s) is an equally valid signature of
/// the same message and would make transaction ids malleable.
/// </summary>
internal static class EcdsaSignatureEncoding
{
    /// <summary>Order n of the P-256 group.</summary>
    public static readonly BigInteger P256Order = BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private static readonly BigInteger HalfOrder = P256Order >> 1;

    /// <summary>Converts the fixed-width r‖s form .NET produces (64 bytes for P-256) to low-S DER.</summary>
    public static byte[] ToLowSDer(ReadOnlySpan<byte> ieeeP1363)
    {
        if (ieeeP1363.Length != 64)
        {
            throw new ArgumentException($"a P-256 r||s signature has 64 bytes, got {ieeeP1363.Length}", nameof(ieeeP1363));
        }
        var r = new BigInteger(ieeeP1363[..32], isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(ieeeP1363[32..], isUnsigned: true, isBigEndian: true);
        if (s > HalfOrder)
        {
            s = P256Order - s;
        }
        return EncodeDer(r, s);
    }

    /// <summary>DER-encodes (r, s) as it is, without normalising.</summary>
    public static byte[] EncodeDer(BigInteger r, BigInteger s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r);
            writer.WriteInteger(s);
        }
        return writer.Encode();
    }

    /// <summary>Decodes a DER signature into (r, s); throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static (BigInteger R, BigInteger S) DecodeDer(ReadOnlySpan<byte> der)
    {
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var r = sequence.ReadInteger();
            var s = sequence.ReadInteger();
            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            if (r.Sign <= 0 || s.Sign <= 0 || r >= P256Order || s >= P256Order)
            {
                throw new FormatException("signature r or s is outside 1..n-1");
            }
            return (r, s);
        }
        catch (AsnContentException e)
        {
            throw new FormatException($"signature is not a DER SEQUENCE of two INTEGERs: {e.Message}", e);
        }
    }

    /// <summary>True when the DER signature's s is in the lower half of the group order.</summary>
    public static bool IsLowS(ReadOnlySpan<byte> der) => DecodeDer(der).S <= HalfOrder;

    /// <summary>Converts DER to the fixed-width r‖s form .NET verifies.</summary>
    public static byte[] ToIeeeP1363(ReadOnlySpan<byte> der)
    {
        var (r, s) = DecodeDer(der);
        var result = new byte[64];
        r.TryWriteBytes(result.AsSpan(32 - r.GetByteCount(isUnsigned: true), r.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        s.TryWriteBytes(result.AsSpan(64 - s.GetByteCount(isUnsigned: true), s.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return result;
    }
}
