#!/usr/bin/env bash
# MQTT side by side through one mosquitto the bench starts on a free 127.0.0.1 port: MQTTnet (MQTT 5 and 3.1.1) and
# mosquitto_pub/mosquitto_sub (and, before it was removed, the project's own client), QoS 0 and 1, 64-byte payloads,
# 10 runs: throughput, CPU per message (clients, broker), latency p50/p99 at a fixed rate, mean ± sd.
# Options go to the runner: --runs N --messages N --paced-messages N --rate N --clients a,b --markdown FILE
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
command -v mosquitto_pub >/dev/null || { echo "mosquitto-clients missing: run scripts/setup.sh" >&2; exit 1; }
dotnet run -c Release --project bench/Drivers.Bench -- mqtt "$@"
