using Gateway.Drivers.Devices;

namespace Gateway.Drivers.Tests.Devices;

public sealed class RegisterCodecTests
{
    private static ModbusPointLocation At(RegisterDataType type, bool sunSpec = false, int scale = 0, bool negate = false, WordOrder order = WordOrder.HighFirst, long? absent = null) =>
        new() { Address = sunSpec ? null : 0, SunSpecModel = sunSpec ? 103 : null, Offset = sunSpec ? 2 : 0, DataType = type, ScaleExponent = scale, Negate = negate, WordOrder = order, AbsentRaw = absent };

    [Fact]
    public void Signed_watts_become_kilowatts_with_the_sign_flipped()
    {
        var loc = At(RegisterDataType.Int16, scale: -3, negate: true);
        Assert.Equal(-7.4, RegisterCodec.Decode(loc, [7400])!.Value, 9);
        Assert.Equal(3.2, RegisterCodec.Decode(loc, [unchecked((ushort)-3200)])!.Value, 9);
        Assert.Equal([7400], RegisterCodec.Encode(loc, -7.4));
    }

    [Fact]
    public void Scale_factor_register_multiplies_by_a_power_of_ten()
    {
        var loc = At(RegisterDataType.Int16, sunSpec: true, scale: -3);
        Assert.Equal(12.34, RegisterCodec.Decode(loc, [1234], scaleFactor: 1)!.Value, 9);
        Assert.Equal([1234], RegisterCodec.Encode(loc, 12.34, scaleFactor: 1));
    }

    [Theory]
    [InlineData(RegisterDataType.Int16, new ushort[] { 0x8000 })]
    [InlineData(RegisterDataType.UInt16, new ushort[] { 0xFFFF })]
    [InlineData(RegisterDataType.Int32, new ushort[] { 0x8000, 0x0000 })]
    [InlineData(RegisterDataType.UInt32, new ushort[] { 0xFFFF, 0xFFFF })]
    [InlineData(RegisterDataType.Acc32, new ushort[] { 0, 0 })]
    [InlineData(RegisterDataType.Float32, new ushort[] { 0x7FC0, 0x0000 })]
    public void SunSpec_not_implemented_values_are_absent_never_zero(RegisterDataType type, ushort[] words)
    {
        Assert.Null(RegisterCodec.Decode(At(type, sunSpec: true), words));
    }

    [Fact]
    public void The_same_markers_are_ordinary_values_outside_SunSpec()
    {
        Assert.Equal(65535, RegisterCodec.Decode(At(RegisterDataType.UInt16), [0xFFFF]));
        Assert.Equal(-32768, RegisterCodec.Decode(At(RegisterDataType.Int16), [0x8000]));
        Assert.Null(RegisterCodec.Decode(At(RegisterDataType.UInt16, absent: 65535), [0xFFFF]));
    }

    [Fact]
    public void Word_order_is_honoured_for_32_bit_values()
    {
        Assert.Equal(0x0001_0002, RegisterCodec.Decode(At(RegisterDataType.UInt32), [0x0001, 0x0002]));
        Assert.Equal(0x0001_0002, RegisterCodec.Decode(At(RegisterDataType.UInt32, order: WordOrder.LowFirst), [0x0002, 0x0001]));
        Assert.Equal(-2, RegisterCodec.Decode(At(RegisterDataType.Int32), [0xFFFF, 0xFFFE]));
        Assert.Equal([0x0002, 0x0001], RegisterCodec.Encode(At(RegisterDataType.UInt32, order: WordOrder.LowFirst), 0x0001_0002));
        Assert.Equal(1.5, RegisterCodec.Decode(At(RegisterDataType.Float32), RegisterCodec.Encode(At(RegisterDataType.Float32), 1.5)));
    }

    [Fact]
    public void Values_that_do_not_fit_the_register_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RegisterCodec.Encode(At(RegisterDataType.Int16, scale: -3), 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => RegisterCodec.Encode(At(RegisterDataType.UInt16), -1));
    }

    [Fact]
    public void Strings_round_trip_and_drop_padding()
    {
        var words = RegisterCodec.EncodeString("SunSim", 8);
        Assert.Equal(8, words.Length);
        Assert.Equal(0x5375, words[0]);
        Assert.Equal("SunSim", RegisterCodec.DecodeString(words));
    }

    [Fact]
    public void Encode_then_decode_is_identity_to_the_resolution()
    {
        var loc = At(RegisterDataType.Int32, scale: -3);
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var kw = Math.Round((random.NextDouble() - 0.5) * 2000, 3);
            Assert.Equal(kw, RegisterCodec.Decode(loc, RegisterCodec.Encode(loc, kw))!.Value, 6);
        }
    }
}
