#!/usr/bin/env bash
# Modbus TCP benchmark, ours and libmodbus side by side in one run: each client and server is a
# process of its own; per repetition, our client and libmodbus's client against libmodbus's
# server, and libmodbus's client against our server (FC3, 10 registers, one request in flight);
# variants pinned on one core, unpinned under load, unpinned quiet. Then a poll of 100 devices.
# Usage: bench/modbus/run.sh [repetitions, default 10] [seconds per pair, default 2] [variants, default pinned,loaded,quiet]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/modbus/bin"
mkdir -p "$out"
for tool in libmodbus_client libmodbus_server; do
  gcc -O2 -Wall -o "$out/$tool" "$root/bench/modbus/$tool.c" $(pkg-config --cflags --libs libmodbus)
done
dotnet build "$root/bench/Drivers.Bench" -c Release -v q --nologo | grep -E " error " && exit 1 || true
bench="$root/bench/Drivers.Bench/bin/Release/net10.0/Drivers.Bench.dll"
dotnet "$bench" modbus --libmodbus-client "$out/libmodbus_client" --libmodbus-server "$out/libmodbus_server" \
  --repetitions "${1:-10}" --seconds "${2:-2}" --variants "${3:-pinned,loaded,quiet}"
echo
dotnet "$bench" modbus-poll
