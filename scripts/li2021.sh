#!/usr/bin/env bash
# The paper's Fig. 4 (Li et al. 2021) on the simulators, with and without the SMES, in lockstep: the simulators' clock is
# stepped by the gateway through every poll and round (device-sims --clock stepped, gateway run --lockstep), so two runs
# print the same numbers to the last digit on any machine load.
#
#   scripts/li2021.sh                  hil-rigs/li2021, one day, with and without the SMES            (~2 min)
#   scripts/li2021.sh --paper [--days N]
#                                      hil-rigs/li2021-paper over N simulated days (default 5), each day its own EV draw
#                                      (scripts/li2021_day.py): the four Fig. 4 numbers, mean ± sd, beside the paper's;
#                                      figure docs/figures/li2021-paper-fig4.svg                       (~1 min per day)
#   scripts/li2021.sh --sweep [--days N] [--levels "10 3"]
#                                      the same across the congestion of the workplace lateral (no limit → 2 kW), N days
#                                      per level (default 3); docs/figures/li2021-sweep.svg and .csv (~1 h). --levels
#                                      re-runs only those levels and replaces their rows in the CSV (runs are lockstep,
#                                      so a level's row is the same whichever run wrote it)
#   scripts/li2021.sh --real-time      hil-rigs/li2021 on the accelerated real-time clock (as a HIL bench runs; numbers
#                                      then depend on the machine's load)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mode=li2021; days=""; levels="none 40 20 14 10 8 6 4 3 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --paper) mode=paper ;;
    --sweep) mode=sweep ;;
    --real-time) mode=realtime ;;
    --days) days=${2:?--days needs a number}; shift ;;
    --levels) levels=${2:?--levels needs a list of limits in kW or none}; shift ;;
    *) echo "li2021.sh: unknown argument '$1' (--paper, --sweep, --real-time, --days N)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$mode" = realtime ]; then
  scripts/demo.sh hil-rigs/li2021 --report out/run/li2021 | tail -16
  scripts/demo.sh hil-rigs/li2021 --no-smes --report out/run/li2021-no-smes | tail -16
  exec dotnet .gateway/bin/gateway.dll compare --with out/run/li2021 --without out/run/li2021-no-smes
fi

"$here/scripts/setup.sh" >/dev/null
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$here/.gateway/li2021-study"
mkdir -p "$work"
echo "building the gateway and the simulators ..." >&2
dotnet build device-sims/DeviceSims.csproj -c Release -o "$work/sims" --nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
./gateway --help >/dev/null
gateway="dotnet $here/.gateway/bin/gateway.dll"

# run_day RIG REPORT [gateway run args]: one simulated day in lockstep, in a fresh folder (journal, ledger, simulators).
run_day() {
  local rig=$1 report=$2; shift 2
  local dir; dir=$(mktemp -d "$work/run.XXXXXX")
  local rigdir; rigdir=$(cd "$(dirname "$rig")" && pwd)
  sed -e "s#^  path: .*ledger.db#  path: $dir/ledger.db#" -e "s#^  path: .*journal.db#  path: $dir/journal.db#" \
      -e "s#^\(    profile: \)\(\.\.\?/\)#\1$rigdir/\2#" "$rig" > "$dir/rig.yaml"
  mkfifo "$dir/sims.in"
  dotnet "$work/sims/device-sims.dll" --rig "$dir/rig.yaml" --port-base 0 --endpoints-out "$dir/endpoints.json" --clock stepped \
    <"$dir/sims.in" >"$dir/sims.log" 2>&1 &
  local sims=$!
  exec {fd}>"$dir/sims.in"
  for _ in $(seq 1 150); do
    grep -q "device-sims ready" "$dir/sims.log" 2>/dev/null && break
    kill -0 $sims 2>/dev/null || { cat "$dir/sims.log" >&2; return 1; }
    sleep 0.2
  done
  local status=0
  $gateway run --rig "$dir/rig.yaml" --endpoints "$dir/endpoints.json" --lockstep --report "$report" "$@" >"$dir/gateway.log" 2>&1 || status=$?
  echo quit >&$fd; exec {fd}>&-
  wait $sims 2>/dev/null || true
  [ $status -eq 0 ] || { tail -20 "$dir/gateway.log" >&2; return $status; }
  rm -rf "$dir"
}

