using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Codec;

namespace Gateway.Drivers.Tests.Modbus;

/// <summary>Byte sequences from the examples of Modbus Application Protocol v1.1b3 §6 and the serial-line spec.</summary>
public sealed class ModbusCodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void Crc_matches_the_serial_line_check_vector()
    {
        Assert.Equal(0x840E, ModbusCrc16.Compute(Hex("11 01 00 13 00 25")));
        var frame = new byte[8];
        Hex("11 01 00 13 00 25").CopyTo(frame, 0);
        ModbusCrc16.Write(frame.AsSpan(0, 6), frame.AsSpan(6));
        Assert.Equal(Hex("11 01 00 13 00 25 0E 84"), frame);
        Assert.True(ModbusCrc16.IsValid(frame));
        Assert.True(ModbusCrc16.IsValid(Hex("01 03 00 00 00 0A C5 CD")));
        frame[3] ^= 1;
        Assert.False(ModbusCrc16.IsValid(frame));
    }

    [Fact]
    public void Fc1_read_coils_spec_example()
    {
        var pdu = new byte[5];
        ReadBitsFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadCoils, 0x13, 19);
        Assert.Equal(Hex("01 00 13 00 13"), pdu);
        var bits = ReadBitsFunction.DecodeResponse(Hex("01 03 CD 6B 05"), 1, ModbusFunctionCode.ReadCoils, 19);
        // Coils 27..20 = CD, 35..28 = 6B, 38..36 = 101.
        bool[] expected = [true, false, true, true, false, false, true, true, true, true, false, true, false, true, true, false, true, false, true];
        Assert.Equal(expected, bits);
        Assert.Equal(Hex("01 03 CD 6B 05"), Serve(Hex("01 00 13 00 13"), unit => unit.SetCoils(0x13, expected)));
    }

    [Fact]
    public void Fc2_read_discrete_inputs_spec_example()
    {
        var pdu = new byte[5];
        ReadBitsFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadDiscreteInputs, 0xC4, 22);
        Assert.Equal(Hex("02 00 C4 00 16"), pdu);
        var bits = ReadBitsFunction.DecodeResponse(Hex("02 03 AC DB 35"), 1, ModbusFunctionCode.ReadDiscreteInputs, 22);
        Assert.Equal(Hex("02 03 AC DB 35"), Serve(Hex("02 00 C4 00 16"), unit => unit.SetDiscreteInputs(0xC4, bits)));
        Assert.False(bits[0]);
        Assert.True(bits[2]);
    }

    [Fact]
    public void Fc3_read_holding_registers_spec_example()
    {
        var pdu = new byte[5];
        ReadRegistersFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadHoldingRegisters, 0x6B, 3);
        Assert.Equal(Hex("03 00 6B 00 03"), pdu);
        Assert.Equal([555, 0, 100], ReadRegistersFunction.DecodeResponse(Hex("03 06 02 2B 00 00 00 64"), 1, ModbusFunctionCode.ReadHoldingRegisters, 3));
        Assert.Equal(Hex("03 06 02 2B 00 00 00 64"), Serve(Hex("03 00 6B 00 03"), unit => unit.SetHoldingRegisters(0x6B, [555, 0, 100])));
    }

    [Fact]
    public void Fc4_read_input_registers_spec_example()
    {
        Assert.Equal([10], ReadRegistersFunction.DecodeResponse(Hex("04 02 00 0A"), 1, ModbusFunctionCode.ReadInputRegisters, 1));
        Assert.Equal(Hex("04 02 00 0A"), Serve(Hex("04 00 08 00 01"), unit => unit.SetInputRegisters(8, [10])));
    }

    [Fact]
    public void Fc5_write_single_coil_spec_example_and_bad_value()
    {
        var pdu = new byte[5];
        WriteSingleCoilFunction.EncodeRequest(pdu, 0xAC, true);
        Assert.Equal(Hex("05 00 AC FF 00"), pdu);
        WriteSingleCoilFunction.DecodeResponse(Hex("05 00 AC FF 00"), 1, pdu);
        Assert.Equal(Hex("05 00 AC FF 00"), Serve(Hex("05 00 AC FF 00")));
        Assert.Equal(Hex("85 03"), Serve(Hex("05 00 AC 12 34")));
        Assert.Throws<ModbusProtocolException>(() => WriteSingleCoilFunction.DecodeResponse(Hex("05 00 AC 00 00"), 1, pdu));
    }

    [Fact]
    public void Fc6_write_single_register_spec_example()
    {
        var pdu = new byte[5];
        WriteSingleRegisterFunction.EncodeRequest(pdu, 1, 3);
        Assert.Equal(Hex("06 00 01 00 03"), pdu);
        Assert.Equal(Hex("06 00 01 00 03"), Serve(pdu));
    }

    [Fact]
    public void Fc15_write_multiple_coils_spec_example()
    {
        bool[] values = [true, false, true, true, false, false, true, true, true, false];
        var pdu = new byte[WriteMultipleCoilsFunction.RequestLength(values.Length)];
        WriteMultipleCoilsFunction.EncodeRequest(pdu, 0x13, values);
        Assert.Equal(Hex("0F 00 13 00 0A 02 CD 01"), pdu);
        var unit = new ModbusMemoryUnit();
        Assert.Equal(Hex("0F 00 13 00 0A"), Serve(pdu, null, unit));
        Assert.Equal(values, unit.GetCoils(0x13, 10));
        WriteMultipleCoilsFunction.DecodeResponse(Hex("0F 00 13 00 0A"), 1, pdu);
    }

    [Fact]
    public void Fc16_write_multiple_registers_spec_example()
    {
        var pdu = new byte[WriteMultipleRegistersFunction.RequestLength(2)];
        WriteMultipleRegistersFunction.EncodeRequest(pdu, 1, [0x000A, 0x0102]);
        Assert.Equal(Hex("10 00 01 00 02 04 00 0A 01 02"), pdu);
        Assert.Equal(Hex("10 00 01 00 02"), Serve(pdu));
        Assert.Throws<ModbusProtocolException>(() => WriteMultipleRegistersFunction.DecodeResponse(Hex("10 00 01 00 03"), 1, pdu));
    }

    [Fact]
    public void Fc23_read_write_multiple_registers_spec_example()
    {
        var pdu = new byte[ReadWriteMultipleRegistersFunction.RequestLength(3)];
        ReadWriteMultipleRegistersFunction.EncodeRequest(pdu, 3, 6, 0x0E, [0xFF, 0xFF, 0xFF]);
        Assert.Equal(Hex("17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF"), pdu);
        Assert.Equal([0xFE, 0xACD, 1, 3, 0xD, 0xFF], ReadWriteMultipleRegistersFunction.DecodeResponse(Hex("17 0C 00 FE 0A CD 00 01 00 03 00 0D 00 FF"), 1, 6));
        // The write happens first: register 0x0E..0x10 read back as written.
        var response = Serve(Hex("17 00 0E 00 03 00 0E 00 03 06 00 FF 00 FF 00 FF"));
        Assert.Equal(Hex("17 06 00 FF 00 FF 00 FF"), response);
    }

    [Fact]
    public void Exception_response_spec_example_surfaces_as_device_exception()
    {
        var ex = Assert.Throws<ModbusDeviceException>(() => ReadBitsFunction.DecodeResponse(Hex("81 02"), 7, ModbusFunctionCode.ReadCoils, 1));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        Assert.Equal(1, ex.FunctionCode);
        Assert.Equal(7, ex.UnitId);
        Assert.Equal(Hex("81 02"), Serve(Hex("01 04 A1 00 01"), null, new ModbusMemoryUnit(0x100)));
    }

    [Theory]
    [InlineData("01 00 00 00 00")]
    [InlineData("01 00 00 07 D1")]
    [InlineData("03 00 00 00 7E")]
    [InlineData("04 00 00 00 00")]
    [InlineData("0F 00 00 07 B1 F7")]
    [InlineData("10 00 00 00 7C F8")]
    [InlineData("10 00 00 00 02 03 00 01 02")]
    [InlineData("17 00 00 00 7E 00 00 00 01 02 00 01")]
    [InlineData("17 00 00 00 01 00 00 00 7A F4")]
    [InlineData("03 00 00")]
    public void Server_answers_out_of_range_quantities_and_malformed_requests_with_exception_03(string request)
    {
        var response = Serve(Hex(request));
        Assert.Equal(2, response.Length);
        Assert.Equal(0x03, response[1]);
        Assert.Equal(Hex(request)[0] | 0x80, response[0]);
    }

    [Fact]
    public void Client_rejects_quantities_outside_the_spec_before_sending()
    {
        var pdu = new byte[300];
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadBitsFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadCoils, 0, 2001));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadBitsFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadCoils, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadRegistersFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadHoldingRegisters, 0, 126));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadRegistersFunction.EncodeRequest(pdu, ModbusFunctionCode.ReadHoldingRegisters, 65535, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => WriteMultipleCoilsFunction.EncodeRequest(pdu, 0, new bool[1969]));
        Assert.Throws<ArgumentOutOfRangeException>(() => WriteMultipleRegistersFunction.EncodeRequest(pdu, 0, new ushort[124]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadWriteMultipleRegistersFunction.EncodeRequest(pdu, 0, 126, 0, new ushort[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadWriteMultipleRegistersFunction.EncodeRequest(pdu, 0, 1, 0, new ushort[122]));
        // The largest legal requests fit the 253-byte PDU.
        Assert.True(WriteMultipleCoilsFunction.EncodeRequest(pdu, 0, new bool[1968]) <= ModbusLimits.MaxPduLength);
        Assert.True(WriteMultipleRegistersFunction.EncodeRequest(pdu, 0, new ushort[123]) <= ModbusLimits.MaxPduLength);
        Assert.True(ReadWriteMultipleRegistersFunction.EncodeRequest(pdu, 0, 125, 0, new ushort[121]) <= ModbusLimits.MaxPduLength);
    }

    [Theory]
    [InlineData("01 00 13 00 13", 5)]
    [InlineData("0F 00 13 00 0A 02", 8)]
    [InlineData("10 00 01 00 02 04", 10)]
    [InlineData("17 00 03 00 06 00 0E 00 03 06", 16)]
    public void Request_length_is_predicted_from_the_function_code_and_byte_count(string prefix, int expected)
    {
        var bytes = Hex(prefix);
        Assert.Equal(expected, ModbusFunctions.Find(bytes[0])!.PredictRequestLength(bytes));
    }

    [Theory]
    [InlineData("01 03", 5)]
    [InlineData("03 06", 8)]
    [InlineData("05", 5)]
    [InlineData("10", 5)]
    [InlineData("17 0C", 14)]
    [InlineData("83", 2)]
    [InlineData("03", 0)]
    public void Response_length_is_predicted_from_the_function_code_and_byte_count(string prefix, int expected)
    {
        var bytes = Hex(prefix);
        Assert.Equal(expected, ModbusFunctions.Find((byte)(bytes[0] & 0x7F))!.PredictResponseLength(bytes));
    }

    private static byte[] Serve(byte[] request, Action<ModbusMemoryUnit>? setup = null, ModbusMemoryUnit? unit = null)
    {
        unit ??= new ModbusMemoryUnit();
        setup?.Invoke(unit);
        var response = new byte[ModbusLimits.MaxPduLength];
        int length = ModbusFunctions.Find(request[0])!.Serve(request, unit, response);
        return response[..length];
    }
}
