using System.Security.Cryptography;

namespace Gateway.LedgerClient.Fabric;

/// <summary>Fabric's transaction id: lowercase hex of SHA-256(nonce ‖ creator). Peers recompute and compare it.</summary>
internal static class FabricTransactionId
{
    /// <summary>Length of the random nonce Fabric clients use.</summary>
    public const int NonceLength = 24;

    /// <summary>Computes the transaction id for a nonce and serialized creator identity.</summary>
    public static string Compute(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> creator)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(nonce);
        hash.AppendData(creator);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A fresh random nonce.</summary>
    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceLength);
}
