#!/usr/bin/env bash
# Longer fuzzing than CI's one second per target: seeded mutation fuzzing of every parser that takes
# outside input (Modbus TCP/RTU codecs both sides, MQTT telemetry decoder, rig files of the gateway and of
# the simulators, device profiles, the market round of `clear`), starting from tests/Fuzz/corpus.
# Usage: scripts/fuzz.sh [TARGET|all] [seconds per target, default 60] [seed]
# Crashing inputs are saved under artifacts/fuzz/TARGET/ (input + .txt with the exception); copy one into
# tests/Fuzz/regressions/TARGET/ under a name saying what it found, fix the parser, and `dotnet test tests/Fuzz`
# replays it from then on. Exit code 1 when anything crashed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dotnet build tests/Fuzz -c Release -v q --nologo | grep -E " error " && exit 1 || true
args=("${1:-all}" --seconds "${2:-60}" --crashes "$root/artifacts/fuzz")
[ -n "${3:-}" ] && args+=(--seed "$3")
dotnet "$root/tests/Fuzz/bin/Release/net10.0/Gateway.Fuzz.dll" "${args[@]}"
