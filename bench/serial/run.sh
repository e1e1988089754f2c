#!/usr/bin/env bash
# Serial benchmark: our RTU client on System.IO.Ports (the default driver) and on our termios port, side by side in
# one run, against the same RTU server (ours and pymodbus) on socat pseudo-terminals, at 9600 and 115200 baud:
# reads/s, CPU per read, idle CPU, and the gaps between frames as socat saw them on the "wire".
# Usage: bench/serial/run.sh [runs, default 10] [seconds per client, default 2] [warm-up s, default 1.5] [idle s, default 1]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$root/bench/Drivers.Bench" -c Release -v q --nologo | grep -E " error " && exit 1 || true
exec /usr/bin/python3 "$root/bench/serial/serial_bench.py" "$root/bench/Drivers.Bench/bin/Release/net10.0/Drivers.Bench.dll" \
  "$root/tests/Drivers.Tests/Peers/pymodbus_server.py" "${1:-10}" "${2:-2}" "${3:-1.5}" "${4:-1}"
