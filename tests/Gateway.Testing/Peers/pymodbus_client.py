"""Independent Modbus client for the tests: runs every function code against unit UNIT
of a server holding ModbusPeerData and prints the results as one JSON line. Usage:
  pymodbus_client.py tcp PORT UNIT
  pymodbus_client.py rtu DEVICE BAUD UNIT"""
import json
import logging
import sys

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.register_read_message import ReadWriteMultipleRegistersRequest
from pymodbus.transaction import ModbusRtuFramer

logging.basicConfig(level=logging.CRITICAL)
if sys.argv[1] == "tcp":
    client = ModbusTcpClient("127.0.0.1", int(sys.argv[2]), timeout=5)
    unit = int(sys.argv[3])
else:
    client = ModbusSerialClient(port=sys.argv[2], framer=ModbusRtuFramer, baudrate=int(sys.argv[3]),
                                parity="E", stopbits=1, bytesize=8, timeout=2, strict=False)
    unit = int(sys.argv[4])
if not client.connect():
    print(json.dumps({"error": "connect failed"}))
    sys.exit(1)


def check(response):
    if response.isError():
        raise SystemExit(json.dumps({"error": str(response)}))
    return response


out = {}
out["hr"] = check(client.read_holding_registers(0, 10, slave=unit)).registers
out["ir"] = check(client.read_input_registers(5, 125, slave=unit)).registers
out["co"] = check(client.read_coils(3, 37, slave=unit)).bits[:37]
out["di"] = check(client.read_discrete_inputs(0, 2000, slave=unit)).bits[:2000]
check(client.write_register(20, 0xBEEF, slave=unit))
check(client.write_registers(21, [1, 2, 3, 65535], slave=unit))
check(client.write_coil(40, True, slave=unit))
check(client.write_coil(41, False, slave=unit))
check(client.write_coils(42, [i % 3 == 1 for i in range(19)], slave=unit))
# pymodbus 3.0.0rc1's readwrite_registers() drops the slave argument: build the request itself.
rw = ReadWriteMultipleRegistersRequest(read_address=30, read_count=4, write_address=31, write_registers=[7, 8], unit=unit)
out["rw"] = check(client.execute(rw)).registers
out["hr_after"] = check(client.read_holding_registers(20, 5, slave=unit)).registers
out["co_after"] = check(client.read_coils(40, 21, slave=unit)).bits[:21]
bad = client.read_holding_registers(3999, 2, slave=unit)
out["exception"] = getattr(bad, "exception_code", None)
client.close()
print(json.dumps(out), flush=True)
