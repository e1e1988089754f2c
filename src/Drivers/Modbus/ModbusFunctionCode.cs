namespace Gateway.Drivers.Modbus;

/// <summary>The public function codes this stack implements (Modbus Application Protocol v1.1b3, §6).</summary>
internal enum ModbusFunctionCode : byte
{
    /// <summary>FC1.</summary>
    ReadCoils = 0x01,
    /// <summary>FC2.</summary>
    ReadDiscreteInputs = 0x02,
    /// <summary>FC3.</summary>
    ReadHoldingRegisters = 0x03,
    /// <summary>FC4.</summary>
    ReadInputRegisters = 0x04,
    /// <summary>FC5.</summary>
    WriteSingleCoil = 0x05,
    /// <summary>FC6.</summary>
    WriteSingleRegister = 0x06,
    /// <summary>FC15.</summary>
    WriteMultipleCoils = 0x0F,
    /// <summary>FC16.</summary>
    WriteMultipleRegisters = 0x10,
    /// <summary>FC23.</summary>
    ReadWriteMultipleRegisters = 0x17,
}
