using System.Text;
using System.Text.Json;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Codec;
using Gateway.Drivers.Modbus.Server;
using Gateway.Drivers.Modbus.Tcp;
using Gateway.Market;
using Gateway.Market.Contracts;
using Gateway.Market.Validation;

namespace Gateway.Fuzz;

/// <summary>Every parser that takes input from outside: the Modbus codecs (both sides, TCP and RTU framing), the MQTT payload decoder, the two rig parsers and the market round.</summary>
internal static class FuzzTargets
{
    private static readonly ModbusFunctionCode[] ClientCodes =
    [
        ModbusFunctionCode.ReadCoils, ModbusFunctionCode.ReadDiscreteInputs, ModbusFunctionCode.ReadHoldingRegisters, ModbusFunctionCode.ReadInputRegisters,
        ModbusFunctionCode.WriteSingleCoil, ModbusFunctionCode.WriteSingleRegister, ModbusFunctionCode.WriteMultipleCoils, ModbusFunctionCode.WriteMultipleRegisters,
        ModbusFunctionCode.ReadWriteMultipleRegisters,
    ];

    private static readonly Lazy<IReadOnlyList<DeviceProfile>> MqttProfiles = new(() =>
        ProfileLoader.ShippedProfileNames().Where(n => n.StartsWith("mqtt-", StringComparison.Ordinal)).Select(ProfileLoader.Load).ToList());

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("modbus-request-pdu", ServeRequest, _ => false, IsText: false),
        new("modbus-response-pdu", DecodeResponse, IsModbusError, IsText: false),
        new("modbus-tcp-stream", ServeTcpStream, IsModbusError, IsText: false),
        new("modbus-rtu-stream", ServeRtuStream, IsModbusError, IsText: false),
        new("mqtt-telemetry", DecodeTelemetry, e => e is JsonException, IsText: true),
        new("rig-host", text => RigLoader.Parse(Text(text), "fuzz/rig.yaml"), e => e is RigFileException, IsText: true),
        new("rig-sims", text => RigLoader.ParseSimulated(Text(text), "fuzz/rig.yaml"), e => e is RigFileException, IsText: true),
        new("rig-agreement", RefusedBySimulatorsIsRefusedByGateway, e => e is RigFileException, IsText: true),
        new("round-json", ParseAndClearRound, e => e is RoundValidationException or InvalidOperationException, IsText: true),
        new("device-profile", text => ProfileLoader.Parse(Text(text), "fuzz/profile.yaml"), e => e is ProfileLoadException, IsText: true),
        new("ocpp-frame", ReceiveOcppFrame, e => e is Gateway.Drivers.Ocpp.OcppFrameException or Gateway.Drivers.Ocpp.OcppCallErrorException, IsText: true),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    private static bool IsModbusError(Exception e) => e is ModbusProtocolException or ModbusDeviceException;

    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    /// <summary>
    /// The gateway must refuse every simulated rig (one with a <c>sim:</c> block) the simulators refuse: a rig the gateway runs
    /// against simulators that will not start (or start with other devices) is a lab's worst case. A rig for real hardware (no
    /// <c>sim:</c> blocks) is the gateway's alone, and the gateway also checks its own sections (market, feeder, ledger,
    /// operator) that the simulators never read, so the converse does not hold.
    /// </summary>
    private static bool HasSimBlock(string text)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0].RootNode is YamlDotNet.RepresentationModel.YamlMappingNode root
               && root.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode("devices"), out var devices)
               && devices is YamlDotNet.RepresentationModel.YamlSequenceNode list
               && list.Children.OfType<YamlDotNet.RepresentationModel.YamlMappingNode>()
                   .Any(d => d.Children.ContainsKey(new YamlDotNet.RepresentationModel.YamlScalarNode("sim")));
    }

    private static void RefusedBySimulatorsIsRefusedByGateway(byte[] input)
    {
        var text = Text(input);
        RigFileException? simulators = null;
        try { RigLoader.ParseSimulated(text, "fuzz/rig.yaml"); }
        catch (RigFileException e) { simulators = e; }

        if (simulators is null) return;
        try { RigLoader.Parse(text, "fuzz/rig.yaml"); }
        catch (RigFileException) { return; }

        if (!HasSimBlock(text)) return;

        throw new FuzzInvariantException($"the simulators refuse this rig but the gateway accepts it; the simulators said: {string.Join("; ", simulators.Problems)}");
    }

    /// <summary>Server side: any PDU to unit input[0]; the server answers every one (an exception code at worst) and never throws.</summary>
    private static void ServeRequest(byte[] input)
    {
        if (input.Length < 2)
        {
            return;
        }

        var pdu = input.AsSpan(1, Math.Min(input.Length - 1, ModbusLimits.MaxPduLength));
        Span<byte> response = stackalloc byte[ModbusLimits.MaxPduLength];
        var reply = NewHandler().Handle(input[0], pdu, response, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
        if (reply.Length is < 2 or > ModbusLimits.MaxPduLength)
        {
            throw new FuzzInvariantException($"response PDU of {reply.Length} bytes");
        }

        // RTU: the server predicts where a request ends from its first bytes; never negative, never beyond the PDU limit unless it says "drop".
        if (ModbusFunctions.Find(pdu[0]) is { } function && function.PredictRequestLength(pdu) < 0)
        {
            throw new FuzzInvariantException("negative request length predicted");
        }
    }

    /// <summary>Client side: input[0] picks the request (function code and quantity), the rest is the answer.</summary>
    private static void DecodeResponse(byte[] input)
    {
        if (input.Length < 2)
        {
            return;
        }

        var code = ClientCodes[input[0] % ClientCodes.Length];
        ushort count = (ushort)(1 + input[1] % 125);
        var pdu = input.AsSpan(2);
        if (ModbusFunctions.Find((byte)code)!.PredictResponseLength(pdu) < 0)
        {
            throw new FuzzInvariantException("negative response length predicted");
        }

        DecodeAs(code, count, pdu, unitId: 1);
    }

    private static void DecodeAs(ModbusFunctionCode code, ushort count, ReadOnlySpan<byte> pdu, byte unitId)
    {
        Span<byte> request = stackalloc byte[ModbusLimits.MaxPduLength];
        switch (code)
        {
            case ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs:
                CheckCount(ReadBitsFunction.DecodeResponse(pdu, unitId, code, count).Length, count);
                break;
            case ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters:
                CheckCount(ReadRegistersFunction.DecodeResponse(pdu, unitId, code, count).Length, count);
                break;
            case ModbusFunctionCode.ReadWriteMultipleRegisters:
                CheckCount(ReadWriteMultipleRegistersFunction.DecodeResponse(pdu, unitId, count).Length, count);
                break;
            case ModbusFunctionCode.WriteSingleCoil:
                WriteSingleCoilFunction.EncodeRequest(request, 7, true);
                WriteSingleCoilFunction.DecodeResponse(pdu, unitId, request[..WriteSingleCoilFunction.Length]);
                break;
            case ModbusFunctionCode.WriteSingleRegister:
                WriteSingleRegisterFunction.EncodeRequest(request, 7, 0x1234);
                WriteSingleRegisterFunction.DecodeResponse(pdu, unitId, request[..WriteSingleRegisterFunction.Length]);
                break;
            case ModbusFunctionCode.WriteMultipleCoils:
            {
                var bits = new bool[count];
                WriteMultipleCoilsFunction.EncodeRequest(request, 7, bits);
                WriteMultipleCoilsFunction.DecodeResponse(pdu, unitId, request[..WriteMultipleCoilsFunction.RequestLength(count)]);
                break;
            }

            default:
            {
                var registers = new ushort[Math.Min(count, (ushort)ModbusLimits.MaxWriteRegisters)];
                WriteMultipleRegistersFunction.EncodeRequest(request, 7, registers);
                WriteMultipleRegistersFunction.DecodeResponse(pdu, unitId, request[..WriteMultipleRegistersFunction.RequestLength(registers.Length)]);
                break;
            }
        }
    }

    private static void CheckCount(int decoded, int asked)
    {
        if (decoded != asked)
        {
            throw new FuzzInvariantException($"decoded {decoded} values for {asked} asked");
        }
    }

    /// <summary>A byte stream on a Modbus TCP connection: MBAP framing, then each frame served (server side) and decoded as an answer (client side).</summary>
    private static void ServeTcpStream(byte[] input)
    {
        var handler = NewHandler();
        Span<byte> response = stackalloc byte[ModbusLimits.MaxPduLength];
        var stream = input.AsSpan();
        while (stream.Length >= MbapHeader.Size)
        {
            var header = MbapHeader.Read(stream);
            if (header.Problem() is { } problem)
            {
                // Both sides close the connection on this: the documented protocol violation.
                throw new ModbusProtocolException(problem);
            }

            int frameLength = MbapHeader.Size + header.PduLength;
            if (stream.Length < frameLength)
            {
                return;
            }

            var pdu = stream.Slice(MbapHeader.Size, header.PduLength);
            var reply = handler.Handle(header.UnitId, pdu, response, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
            if (reply.Length is < 2 or > ModbusLimits.MaxPduLength)
            {
                throw new FuzzInvariantException($"response PDU of {reply.Length} bytes");
            }

            try
            {
                DecodeAs(ClientCodes[header.TransactionId % ClientCodes.Length], (ushort)(1 + header.TransactionId % 125), pdu, header.UnitId);
            }
            catch (Exception e) when (IsModbusError(e))
            {
                // An answer the client refuses; the stream goes on.
            }

            stream = stream[frameLength..];
        }
    }

    /// <summary>
    /// A byte stream on an RTU line, framed as the RTU server frames it: the length predicted from the function
    /// code and byte count, the CRC checked, a frame that cannot be one dropped byte by byte.
    /// </summary>
    private static void ServeRtuStream(byte[] input)
    {
        var handler = NewHandler();
        Span<byte> response = stackalloc byte[ModbusLimits.MaxPduLength];
        var line = input.AsSpan();
        while (line.Length >= 4)
        {
            var function = ModbusFunctions.Find(line[1]);
            int pduLength = function?.PredictRequestLength(line[1..]) ?? line.Length - 3;
            if (pduLength < 0)
            {
                throw new FuzzInvariantException($"negative request length {pduLength} predicted for function 0x{line[1]:X2}");
            }

            if (pduLength == 0)
            {
                return;
            }

            int frameLength = 1 + pduLength + 2;
            if (frameLength > 256 || frameLength > line.Length)
            {
                line = line[1..];
                continue;
            }

            var frame = line[..frameLength];
            if (ModbusCrc16.IsValid(frame))
            {
                handler.Handle(frame[0], frame[1..^2], response, ModbusExceptionCode.None, isBroadcast: frame[0] == 0);
                if (function is not null && function.PredictResponseLength(response) < 0)
                {
                    throw new FuzzInvariantException("negative response length predicted");
                }

                line = line[frameLength..];
            }
            else
            {
                line = line[1..];
            }
        }
    }

    /// <summary>A telemetry payload as every shipped MQTT profile would decode it: each point's value is absent, a finite number, text, or a named wrong type.</summary>
    /// <summary>
    /// One frame as the gateway's OCPP endpoint receives it: the OCPP-J codec, the schema check of both versions, and for a CALL
    /// that passes it the local CSMS's handler and a read of the station's state through the charger driver. Anything but a
    /// CALLERROR-shaped refusal is a crash; a value the station keeps must be finite.
    /// </summary>
    private static void ReceiveOcppFrame(byte[] input)
    {
        foreach (var version in new[] { Gateway.Drivers.Ocpp.OcppVersion.Ocpp201, Gateway.Drivers.Ocpp.OcppVersion.Ocpp21 })
        {
            Gateway.Drivers.Ocpp.OcppMessage message;
            try { message = Gateway.Drivers.Ocpp.OcppFrameCodec.Parse(input, version); }
            catch (Gateway.Drivers.Ocpp.OcppFrameException e) { _ = Gateway.Drivers.Ocpp.OcppFrameCodec.Encode(e.ToCallError()); continue; }
            _ = Gateway.Drivers.Ocpp.OcppFrameCodec.Encode(message);
            if (message is not Gateway.Drivers.Ocpp.OcppCall call) continue;
            if (Gateway.Drivers.Ocpp.OcppSchemas.Instance.Validate(version, call.Action, request: true, call.Payload) is not null) continue;
            var station = new Gateway.Drivers.Devices.Ocpp.OcppStation("fuzz");
            try { station.HandleAsync(call, CancellationToken.None).AsTask().GetAwaiter().GetResult(); }
            catch (Gateway.Drivers.Ocpp.OcppCallErrorException) { }
            foreach (var evse in new[] { 0, 1, 2 })
            {
                var state = station.Evse(evse);
                foreach (var sample in new[] { state.PowerKw, state.EnergyImportedKwh, state.EnergyExportedKwh, state.SocPercent, state.SetpointKw })
                    if (sample is { } s && !double.IsFinite(s.Value)) throw new FuzzInvariantException($"{call.Action}: a value that is not finite ({s.Value})");
            }
        }
    }

    private static void DecodeTelemetry(byte[] input)
    {
        using var document = JsonDocument.Parse(input);
        var root = document.RootElement;
        foreach (var profile in MqttProfiles.Value)
        {
            foreach (var point in profile.Points)
            {
                var location = profile.Mqtt!.Locations[point.Name];
                if (root.ValueKind != JsonValueKind.Object || !location.Field.TryFind(root, out var field))
                {
                    continue;
                }

                var value = MqttFieldDecoder.Decode(point, location, field);
                if (value.Kind == MqttFieldKind.Number && (value.Value is not { } number || !double.IsFinite(number)))
                {
                    throw new FuzzInvariantException($"{profile.Name}.{point.Name}: a number that is not finite ({value.Value}) from {field.GetRawText()}");
                }
            }
        }

        // The field paths of topic maps come from profile files: any text is either refused with a reason or usable.
        if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in root.EnumerateObject())
            {
                string name;
                try
                {
                    name = property.Name;
                }
                catch (InvalidOperationException)
                {
                    // A name that is not valid UTF-8: JsonDocument's own refusal, not the path parser's.
                    continue;
                }

                if (MqttJsonPath.Check(name) is null)
                {
                    MqttJsonPath.Parse(name).TryFind(root, out _);
                }
            }
        }
    }

    /// <summary>The `clear` verb's input: parsed and validated, then cleared (small rounds: the clearing is exact and exponential in the worst case).</summary>
    private static void ParseAndClearRound(byte[] input)
    {
        var round = RoundJson.Parse(Text(input));
        if (round.Participants.Count <= 24)
        {
            new MarketCore().Clear(round);
        }
    }

    private static ModbusRequestHandler NewHandler()
    {
        var unit = new ModbusMemoryUnit(1000);
        return new ModbusRequestHandler(id => id is 1 or 2 or 17 ? unit : null, null, new ModbusServerCounters());
    }
}
