using System.Buffers.Binary;
using System.Device.I2c;

namespace Gateway.Testing;

/// <summary>
/// An INA219 on an I²C bus, modelled at register level from TI SBOS448 so that the real Ina219 binding runs against
/// it: a register pointer set by a one-byte write, two-byte big-endian reads, the configuration reset bit, calibration
/// bit 0 held at 0, the shunt ADC clipped at the PGA range, and current = shunt × calibration / 4096,
/// power = |current| × bus / 5000 computed on the chip as the datasheet says.
/// </summary>
public sealed class FakeIna219Device(double shuntOhms, int address = 0x40, int busId = 1) : I2cDevice
{
    public const ushort DefaultConfiguration = 0x399F;
    private readonly object _gate = new();
    private ushort _configuration = DefaultConfiguration;
    private ushort _calibration;
    private byte _pointer;

    /// <summary>The current the bench pushes through the shunt, A (positive: IN+ → IN−).</summary>
    public double ShuntCurrentA { get; set; }

    /// <summary>The voltage on IN− against ground, V.</summary>
    public double BusVoltageV { get; set; }

    /// <summary>Make every transfer fail with an I/O error (the chip does not acknowledge).</summary>
    public bool Nak { get; set; }

    /// <summary>Every register written: (register, value).</summary>
    public List<(byte Register, ushort Value)> RegisterWrites { get; } = [];

    /// <summary>Simulate a brown-out: the chip forgets calibration and configuration.</summary>
    public void PowerCycle()
    {
        lock (_gate) { _configuration = DefaultConfiguration; _calibration = 0; }
    }

    public ushort CalibrationRegister { get { lock (_gate) return _calibration; } }

    public ushort ConfigurationRegister { get { lock (_gate) return _configuration; } }

    public override I2cConnectionSettings ConnectionSettings => new(busId, address);

    private double PgaFullScaleV => ((_configuration >> 11) & 0x3) switch { 0 => 0.04, 1 => 0.08, 2 => 0.16, _ => 0.32 };

    private short ShuntCounts()
    {
        var v = Math.Clamp(ShuntCurrentA * shuntOhms, -PgaFullScaleV, PgaFullScaleV);
        return (short)Math.Round(v / 10e-6);
    }

    private int BusCounts() => (int)Math.Clamp(Math.Round(BusVoltageV / 0.004), 0, 8191);

    private ushort Register(byte register)
    {
        switch (register)
        {
            case 0: return _configuration;
            case 1: return (ushort)ShuntCounts();
            case 2:
                var overflow = CurrentCounts() is < short.MinValue or > short.MaxValue ? 1 : 0;
                return (ushort)((BusCounts() << 3) | 0x2 | overflow);
            case 3: return (ushort)Math.Min(0xFFFF, Math.Abs(Math.Clamp(CurrentCounts(), short.MinValue, short.MaxValue)) * (long)BusCounts() / 5000);
            case 4: return (ushort)(short)Math.Clamp(CurrentCounts(), short.MinValue, short.MaxValue);
            case 5: return _calibration;
            default: throw new IOException($"register {register} does not exist");
        }
    }

    // Datasheet eq. 4: the chip computes current from the shunt counts and the calibration register (0 until calibrated).
    private long CurrentCounts() => (long)ShuntCounts() * _calibration / 4096;

    public override byte ReadByte() => throw new NotSupportedException("the INA219 is read two bytes at a time");

    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            if (Nak) throw new IOException("Remote I/O error (no ACK from 0x40)");
            if (buffer.Length != 2) throw new IOException($"read of {buffer.Length} bytes; the INA219 answers 2");
            BinaryPrimitives.WriteUInt16BigEndian(buffer, Register(_pointer));
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            if (Nak) throw new IOException("Remote I/O error (no ACK from 0x40)");
            if (buffer.Length is not (1 or 3)) throw new IOException($"write of {buffer.Length} bytes; the INA219 takes a pointer (1) or pointer + value (3)");
            if (buffer[0] > 5) throw new IOException($"register pointer {buffer[0]} does not exist");
            _pointer = buffer[0];
            if (buffer.Length == 1) return;
            var value = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]);
            RegisterWrites.Add((_pointer, value));
            if (_pointer == 0)
            {
                if ((value & 0x8000) != 0) { _configuration = DefaultConfiguration; _calibration = 0; }
                else _configuration = (ushort)(value & 0x3FFF);
            }
            else if (_pointer == 5) _calibration = (ushort)(value & 0xFFFE);
            // Registers 1–4 are read-only: the chip ignores writes to them.
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }
}
