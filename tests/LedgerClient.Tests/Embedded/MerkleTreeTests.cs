using System.Security.Cryptography;
using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Tests.Embedded;

public sealed class MerkleTreeTests
{
    private static byte[] Leaf(int i) => MerkleTree.LeafHash([(byte)i]);

    [Fact]
    public void Leaf_is_prefixed_hash() => Assert.Equal(SHA256.HashData(new byte[] { 0x00, 0x07 }), MerkleTree.LeafHash([0x07]));

    [Fact]
    public void Single_leaf_is_its_own_root() => Assert.Equal(Leaf(1), MerkleTree.Root([Leaf(1)]));

    [Fact]
    public void Three_leaves_carry_the_odd_one_up()
    {
        var left = SHA256.HashData([0x01, .. Leaf(1), .. Leaf(2)]);
        var expected = SHA256.HashData([0x01, .. left, .. Leaf(3)]);
        Assert.Equal(expected, MerkleTree.Root([Leaf(1), Leaf(2), Leaf(3)]));
    }

    [Fact]
    public void Order_and_duplication_change_the_root()
    {
        Assert.NotEqual(MerkleTree.Root([Leaf(1), Leaf(2)]), MerkleTree.Root([Leaf(2), Leaf(1)]));
        Assert.NotEqual(MerkleTree.Root([Leaf(1), Leaf(2), Leaf(3)]), MerkleTree.Root([Leaf(1), Leaf(2), Leaf(3), Leaf(3)]));
    }

    [Fact]
    public void Empty_list_is_refused() => Assert.Throws<ArgumentException>(() => MerkleTree.Root([]));
}