# run_pair RIG OUT: the same day with and without the SMES, side by side (lockstep makes them independent of each other).
run_pair() {
  local rig=$1 out=$2
  rm -rf "$out/with" "$out/without"; mkdir -p "$out"
  run_day "$rig" "$out/with" & local a=$!
  run_day "$rig" "$out/without" --no-smes
  wait $a
}

case "$mode" in
  li2021)
    run_pair hil-rigs/li2021/rig.yaml out/run/li2021-lockstep
    $gateway compare --with out/run/li2021-lockstep/with --without out/run/li2021-lockstep/without
    ;;
  paper)
    days=${days:-5}; out=out/li2021-paper; rm -rf "$out"; withs=(); withouts=()
    for d in $(seq 0 $((days - 1))); do
      echo "day $d of $days ..." >&2
      python3 scripts/li2021_day.py --day "$d" --out "$work/paper-day$d.yaml"
      run_pair "$work/paper-day$d.yaml" "$out/day$d"
      withs+=("$out/day$d/with"); withouts+=("$out/day$d/without")
    done
    $gateway compare --with "${withs[@]}" --without "${withouts[@]}" --figure docs/figures/li2021-paper-fig4.svg
    ;;
  sweep)
    days=${days:-3}; out=out/li2021-sweep; rm -rf "$out"
    csv=docs/figures/li2021-sweep.csv
    header="level,limit_kw,days,success_without,success_without_sd,success_with,success_with_sd,renewable_without,renewable_without_sd,renewable_with,renewable_with_sd"
    echo "$header" > "$csv.tmp"
    for limit in $levels; do
      withs=(); withouts=()
      for d in $(seq 0 $((days - 1))); do
        echo "limit $limit kW, day $d of $days ..." >&2
        python3 scripts/li2021_day.py --day "$d" --lateral-kw "$limit" --out "$work/sweep-$limit-day$d.yaml"
        run_pair "$work/sweep-$limit-day$d.yaml" "$out/$limit/day$d"
        withs+=("$out/$limit/day$d/with"); withouts+=("$out/$limit/day$d/without")
      done
      label=$([ "$limit" = none ] && echo "no limit" || echo "$limit kW")
      $gateway compare --with "${withs[@]}" --without "${withouts[@]}" --figure "$out/$limit/fig4.svg" --json \
        | python3 -c "import json,sys; d=json.load(sys.stdin); k=['successWithout','successWith','renewableWithout','renewableWith']; print(','.join(['$label','$limit',str(d['days'])]+[f\"{d[x]['Mean']:.4f},{d[x]['Sd']:.4f}\" for x in k]))" >> "$csv.tmp"
    done
    # Merge: rows of the levels just run replace the same levels' rows; order from no limit to the heaviest.
    python3 - "$csv" "$csv.tmp" <<'PY'
import sys, os
old, new = sys.argv[1], sys.argv[2]
rows = {}
header = None
for path in (old, new):
    if not os.path.exists(path): continue
    lines = [l for l in open(path).read().split("\n") if l]
    header = lines[0]
    for l in lines[1:]: rows[l.split(",")[1]] = l
key = lambda limit: -1e9 if limit == "none" else -float(limit)
open(old, "w").write("\n".join([header] + [rows[k] for k in sorted(rows, key=key)]) + "\n")
os.remove(new)
PY
    column -s, -t "$csv"
    $gateway compare --sweep "$csv" --figure docs/figures/li2021-sweep.svg
    ;;
esac
