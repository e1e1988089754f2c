#!/usr/bin/env bash
# The main job: the demo rig on simulators. Builds everything, starts the device
# simulators of hil-rigs/demo (Modbus TCP on loopback, free ports), runs the gateway
# against them with the rig's ledger (embedded by default) for the rig's rounds, prints the
# rounds as they finish and ends with a summary, plots (out/run/<site>/<start time>/,
# out/run/<site>/latest) and a ledger check.
# A rig with `ledger: kind: fabric` settles on a Fabric network (hil-rigs/fabric-lab brings
# one up on 127.0.0.1; its key and certificate paths use ${FABRIC_LAB}, default ~/fabric-lab),
# and the check is `ledger verify --rig`: every journaled settlement on the chain exactly once.
#   scripts/demo.sh [RIG] [extra gateway run arguments, e.g. --no-smes or --rounds 4]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
rig=${1:-hil-rigs/demo}
[ $# -gt 0 ] && shift
"$here/scripts/setup.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export FABRIC_LAB=${FABRIC_LAB:-$HOME/fabric-lab}

work="$here/.gateway/demo-run"
rm -rf "$work"; mkdir -p "$work"
echo "building the gateway and the simulators ..."
dotnet build device-sims/DeviceSims.csproj -c Release -o "$work/sims" --nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
./gateway --help >/dev/null

# A fresh journal and ledger per demo run, so every run shows the whole day.
rigfile="$rig"; [ -d "$rig" ] && rigfile="$rig/rig.yaml"
sed -e "s#^  path: .*ledger.db#  path: $work/ledger.db#" -e "s#^  path: .*journal.db#  path: $work/journal.db#" "$rigfile" > "$work/rig.yaml"
rigdir=$(cd "$(dirname "$rigfile")" && pwd)
# Profiles given as relative paths resolve against the original rig's folder.
sed -i "s#^\(    profile: \)\(\.\.\?/\)#\1$rigdir/\2#" "$work/rig.yaml"

# A rig with MQTT devices gets its own broker on a free loopback port; both sides are pointed at it.
broker=""
if grep -q "protocol: mqtt" "$work/rig.yaml"; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" > "$work/mosquitto.conf"
  mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
  broker=$!
  trap 'kill $broker 2>/dev/null; true' EXIT
  for _ in $(seq 1 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
    kill -0 $broker 2>/dev/null || { cat "$work/mosquitto.log"; echo "demo: mosquitto did not start"; exit 1; }
    sleep 0.1
  done
  sed -i "s#mqtt://127.0.0.1:[0-9]*#mqtt://127.0.0.1:$port#" "$work/rig.yaml"
  echo "MQTT broker for the rig's MQTT devices: mqtt://127.0.0.1:$port (mosquitto_sub -p $port -v -t '#')"
fi

# A rig with OCPP piles: the gateway's OCPP endpoint gets a free loopback port; the simulated stations dial it there.
if grep -q "protocol: ocpp" "$work/rig.yaml"; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -i "s#ws://127.0.0.1:[0-9]*/ocpp/#ws://127.0.0.1:$port/ocpp/#" "$work/rig.yaml"
  echo "OCPP endpoint of the gateway for the rig's charging piles: ws://127.0.0.1:$port/ocpp/<station>"
fi

# A rig with Modbus RTU devices: their lines become socat pseudo-terminals inside the work folder,
# so runs never trip over each other's tty links.
if grep -q "protocol: modbus-rtu" "$work/rig.yaml"; then
  sed -i "s#endpoint: \"/tmp/#endpoint: \"$work/tty-#" "$work/rig.yaml"
  echo "Modbus RTU lines: $(grep -o "$work/tty-[^?\"]*" "$work/rig.yaml" | sort -u | tr '\n' ' ')(socat pseudo-terminals)"
fi

mkfifo "$work/sims.in"
dotnet "$work/sims/device-sims.dll" --rig "$work/rig.yaml" --port-base 0 --endpoints-out "$work/endpoints.json" <"$work/sims.in" >"$work/sims.log" 2>&1 &
sims=$!
exec 3>"$work/sims.in"
trap 'echo quit >&3 2>/dev/null; exec 3>&-; wait $sims 2>/dev/null || true; [ -n "$broker" ] && kill $broker 2>/dev/null; true' EXIT
for _ in $(seq 1 100); do
  grep -q "device-sims ready" "$work/sims.log" 2>/dev/null && break
  kill -0 $sims 2>/dev/null || { cat "$work/sims.log"; echo "demo: the simulators did not start"; exit 1; }
  sleep 0.2
done
grep "device-sims ready" "$work/sims.log"

set +e
dotnet "$here/.gateway/bin/gateway.dll" run --rig "$work/rig.yaml" --endpoints "$work/endpoints.json" "$@"
status=$?
set -e
echo
if grep -q "^  kind: fabric" "$work/rig.yaml"; then
  # A fresh journal is a fresh epoch: this run's ids never collide with an earlier run's on the same channel.
  dotnet "$here/.gateway/bin/gateway.dll" ledger verify --rig "$work/rig.yaml" || status=1
else
  dotnet "$here/.gateway/bin/gateway.dll" ledger verify --db "$work/ledger.db" || status=1
fi
exit $status
