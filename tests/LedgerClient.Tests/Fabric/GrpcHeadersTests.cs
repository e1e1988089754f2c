using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Gateway.LedgerClient.Tests.Fabric;

public class GrpcHeadersTests
{
    [Theory]
    [InlineData(5000, "5000m")]
    [InlineData(0.2, "1m")]
    [InlineData(99_999_999, "99999999m")]
    [InlineData(100_000_000, "100000S")]
    public void FormatTimeout_uses_at_most_eight_digits_and_rounds_up(double milliseconds, string expected) =>
        Assert.Equal(expected, GrpcHeaders.FormatTimeout(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("5000m", 5000)]
    [InlineData("2S", 2000)]
    [InlineData("1M", 60_000)]
    [InlineData("1H", 3_600_000)]
    [InlineData("3000u", 3)]
    [InlineData("4000000n", 4)]
    public void TryParseTimeout_reads_every_unit(string value, double milliseconds)
    {
        Assert.True(GrpcHeaders.TryParseTimeout(value, out var timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("123456789m")]
    [InlineData("-5m")]
    public void TryParseTimeout_rejects_malformed_values(string value) => Assert.False(GrpcHeaders.TryParseTimeout(value, out _));

    [Fact]
    public void Messages_are_percent_encoded_as_the_spec_requires()
    {
        Assert.Equal("100%25 sure: caf%C3%A9%0A", GrpcHeaders.EncodeMessage("100% sure: café\n"));
        Assert.Equal("100% sure: café\n", GrpcHeaders.DecodeMessage("100%25 sure: caf%C3%A9%0A"));
        Assert.Equal("bad %zz escape", GrpcHeaders.DecodeMessage("bad %zz escape"));
    }

    [Theory]
    [InlineData("14", GrpcStatusCode.Unavailable)]
    [InlineData("0", GrpcStatusCode.OK)]
    [InlineData("17", GrpcStatusCode.Unknown)]
    [InlineData("x", GrpcStatusCode.Unknown)]
    public void ParseStatus_maps_unknown_values_to_Unknown(string value, GrpcStatusCode expected) =>
        Assert.Equal(expected, GrpcHeaders.ParseStatus(value));

    [Fact]
    public void DecodeDetails_reads_gateway_error_details_from_unpadded_base64()
    {
        var status = new Status { Code = 10, Message = "failed to endorse transaction" };
        status.Details.Add(Any.Pack(new ErrorDetail { Address = "peer0:7051", MspId = "Org1MSP", Message = "chaincode response 500, boom" }));
        status.Details.Add(Any.Pack(new Duration { Seconds = 1 }));
        var encoded = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');

        var details = GrpcHeaders.DecodeDetails(encoded);

        var detail = Assert.Single(details);
        Assert.Equal(new GatewayErrorDetail("peer0:7051", "Org1MSP", "chaincode response 500, boom"), detail);
    }

    [Fact]
    public void DecodeDetails_of_garbage_is_empty() =>
        Assert.Empty(GrpcHeaders.DecodeDetails("!!not base64!!"));
}
