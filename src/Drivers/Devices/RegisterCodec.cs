using System.Text;

namespace Gateway.Drivers.Devices;

/// <summary>
/// Converts between raw register words and engineering values for one point location. Pure:
/// drivers use it to read and write devices, simulators to fill their register images, so both
/// sides agree by construction.
/// </summary>
internal static class RegisterCodec
{
    /// <summary>SunSpec's "not implemented" scale factor.</summary>
    public const short AbsentScaleFactor = short.MinValue;

    /// <summary>
    /// The raw integer (or float) a point's registers hold, or null when they hold a "not available"
    /// marker (SunSpec not-implemented for SunSpec points, the profile's <c>absent</c> value for all).
    /// </summary>
    public static double? DecodeRaw(ModbusPointLocation location, ReadOnlySpan<ushort> words)
    {
        if (words.Length < location.RegisterCount)
            throw new ArgumentException($"needs {location.RegisterCount} registers, got {words.Length}", nameof(words));
        var combinedBits = location.RegisterCount == 2
            ? location.WordOrder == WordOrder.HighFirst ? (uint)words[0] << 16 | words[1] : (uint)words[1] << 16 | words[0]
            : 0u;
        uint Combined() => combinedBits;
        var sunSpec = location.IsSunSpec;
        double raw;
        long bits;
        switch (location.DataType)
        {
            case RegisterDataType.Int16:
                bits = (short)words[0];
                if (sunSpec && words[0] == 0x8000) return null;
                raw = bits;
                break;
            case RegisterDataType.UInt16:
                bits = words[0];
                if (sunSpec && words[0] == 0xFFFF) return null;
                raw = bits;
                break;
            case RegisterDataType.Int32:
                bits = (int)Combined();
                if (sunSpec && Combined() == 0x8000_0000) return null;
                raw = bits;
                break;
            case RegisterDataType.UInt32:
                bits = Combined();
                if (sunSpec && Combined() == 0xFFFF_FFFF) return null;
                raw = bits;
                break;
            case RegisterDataType.Acc32:
                bits = Combined();
                if (sunSpec && bits == 0) return null;
                raw = bits;
                break;
            case RegisterDataType.Float32:
                var f = BitConverter.UInt32BitsToSingle(Combined());
                if (float.IsNaN(f)) return null;
                bits = Combined();
                raw = f;
                break;
            default:
                throw new ArgumentException("a string point has no numeric value", nameof(location));
        }
        if (location.AbsentRaw is { } absent && bits == absent) return null;
        return raw;
    }

    /// <summary>Engineering value of a raw value: raw × 10^(scale + SF), negated when the profile says so.</summary>
    public static double Scale(ModbusPointLocation location, double raw, int scaleFactor)
    {
        var value = raw * Math.Pow(10, location.ScaleExponent + scaleFactor);
        // 0 stays 0: a negated zero would print as "-0".
        return location.Negate && value != 0 ? -value : value;
    }

    /// <summary>The value of a point, or null when absent. <paramref name="scaleFactor"/> is the SF register's value (0 if none).</summary>
    public static double? Decode(ModbusPointLocation location, ReadOnlySpan<ushort> words, int scaleFactor = 0) =>
        DecodeRaw(location, words) is { } raw ? Scale(location, raw, scaleFactor) : null;

    /// <summary>The text of a string point (ASCII, two characters per register, trailing NULs and spaces dropped).</summary>
    public static string DecodeString(ReadOnlySpan<ushort> words)
    {
        var bytes = new byte[words.Length * 2];
        for (var i = 0; i < words.Length; i++)
        {
            bytes[2 * i] = (byte)(words[i] >> 8);
            bytes[2 * i + 1] = (byte)words[i];
        }
        return Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');
    }

    /// <summary>The registers of a string point holding <paramref name="text"/> (truncated, NUL padded).</summary>
    public static ushort[] EncodeString(string text, int registers)
    {
        var words = new ushort[registers];
        var bytes = Encoding.ASCII.GetBytes(text);
        for (var i = 0; i < Math.Min(bytes.Length, registers * 2); i++)
            words[i / 2] |= (ushort)(i % 2 == 0 ? bytes[i] << 8 : bytes[i]);
        return words;
    }

    /// <summary>
    /// The raw value that represents <paramref name="value"/> (the inverse of <see cref="Scale"/>),
    /// rounded to the register's resolution.
    /// </summary>
    public static double Unscale(ModbusPointLocation location, double value, int scaleFactor)
    {
        if (location.Negate) value = -value;
        var raw = value / Math.Pow(10, location.ScaleExponent + scaleFactor);
        return location.DataType == RegisterDataType.Float32 ? raw : Math.Round(raw, MidpointRounding.AwayFromZero);
    }

    /// <summary>The registers that hold <paramref name="value"/> for this point.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit the register type.</exception>
    public static ushort[] Encode(ModbusPointLocation location, double value, int scaleFactor = 0) =>
        EncodeRaw(location, Unscale(location, value, scaleFactor));

    /// <summary>The registers that hold the raw value <paramref name="raw"/> (markers such as 0xFFFF included).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The raw value does not fit the register type.</exception>
    public static ushort[] EncodeRaw(ModbusPointLocation location, double raw)
    {
        uint bits;
        switch (location.DataType)
        {
            case RegisterDataType.Int16:
                CheckRange(raw, short.MinValue, short.MaxValue);
                return [(ushort)(short)raw];
            case RegisterDataType.UInt16:
                CheckRange(raw, 0, ushort.MaxValue);
                return [(ushort)raw];
            case RegisterDataType.Int32:
                CheckRange(raw, int.MinValue, int.MaxValue);
                bits = (uint)(int)raw;
                break;
            case RegisterDataType.UInt32 or RegisterDataType.Acc32:
                CheckRange(raw, 0, uint.MaxValue);
                bits = (uint)raw;
                break;
            case RegisterDataType.Float32:
                bits = BitConverter.SingleToUInt32Bits((float)raw);
                break;
            default:
                throw new ArgumentException("use EncodeString for a string point", nameof(location));
        }
        var high = (ushort)(bits >> 16);
        var low = (ushort)bits;
        return location.WordOrder == WordOrder.HighFirst ? [high, low] : [low, high];

        static void CheckRange(double raw, double min, double max)
        {
            if (double.IsNaN(raw) || raw < min || raw > max)
                throw new ArgumentOutOfRangeException(nameof(raw), raw, $"raw value does not fit {min}..{max}");
        }
    }

    /// <summary>The smallest step the point can represent, in its unit.</summary>
    public static double Resolution(ModbusPointLocation location, int scaleFactor) =>
        location.DataType == RegisterDataType.Float32 ? 1e-6 : Math.Pow(10, location.ScaleExponent + scaleFactor);
}
