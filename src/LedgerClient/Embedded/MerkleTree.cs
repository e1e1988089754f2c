using System.Security.Cryptography;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// SHA-256 Merkle tree over a block's settlements, in block order.
/// Leaf = SHA-256(0x00 ‖ canonical settlement bytes); inner node = SHA-256(0x01 ‖ left ‖ right).
/// The distinct prefixes keep a leaf from being passed off as an inner node; an odd node at
/// the end of a level is carried up unchanged (not paired with itself, which would let two
/// different lists share a root).
/// </summary>
internal static class MerkleTree
{
    /// <summary>The leaf hash of one settlement's canonical bytes.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> canonicalSettlement)
    {
        var buffer = new byte[1 + canonicalSettlement.Length];
        buffer[0] = 0x00;
        canonicalSettlement.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>The root over leaf hashes in order; a single leaf is its own root.</summary>
    /// <exception cref="ArgumentException">No leaves: a block always holds at least one settlement.</exception>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        if (leafHashes.Count == 0) throw new ArgumentException("a block holds at least one settlement", nameof(leafHashes));
        var level = leafHashes.ToList();
        Span<byte> pair = stackalloc byte[1 + 2 * SHA256.HashSizeInBytes];
        pair[0] = 0x01;
        while (level.Count > 1)
        {
            var next = new List<byte[]>((level.Count + 1) / 2);
            for (var i = 0; i + 1 < level.Count; i += 2)
            {
                level[i].CopyTo(pair[1..]);
                level[i + 1].CopyTo(pair[(1 + SHA256.HashSizeInBytes)..]);
                next.Add(SHA256.HashData(pair));
            }
            if (level.Count % 2 == 1) next.Add(level[^1]);
            level = next;
        }
        return level[0];
    }
}
