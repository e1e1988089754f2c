using Gateway.Drivers.Modbus.Codec;

namespace Gateway.Drivers.Modbus.Server;

/// <summary>
/// The transport-independent half of a server: asks the fault plan, finds the unit and the
/// function codec, and produces the response PDU. TCP and RTU servers frame its answer.
/// </summary>
internal sealed class ModbusRequestHandler(Func<byte, IModbusServerUnit?> resolveUnit, IModbusFaultPlan? faults, ModbusServerCounters counters)
{
    /// <param name="unitId">Addressed unit.</param>
    /// <param name="request">Request PDU (function code first, at least one byte).</param>
    /// <param name="response">Room for the largest PDU.</param>
    /// <param name="unknownUnitAnswer">
    /// What to answer for a unit id nobody serves: <see cref="ModbusExceptionCode.None"/> means stay silent
    /// (RTU: another device on the bus may own it).
    /// </param>
    /// <param name="isBroadcast">Execute but never answer (RTU address 0).</param>
    public ModbusServerReply Handle(byte unitId, ReadOnlySpan<byte> request, Span<byte> response, ModbusExceptionCode unknownUnitAnswer, bool isBroadcast = false)
    {
        counters.CountRequest();
        byte functionCode = request[0];
        var fault = faults?.Next(unitId, functionCode) ?? ModbusFault.None;
        switch (fault.Kind)
        {
            case ModbusFaultKind.NoAnswer:
            case ModbusFaultKind.Disconnect:
                counters.CountUnanswered();
                return new ModbusServerReply(fault.Kind, 0);
            case ModbusFaultKind.Exception:
                counters.CountResponse(isException: true);
                return new ModbusServerReply(ModbusFaultKind.None, ModbusPdu.WriteException(response, (byte)(functionCode & 0x7F), fault.ExceptionCode));
        }

        var unit = resolveUnit(unitId);
        int length;
        if (unit is null)
        {
            if (unknownUnitAnswer == ModbusExceptionCode.None)
            {
                counters.CountUnanswered();
                return ModbusServerReply.Silent;
            }

            length = ModbusPdu.WriteException(response, (byte)(functionCode & 0x7F), unknownUnitAnswer);
        }
        else if (ModbusFunctions.Find(functionCode) is { } function)
        {
            length = function.Serve(request, unit, response);
        }
        else
        {
            length = ModbusPdu.WriteException(response, (byte)(functionCode & 0x7F), ModbusExceptionCode.IllegalFunction);
        }

        if (isBroadcast)
        {
            counters.CountUnanswered();
            return ModbusServerReply.Silent;
        }

        counters.CountResponse(isException: (response[0] & ModbusPdu.ExceptionFlag) != 0);
        return new ModbusServerReply(fault.Kind, length, fault.Delay);
    }
}
