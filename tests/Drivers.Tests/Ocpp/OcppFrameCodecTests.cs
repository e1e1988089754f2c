using System.Text;
using System.Text.Json.Nodes;
using Gateway.Drivers.Ocpp;

namespace Gateway.Drivers.Tests.Ocpp;

/// <summary>OCPP-J framing (OCPP-J 2.0.1 part 4 §4; 2.1 adds SEND and CALLRESULTERROR) with the spec's own examples.</summary>
public sealed class OcppFrameCodecTests
{
    [Fact]
    public void A_CALL_is_read_and_written_as_the_spec_shows_it()
    {
        // OCPP-J 2.0.1 part 4 §4.2.1, the BootNotification example.
        const string frame = """[2,"19223201","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"SingleSocketCharger","vendorName":"VendorX"}}]""";
        var call = Assert.IsType<OcppCall>(OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(frame)));
        Assert.Equal(("19223201", "BootNotification", OcppMessageType.Call), (call.MessageId, call.Action, call.Type));
        Assert.Equal("PowerUp", (string?)call.Payload["reason"]);
        Assert.Equal(frame, Encoding.UTF8.GetString(OcppFrameCodec.Encode(call)));
    }

    [Fact]
    public void A_CALLRESULT_and_a_CALLERROR_are_read_and_written_byte_for_byte()
    {
        const string result = """[3,"19223201",{"currentTime":"2013-02-01T20:53:32.486Z","interval":300,"status":"Accepted"}]""";
        var parsed = Assert.IsType<OcppCallResult>(OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(result)));
        Assert.Equal(300, (int)parsed.Payload["interval"]!);
        Assert.Equal(result, Encoding.UTF8.GetString(OcppFrameCodec.Encode(parsed)));

        const string error = """[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]""";
        var e = Assert.IsType<OcppCallError>(OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(error)));
        Assert.Equal(("162376037", "NotSupported"), (e.MessageId, e.ErrorCode));
        Assert.Equal(error, Encoding.UTF8.GetString(OcppFrameCodec.Encode(e)));
    }

    [Fact]
    public void The_2_1_SEND_and_CALLRESULTERROR_exist_only_in_2_1()
    {
        const string send = """[6,"s1","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2026-01-01T00:00:00Z","data":[]}]""";
        Assert.True(Assert.IsType<OcppCall>(OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(send), OcppVersion.Ocpp21)).IsSend);
        var refused = Assert.Throws<OcppFrameException>(() => OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(send), OcppVersion.Ocpp201));
        Assert.Equal((OcppErrorCode.MessageTypeNotSupported, "s1"), (refused.ErrorCode, refused.MessageId));
        var resultError = OcppFrameCodec.Parse("""[5,"r1","GenericError","bad result",{}]"""u8, OcppVersion.Ocpp21);
        Assert.Equal(OcppMessageType.CallResultError, resultError.Type);
    }

    [Theory]
    [InlineData("not json at all", OcppErrorCode.RpcFrameworkError, "-1")]
    [InlineData("""{"a":1}""", OcppErrorCode.RpcFrameworkError, "-1")]
    [InlineData("""[2,"x1"]""", OcppErrorCode.RpcFrameworkError, "x1")]
    [InlineData("""["2","x2","Heartbeat",{}]""", OcppErrorCode.RpcFrameworkError, "x2")]
    [InlineData("""[2,17,"Heartbeat",{}]""", OcppErrorCode.RpcFrameworkError, "-1")]
    [InlineData("""[2,"","Heartbeat",{}]""", OcppErrorCode.RpcFrameworkError, "-1")]
    [InlineData("""[2,"0123456789012345678901234567890123456","Heartbeat",{}]""", OcppErrorCode.RpcFrameworkError, "-1")]
    [InlineData("""[2,"x3",5,{}]""", OcppErrorCode.RpcFrameworkError, "x3")]
    [InlineData("""[2,"x4","Heartbeat",[]]""", OcppErrorCode.FormatViolation, "x4")]
    [InlineData("""[2,"x5","Heartbeat",{},{}]""", OcppErrorCode.RpcFrameworkError, "x5")]
    [InlineData("""[8,"x6","Heartbeat",{}]""", OcppErrorCode.MessageTypeNotSupported, "x6")]
    [InlineData("""[2,"x7","Heartbeat",{"a":1,"a":2}]""", OcppErrorCode.RpcFrameworkError, "-1")]
    [InlineData("""[2,"x8","Heartbeat",{"a":1e400}]""", OcppErrorCode.FormatViolation, "x8")]
    [InlineData("""[2,"x9","Heartbeat",{"a":1e300}]""", OcppErrorCode.FormatViolation, "x9")]
    public void A_frame_that_is_not_OCPP_J_names_the_CALLERROR_to_answer_with(string frame, string code, string id)
    {
        var e = Assert.Throws<OcppFrameException>(() => OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(frame)));
        Assert.Equal((code, id), (e.ErrorCode, e.MessageId));
        var answer = Encoding.UTF8.GetString(OcppFrameCodec.Encode(e.ToCallError()));
        Assert.StartsWith($"[4,\"{id}\",\"{code}\",", answer);
    }

    [Fact]
    public void Invalid_UTF_8_and_deep_nesting_are_refused_not_thrown()
    {
        Assert.Equal(OcppErrorCode.RpcFrameworkError, Assert.Throws<OcppFrameException>(() => OcppFrameCodec.Parse([0x5B, 0x32, 0x2C, 0x22, 0xFF, 0x22, 0x5D])).ErrorCode);
        var deep = "[2,\"d\",\"Heartbeat\"," + new string('[', 100) + new string(']', 100) + "]";
        Assert.Equal(OcppErrorCode.RpcFrameworkError, Assert.Throws<OcppFrameException>(() => OcppFrameCodec.Parse(Encoding.UTF8.GetBytes(deep))).ErrorCode);
    }

    [Fact]
    public void A_long_error_description_is_cut_to_255_characters()
    {
        var bytes = OcppFrameCodec.Encode(new OcppCallError("e", OcppErrorCode.GenericError, new string('x', 400)));
        var parsed = Assert.IsType<OcppCallError>(OcppFrameCodec.Parse(bytes));
        Assert.Equal(255, parsed.Description.Length);
        Assert.Throws<ArgumentException>(() => OcppFrameCodec.Encode(new OcppCallResult(new string('i', 37), [])));
    }
}
