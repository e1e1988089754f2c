using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;
using MqttClientConnectResultCode = MQTTnet.MqttClientConnectResultCode;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>
/// The device error contract: drivers throw one <see cref="DeviceException"/> family whose kind and transience follow
/// from what the transport saw, with the transport's exception kept inside; cancellations and bugs pass unchanged.
/// </summary>
public sealed class DeviceErrorContractTests
{
    public static TheoryData<string, Exception, DeviceErrorKind, bool> Failures() => new()
    {
        { "modbus timeout", new ModbusTimeoutException("no answer", TimeSpan.FromSeconds(1)), DeviceErrorKind.Timeout, true },
        { "refused connect", new ModbusCommunicationException("cannot connect", new SocketException((int)SocketError.ConnectionRefused)), DeviceErrorKind.Unreachable, true },
        { "serial port missing", new ModbusCommunicationException("cannot open", new IOException("no such device")), DeviceErrorKind.Unreachable, false },
        { "garbled frame", new ModbusProtocolException("byte count 7 should be 2 × 4"), DeviceErrorKind.Protocol, true },
        { "device busy", new ModbusDeviceException(3, 3, ModbusExceptionCode.ServerDeviceBusy), DeviceErrorKind.Refused, true },
        { "gateway target", new ModbusDeviceException(3, 3, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond), DeviceErrorKind.Refused, true },
        { "illegal address", new ModbusDeviceException(3, 3, ModbusExceptionCode.IllegalDataAddress), DeviceErrorKind.Refused, false },
        { "illegal value", new ModbusDeviceException(3, 16, ModbusExceptionCode.IllegalDataValue), DeviceErrorKind.Refused, false },
        { "bad credentials", new MqttConnectException(MqttClientConnectResultCode.BadUserNameOrPassword), DeviceErrorKind.Unreachable, false },
        { "broker garbled", new MqttProtocolException("malformed remaining length from the broker"), DeviceErrorKind.Protocol, true },
        { "subscription refused", new MqttSubscribeException("v2g/ev-1/state"), DeviceErrorKind.Refused, false },
        { "broker gone", new MqttCommunicationException("connection lost"), DeviceErrorKind.Unreachable, true },
        { "tty gone", new IOException("Serial port /dev/ttyUSB0 was closed or unplugged."), DeviceErrorKind.Unreachable, false },
        { "absent basis", new InvalidOperationException("RatedPowerKw is absent"), DeviceErrorKind.BadValue, false },
        { "not a number", new ArgumentOutOfRangeException("powerKw", double.NaN, "a setpoint must be a finite number of kW"), DeviceErrorKind.BadValue, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Transport_failures_become_device_exceptions_with_a_kind_and_the_cause_inside(string what, Exception cause, DeviceErrorKind kind, bool transient)
    {
        var e = DeviceFailures.Translate(cause, "pile-3 (modbus-tcp://10.0.0.7:502 unit 3)");
        Assert.NotNull(e);
        Assert.Equal((kind, transient), (e.Kind, e.IsTransient));
        Assert.Same(cause, e.InnerException);
        Assert.Equal("pile-3 (modbus-tcp://10.0.0.7:502 unit 3)", e.Device);
        Assert.Contains("pile-3", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(what));
    }

    [Fact]
    public void A_modbus_exception_response_keeps_its_code_and_explains_it()
    {
        var e = DeviceFailures.Translate(new ModbusDeviceException(9, 3, ModbusExceptionCode.GatewayPathUnavailable), "gw unit 9")!;
        Assert.Equal(0x0A, e.DeviceCode);
        Assert.Contains("exception 0A (gateway path unavailable", e.Message);
        Assert.Contains("unit id 9 — wrong unit id?", e.Message);
    }

    [Fact]
    public void Cancellations_device_exceptions_and_bugs_travel_unchanged()
    {
        Assert.Null(DeviceFailures.Translate(new OperationCanceledException(), "x"));
        Assert.Null(DeviceFailures.Translate(new ObjectDisposedException("driver"), "x"));
        Assert.Null(DeviceFailures.Translate(new DeviceException(DeviceErrorKind.Timeout, "x", "late", true), "x"));
        Assert.Null(DeviceFailures.Translate(new NullReferenceException(), "x"));
    }

    [Fact]
    public void The_family_carries_its_kinds()
    {
        Assert.Equal(DeviceErrorKind.Refused, new SetpointRejectedException("v2g/ev-1", 2, "fault").Kind);
        Assert.False(new SetpointRejectedException("v2g/ev-1", 2, "fault").IsTransient);
        Assert.Equal(DeviceErrorKind.Timeout, new MqttDeviceTimeoutException("v2g/ev-1", "no ack").Kind);
        Assert.True(new MqttDeviceTimeoutException("v2g/ev-1", "no ack").IsTransient);
        Assert.Equal(DeviceErrorKind.BadValue, new Gateway.Drivers.Devices.SunSpec.SunSpecDiscoveryException("unit 1", "no marker").Kind);
    }

    [Fact]
    public async Task A_modbus_driver_behind_a_closed_port_says_unreachable_with_the_socket_error_inside()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        await using var driver = new ModbusDeviceDriver(new ModbusTcpClient("127.0.0.1", port), 1, ProfileLoader.Load("v2g-charger"), ownsClient: true)
        {
            Name = $"modbus-tcp://127.0.0.1:{port} unit 1",
        };
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
        Assert.True(e.IsTransient);
        Assert.IsType<ModbusCommunicationException>(e.InnerException);
        Assert.Equal($"cannot reach modbus-tcp://127.0.0.1:{port} unit 1: connection refused (nothing listens on that port)", e.Message);
    }

    [Fact]
    public async Task An_mqtt_driver_behind_a_closed_port_says_unreachable_with_the_broker_named()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "contract", Reconnect = new MqttReconnectOptions { Enabled = false } });
        await using var driver = new MqttDeviceDriver(new MqttDeviceConnection(client, $"mqtt://127.0.0.1:{port}"), "ev-1", ProfileLoader.Load("mqtt-charger"), ownsConnection: true);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
        Assert.IsAssignableFrom<MqttCommunicationException>(e.InnerException);
        Assert.Contains("cannot reach the broker of v2g/ev-1", e.Message);
        Assert.Contains("connection refused", e.Message);
    }
}
