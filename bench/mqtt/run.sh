#!/usr/bin/env bash
# MQTT throughput through a mosquitto the benchmark starts itself: our client next to mosquitto_pub/mosquitto_sub,
# QoS 0 and 1, 20,000 messages of 64 bytes per invocation. Prints one BenchmarkDotNet table (Op/s = messages/s).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
command -v mosquitto_pub >/dev/null || { echo "mosquitto-clients missing: run scripts/setup.sh" >&2; exit 1; }
dotnet run -c Release --project bench/Drivers.Bench -- --filter '*MqttThroughputBenchmarks*' "$@"
