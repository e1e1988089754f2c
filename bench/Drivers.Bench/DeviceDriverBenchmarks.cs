using BenchmarkDotNet.Attributes;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.Bench;

/// <summary>
/// Cost of the generic device driver itself (read planning, decoding, quality, setpoint clamping),
/// with the device in memory so no transport time is included. Run:
/// <c>dotnet run -c Release --project bench/Drivers.Bench -- --filter '*DeviceDriver*'</c>
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
[MemoryDiagnoser]
public class DeviceDriverBenchmarks
{
    private ModbusDeviceDriver _charger = null!;
    private ModbusDeviceDriver _inverter = null!;
    private ModbusDeviceDriver _meter = null!;
    private ModbusPointLocation _int32 = null!;
    private readonly ushort[] _words = [0x0001, 0x86A0];

    [GlobalSetup]
    public async Task Setup()
    {
        var charger = new RegisterImage(ProfileLoader.Load("v2g-charger"));
        charger.Set("MinPowerKw", -7.4);
        charger.Set("MaxPowerKw", 7.4);
        charger.Set("SocPercent", 50);
        charger.Set("WatchdogSeconds", 60);
        _charger = new ModbusDeviceDriver(new ImageClient(charger), 1, charger.Profile);

        var inverter = new RegisterImage(ProfileLoader.Load("sunspec-inverter"));
        inverter.Set("RatedPowerScale", 0);
        inverter.Set("RatedPowerKw", 10);
        inverter.Set("PowerScale", 0);
        inverter.Set("PowerKw", 4.2);
        inverter.Set("PowerLimitScale", -1);
        _inverter = new ModbusDeviceDriver(new ImageClient(inverter), 1, inverter.Profile);

        var meter = new RegisterImage(ProfileLoader.Load("sunspec-meter"));
        meter.Set("PowerScale", 1);
        meter.Set("PowerKw", -12.5);
        _meter = new ModbusDeviceDriver(new ImageClient(meter), 1, meter.Profile);

        // First reads discover SunSpec chains and learn block splits; the benchmarks measure steady state.
        await _charger.ReadAsync();
        await _inverter.ReadAsync();
        await _meter.ReadAsync();
        _int32 = new ModbusPointLocation { Address = 0, DataType = RegisterDataType.Int32, ScaleExponent = -3 };
    }

    [Benchmark]
    public Task<DeviceReading> ReadCharger() => _charger.ReadAsync();

    [Benchmark]
    public Task<DeviceReading> ReadSunSpecInverter() => _inverter.ReadAsync();

    [Benchmark]
    public Task<DeviceReading> ReadSunSpecMeter() => _meter.ReadAsync();

    [Benchmark]
    public Task<SetpointResult> WriteChargerSetpoint() => _charger.WriteSetpointAsync(-3.3, TimeSpan.FromSeconds(60));

    [Benchmark]
    public double? DecodeInt32Point() => RegisterCodec.Decode(_int32, _words, 0);

    // An IModbusClient answering from a register image, so only the driver's own work is timed.
    private sealed class ImageClient(RegisterImage image) : IModbusClient
    {
        public Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        {
            var values = new ushort[count];
            return Check(unitId, 3, image.ReadHoldingRegisters(address, values), values);
        }
        public Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
        {
            var values = new ushort[count];
            return Check(unitId, 4, image.ReadInputRegisters(address, values), values);
        }
        public Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) =>
            Check(unitId, 6, image.WriteHoldingRegisters(address, [value]), 0);
        public Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
            Check(unitId, 16, image.WriteHoldingRegisters(address, values.Span), 0);
        public Task<ushort[]> ReadWriteMultipleRegistersAsync(byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static Task<T> Check<T>(byte unitId, byte function, ModbusExceptionCode code, T result) =>
            code == ModbusExceptionCode.None ? Task.FromResult(result) : Task.FromException<T>(new ModbusDeviceException(unitId, function, code));
    }
}
