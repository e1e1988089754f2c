using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// The hashed part of a block. The block hash is SHA-256 over <see cref="ToBytes"/>:
/// <code>
/// ASCII "gateway-ledger-block/v1"
/// u64 big-endian   Number               (the first block is 1)
/// 32 bytes         PreviousHash         (32 zero bytes for block 1)
/// i64 big-endian   TimestampUnixMs      (milliseconds since 1970-01-01T00:00:00Z)
/// u32 big-endian   SettlementCount
/// 32 bytes         MerkleRoot           (see <see cref="MerkleTree"/>)
/// </code>
/// </summary>
/// <param name="Number">Position in the chain, 1-based, without gaps.</param>
/// <param name="PreviousHash">Hash of block Number − 1, or <see cref="GenesisPreviousHash"/>.</param>
/// <param name="TimestampUnixMs">When the block was appended (the injected clock), ms since the Unix epoch.</param>
/// <param name="SettlementCount">How many settlements the block holds.</param>
/// <param name="MerkleRoot">Merkle root of the block's settlements in block order.</param>
internal sealed record BlockHeader(long Number, byte[] PreviousHash, long TimestampUnixMs, int SettlementCount, byte[] MerkleRoot)
{
    /// <summary>Version tag at the start of the hashed header.</summary>
    public const string FormatTag = "gateway-ledger-block/v1";

    /// <summary>The previous hash of the first block: 32 zero bytes.</summary>
    public static ReadOnlyMemory<byte> GenesisPreviousHash { get; } = new byte[SHA256.HashSizeInBytes];

    /// <summary>The exact bytes that are hashed.</summary>
    public byte[] ToBytes()
    {
        var tag = Encoding.ASCII.GetBytes(FormatTag);
        var bytes = new byte[tag.Length + 8 + 32 + 8 + 4 + 32];
        var span = bytes.AsSpan();
        tag.CopyTo(span);
        span = span[tag.Length..];
        BinaryPrimitives.WriteUInt64BigEndian(span, checked((ulong)Number));
        span = span[8..];
        CopyHash(PreviousHash, span, nameof(PreviousHash));
        span = span[32..];
        BinaryPrimitives.WriteInt64BigEndian(span, TimestampUnixMs);
        span = span[8..];
        BinaryPrimitives.WriteUInt32BigEndian(span, checked((uint)SettlementCount));
        span = span[4..];
        CopyHash(MerkleRoot, span, nameof(MerkleRoot));
        return bytes;
    }

    /// <summary>SHA-256 of <see cref="ToBytes"/>.</summary>
    public byte[] ComputeHash() => SHA256.HashData(ToBytes());

    private static void CopyHash(byte[] hash, Span<byte> destination, string name)
    {
        if (hash is not { Length: SHA256.HashSizeInBytes })
            throw new InvalidOperationException($"{name} must be {SHA256.HashSizeInBytes} bytes");
        hash.CopyTo(destination);
    }
}
