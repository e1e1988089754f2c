"""Independent Modbus peer for the tests: a pymodbus server holding the tables of
ModbusPeerData (units 1 and 2). Usage:
  pymodbus_server.py tcp            -> listens on 127.0.0.1, a free port
  pymodbus_server.py rtu DEVICE BAUD
For RTU the pymodbus 3.0.0rc1 serial server does not read from a pseudo-terminal, so a small
pyserial loop feeds pymodbus's own RTU framer, request decoder and request execution.
Prints "READY <port-or-device>" once it serves; exits when stdin closes."""
import asyncio
import logging
import os
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.factory import ServerDecoder
from pymodbus.server.async_io import ModbusTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

SIZE = 4000


def unit_context(unit):
    return ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, [(a * 3 + unit) & 0xFFFF for a in range(SIZE)]),
        ir=ModbusSequentialDataBlock(0, [(a * 7 + unit) & 0xFFFF for a in range(SIZE)]),
        co=ModbusSequentialDataBlock(0, [(a + unit) % 3 == 0 for a in range(SIZE)]),
        di=ModbusSequentialDataBlock(0, [(a + unit) % 5 == 0 for a in range(SIZE)]),
        zero_mode=True,
    )


def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)


def serve_rtu(context, line):
    framer = ModbusRtuFramer(ServerDecoder())

    def answer(request):
        response = request.execute(context[request.unit_id])
        response.unit_id = request.unit_id
        line.write(framer.buildPacket(response))

    while True:
        data = line.read(256)
        if data:
            framer.processIncomingPacket(data, answer, unit=[1, 2], single=False)


async def main():
    logging.basicConfig(level=logging.CRITICAL)
    context = ModbusServerContext(slaves={1: unit_context(1), 2: unit_context(2)}, single=False)
    if sys.argv[1] == "tcp":
        server = ModbusTcpServer(context, framer=ModbusSocketFramer, address=("127.0.0.1", 0))
        task = asyncio.create_task(server.serve_forever())
        await server.serving
        where = server.server.sockets[0].getsockname()[1]
    else:
        import serial
        # Opened before READY: pyserial flushes the input on open, which would eat an early request.
        line = serial.Serial(sys.argv[2], int(sys.argv[3]), parity="E", stopbits=1, bytesize=8, timeout=0.002)
        task = asyncio.create_task(asyncio.to_thread(serve_rtu, context, line))
        where = sys.argv[2]
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"READY {where}", flush=True)
    await task


asyncio.run(main())
