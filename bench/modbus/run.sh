#!/usr/bin/env bash
# Modbus TCP benchmark: our client and libmodbus's client, one after the other, against one
# server (ours, hosted by Drivers.Bench) on loopback; then a poll of 100 devices.
# Usage: bench/modbus/run.sh [seconds-per-client, default 5]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/modbus/bin"
mkdir -p "$out"
gcc -O2 -Wall -o "$out/libmodbus_client" "$root/bench/modbus/libmodbus_client.c" $(pkg-config --cflags --libs libmodbus)
dotnet build "$root/bench/Drivers.Bench" -c Release -v q --nologo | grep -E " error " && exit 1 || true
# Socket completions inline on the epoll thread (a documented runtime switch) save a thread-pool
# hop per request; off by default (the runtime default), INLINE=1 turns it on.
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="${INLINE:-0}" \
dotnet "$root/bench/Drivers.Bench/bin/Release/net10.0/Drivers.Bench.dll" modbus \
  --libmodbus-client "$out/libmodbus_client" --seconds "${1:-5}"
