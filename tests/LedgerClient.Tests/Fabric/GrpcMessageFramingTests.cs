using Gateway.LedgerClient.Fabric.Grpc;

namespace Gateway.LedgerClient.Tests.Fabric;

public class GrpcMessageFramingTests
{
    [Fact]
    public void Frame_prefixes_flag_zero_and_big_endian_length()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 0x0A, 0x01, 0x41 }, GrpcMessageFraming.Frame([0x0A, 0x01, 0x41]));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, GrpcMessageFraming.Frame([]));
        var big = GrpcMessageFraming.Frame(new byte[0x012345]);
        Assert.Equal(new byte[] { 0, 0x00, 0x01, 0x23, 0x45 }, big[..5]);
    }

    [Fact]
    public void ReadSingleMessage_returns_the_message_bytes()
    {
        var message = GrpcMessageFraming.ReadSingleMessage(new byte[] { 0, 0, 0, 0, 2, 0x08, 0x01 }, 100);
        Assert.Equal(new byte[] { 0x08, 0x01 }, message.ToArray());
        Assert.Equal(0, GrpcMessageFraming.ReadSingleMessage(new byte[] { 0, 0, 0, 0, 0 }, 100).Length);
    }

    [Theory]
    [InlineData(new byte[] { }, GrpcStatusCode.Internal, "no message")]
    [InlineData(new byte[] { 0, 0, 0 }, GrpcStatusCode.Internal, "shorter than the 5-byte")]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 7 }, GrpcStatusCode.Internal, "compressed")]
    [InlineData(new byte[] { 2, 0, 0, 0, 1, 7 }, GrpcStatusCode.Internal, "compressed-flag byte 0x02")]
    [InlineData(new byte[] { 0, 0, 0, 0, 4, 7, 7 }, GrpcStatusCode.Internal, "truncated")]
    [InlineData(new byte[] { 0, 0, 0, 0, 1, 7, 0, 0, 0, 0, 0 }, GrpcStatusCode.Internal, "more than one message")]
    [InlineData(new byte[] { 0, 0, 0, 0, 200, 7 }, GrpcStatusCode.ResourceExhausted, "exceeds the limit of 100 bytes")]
    public void ReadSingleMessage_rejects_bad_bodies_with_a_clear_status(byte[] body, GrpcStatusCode code, string text)
    {
        var error = Assert.Throws<GrpcCallException>(() => GrpcMessageFraming.ReadSingleMessage(body, 100));
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(text, error.Message);
    }
}
