#!/usr/bin/env bash
# Repeat the gateway cycle bench and summarise it (mean ± sd, median per column).
# usage: bench/gateway/run.sh [repetitions=10] [devices=200] [rounds=4] [extra cycle arguments…]
# Env: GW_BENCH_DLL (default: the Release build of bench/Gateway.Bench), GW_BENCH_OUT (directory for the raw runs).
# CPU is the gateway process's own CPU time (user+sys) per wall second: other jobs on the machine do not count in it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
reps="${1:-10}"; devices="${2:-200}"; rounds="${3:-4}"; shift $(( $# < 3 ? $# : 3 ))
dll="${GW_BENCH_DLL:-$root/bench/Gateway.Bench/bin/Release/net10.0/Gateway.Bench.dll}"
if [[ -z "${GW_BENCH_DLL:-}" ]]; then dotnet build "$root/bench/Gateway.Bench" -c Release --nologo -v q >/dev/null; fi
out="${GW_BENCH_OUT:-$(mktemp -d /tmp/gw-cycle-XXXXXX)}"
mkdir -p "$out"
for i in $(seq 1 "$reps"); do
  echo "run $i/$reps: cycle $devices $rounds $*" >&2
  dotnet "$dll" cycle "$devices" "$rounds" "$@" >"$out/run-$i.md" 2>"$out/run-$i.log" || echo "run $i failed (see $out/run-$i.log)" >&2
  cat "$out/run-$i.md" >&2
done
python3 "$here/summarize.py" "$out"/run-*.md
echo "raw runs in $out" >&2
