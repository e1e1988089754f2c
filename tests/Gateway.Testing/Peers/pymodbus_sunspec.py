"""Independent SunSpec devices for the tests: pymodbus servers whose register maps are laid out here straight from the
SunSpec model definitions (offsets from each model's ID register), not from the gateway's profiles. Usage:
  pymodbus_sunspec.py tcp UNITS [--silent-missing]
  pymodbus_sunspec.py rtu DEVICE BAUD UNITS
UNITS is UNIT:KIND[,UNIT:KIND...] with KIND one of
  inv103         three-phase integer inverter (models 1, 103, 120, 123)
  inv101         single-phase integer inverter (models 1, 101, 120, 123)
  inv103-noplate inverter without the nameplate model 120 (models 1, 103, 123)
  inv113         three-phase float inverter (models 1, 113, 120, 123)
  meter203       wye meter (models 1, 203)
  plain          no SunSpec: holding registers 0..3999 hold a*3+unit
--silent-missing: unit ids that are not served stay silent (a real RS-485 line) instead of exception 0B (a TCP gateway).
Prints "READY <port-or-device>" once it serves; exits when stdin closes."""
import asyncio
import logging
import os
import struct
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.factory import ServerDecoder
from pymodbus.server.async_io import ModbusTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer


def text(s, regs):
    b = s.encode("ascii").ljust(regs * 2, b"\0")
    return [b[i] << 8 | b[i + 1] for i in range(0, regs * 2, 2)]


def s16(v):
    return v & 0xFFFF


def f32(v):
    hi, lo = struct.unpack(">HH", struct.pack(">f", v))
    return [hi, lo]


def common(unit, model):
    c = [0] * 66
    c[0:16] = text("PyModbus SunSpec", 16)   # Mn +2
    c[16:32] = text(model, 16)               # Md +18
    c[40:48] = text("3.0.0", 8)              # Vr +42
    c[48:64] = text(f"PY-{unit:03d}", 16)    # SN +50
    c[64] = unit                             # DA +66
    return [1, 66] + c


def int_inverter(model_id):
    inv = [0xFFFF] * 50
    inv[0] = 123; inv[4] = s16(-1)           # A +2, A_SF +6        -> 12.3 A
    inv[8] = 2301; inv[11] = s16(-1)         # PhVphA +10, V_SF +13 -> 230.1 V
    inv[12] = 4321; inv[13] = 0              # W +14, W_SF +15      -> 4.321 kW
    inv[14] = 5001; inv[15] = s16(-2)        # Hz +16, Hz_SF +17    -> 50.01 Hz
    inv[22] = 0x0012; inv[23] = 0xD687; inv[24] = 0   # WH +24 acc32, WH_SF +26 -> 1234567 Wh
    inv[36] = 4                              # St +38 = MPPT
    return [model_id, 50] + inv


def float_inverter(model_id):
    inv = [0] * 60
    nan = f32(float("nan"))
    for off in range(2, 48, 2):              # every float point "not implemented" (NaN) unless set below
        inv[off - 2:off] = nan
    inv[0:2] = f32(12.5)                     # A +2
    inv[14:16] = f32(230.5)                  # PhVphA +16
    inv[20:22] = f32(4321.0)                 # W +22 (W)
    inv[22:24] = f32(50.02)                  # Hz +24
    inv[30:32] = f32(1234567.0)              # WH +32 (Wh)
    inv[46] = 4                              # St +48 = MPPT
    return [model_id, 60] + inv


def nameplate():
    plate = [0] * 26
    plate[1] = 800; plate[2] = 1             # WRtg +3, WRtg_SF +4  -> 8 kW
    return [120, 26] + plate


def controls():
    ctl = [0] * 24
    ctl[3] = 1000; ctl[5] = 0; ctl[7] = 0; ctl[21] = s16(-1)   # WMaxLimPct +5, RvrtTms +7, Ena +9, SF +23
    return [123, 24] + ctl


def meter():
    m = [0xFFFF] * 105
    m[0] = s16(-250); m[4] = s16(-1)         # A +2, A_SF +6 -> -25.0 A
    m[13] = s16(-1)                          # V_SF +15
    m[14] = 5000; m[15] = s16(-2)            # Hz +16, Hz_SF +17 -> 50.00 Hz
    m[16] = s16(-1500); m[20] = 0            # W +18, W_SF +22 -> -1500 W (export, in the meter's sign)
    m[36] = 0; m[37] = 2000                  # TotWhExp +38 acc32 -> 2000 Wh
    m[44] = 0; m[45] = 5000                  # TotWhImp +46 acc32 -> 5000 Wh
    m[52] = 0                                # TotWh_SF +54
    return [203, 105] + m


def sunspec(unit, kind):
    regs = [0x5375, 0x6E53]
    if kind == "inv103":
        regs += common(unit, "PY-INV-103") + int_inverter(103) + nameplate() + controls()
    elif kind == "inv101":
        regs += common(unit, "PY-INV-101") + int_inverter(101) + nameplate() + controls()
    elif kind == "inv103-noplate":
        regs += common(unit, "PY-INV-NP") + int_inverter(103) + controls()
    elif kind == "inv113":
        regs += common(unit, "PY-INV-113") + float_inverter(113) + nameplate() + controls()
    elif kind == "meter203":
        regs += common(unit, "PY-METER-203") + meter()
    else:
        raise SystemExit(f"unknown kind {kind}")
    return regs + [0xFFFF, 0]


def unit_context(unit, kind):
    if kind == "plain":
        return ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [(a * 3 + unit) & 0xFFFF for a in range(4000)]), zero_mode=True)
    return ModbusSlaveContext(hr=ModbusSequentialDataBlock(40000, sunspec(unit, kind)), zero_mode=True)


def serve_rtu(context, line, units):
    framer = ModbusRtuFramer(ServerDecoder())

    def answer(request):
        try:
            response = request.execute(context[request.unit_id])
        except Exception:   # an unknown unit on a serial line says nothing
            return
        response.unit_id = request.unit_id
        line.write(framer.buildPacket(response))

    while True:
        data = line.read(256)
        if data:
            framer.processIncomingPacket(data, answer, unit=units, single=False)


async def main():
    logging.basicConfig(level=logging.CRITICAL)
    mode = sys.argv[1]
    spec = sys.argv[2] if mode == "tcp" else sys.argv[4]
    units = {int(u): k for u, k in (p.split(":") for p in spec.split(","))}
    context = ModbusServerContext(slaves={u: unit_context(u, k) for u, k in units.items()}, single=False)
    if mode == "tcp":
        server = ModbusTcpServer(context, framer=ModbusSocketFramer, address=("127.0.0.1", 0),
                                 ignore_missing_slaves="--silent-missing" in sys.argv)
        task = asyncio.create_task(server.serve_forever())
        await server.serving
        where = server.server.sockets[0].getsockname()[1]
    else:
        import serial
        # Opened before READY: pyserial flushes the input on open, which would eat an early request.
        line = serial.Serial(sys.argv[2], int(sys.argv[3]), parity="E", stopbits=1, bytesize=8, timeout=0.002)
        task = asyncio.create_task(asyncio.to_thread(serve_rtu, context, line, list(units)))
        where = sys.argv[2]
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    print(f"READY {where}", flush=True)
    await task


asyncio.run(main())
