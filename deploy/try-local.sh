#!/usr/bin/env bash
# Tries the secured setup on this machine, on loopback only: a site CA and certificates (openssl), a mosquitto with TLS,
# client certificates, a password file and deploy/mosquitto-acl.conf; device-sims publishing as user "devices"; the gateway
# as user "gateway" with requireAck, an HTTPS dashboard with a bearer token from an environment variable, and a SCADA
# (mosquitto_sub/mosquitto_pub as user scada-1) acknowledging each decided round over MQTT. Ends with what the SCADA sees.
#   deploy/try-local.sh [ROUNDS]      (default 4; needs mosquitto, mosquitto-clients, openssl: scripts/setup.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-4}
work="$here/.gateway/deploy-try"
rm -rf "$work"; mkdir -p "$work/tls"; cd "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "== site CA and certificates (openssl, EC P-256)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=Site Test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -keyout tls/ca.key -out tls/ca.pem 2>/dev/null
issue() { # name, extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "tls/$1.key" -out "tls/$1.csr" 2>/dev/null
  printf '%s\n' "$2" > "tls/$1.ext"
  openssl x509 -req -in "tls/$1.csr" -CA tls/ca.pem -CAkey tls/ca.key -CAcreateserial -days 30 -extfile "tls/$1.ext" -out "tls/$1.pem" 2>/dev/null
}
issue broker "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue dashboard "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
for who in gateway devices scada-1; do issue "$who" "extendedKeyUsage=clientAuth"; done
chmod 600 tls/*.key

echo "== mosquitto: TLS with client certificates, password file, ACL"
declare -A pw=([gateway]="gw-$RANDOM$RANDOM" [devices]="dev-$RANDOM$RANDOM" [scada-1]="scada-$RANDOM$RANDOM")
for who in gateway devices scada-1; do
  mosquitto_passwd $([ -f passwd ] || echo -c) -b passwd "$who" "${pw[$who]}"
done
printf '%s\n' "${pw[devices]}" > devices.pw; chmod 600 devices.pw
port=$(free)
cat > mosquitto.conf <<CONF
user root
per_listener_settings false
allow_anonymous false
password_file $work/passwd
acl_file $here/deploy/mosquitto-acl.conf
listener $port 127.0.0.1
cafile $work/tls/ca.pem
certfile $work/tls/broker.pem
keyfile $work/tls/broker.key
require_certificate true
CONF
mosquitto -c mosquitto.conf >mosquitto.log 2>&1 &
broker=$!
cleanup() { set +e; [ -n "${scada_sub:-}" ] && kill "$scada_sub" 2>/dev/null; [ -n "${scada:-}" ] && kill "$scada" 2>/dev/null; [ -n "${sims:-}" ] && { echo quit >&3; exec 3>&-; wait "$sims" 2>/dev/null; }; kill "$broker" 2>/dev/null; true; }
trap cleanup EXIT
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
echo "broker mqtts://127.0.0.1:$port (anonymous and plain TCP refused)"

echo "== the rig: hil-rigs/mqtt-demo with its MQTT devices behind this broker, and the secured operator part"
token="tok-$(openssl rand -hex 16)"
export GATEWAY_MQTT_PASSWORD="${pw[gateway]}" GATEWAY_OPERATOR_TOKENS="try-local=$token"
python3 - "$here/hil-rigs/mqtt-demo/rig.yaml" "$work" "$port" <<'PY'
import re, sys
src, work, port = sys.argv[1], sys.argv[2], sys.argv[3]
rig = open(src).read()
rig = rig[:rig.index("\noperator:")]
rig = rig.replace("mqtt://127.0.0.1:1883", f"mqtts://127.0.0.1:{port}")
rig = re.sub(r"(?m)^  path: .*ledger.db", f"  path: {work}/ledger.db", rig)
rig = re.sub(r"(?m)^  path: .*journal.db", f"  path: {work}/journal.db", rig)
tls = lambda who: f'{{ ca: {work}/tls/ca.pem, certificate: {work}/tls/{who}.pem, key: {work}/tls/{who}.key, serverName: localhost }}'
rig += f"""
brokers:
  - url: "mqtts://127.0.0.1:{port}"
    tls: {tls('gateway')}
    username: gateway
    passwordEnv: GATEWAY_MQTT_PASSWORD
    sims:
      tls: {tls('devices')}
      username: devices
      passwordFile: {work}/devices.pw

operator:
  dashboard: 0.0.0.0:0
  dashboardTls: {{ certificate: {work}/tls/dashboard.pem, key: {work}/tls/dashboard.key }}
  mqtt: "mqtts://127.0.0.1:{port}"
  requireAck: true
  ackDeadlineSeconds: 60
  auth: {{ tokensEnv: GATEWAY_OPERATOR_TOKENS }}
  mqttAckUsers: {{ scada-1: control-room }}
"""
open(f"{work}/rig.yaml", "w").write(rig)
PY
site=$(sed -n 's/^site: *//p' rig.yaml)

echo "== building"
dotnet build "$here/device-sims/DeviceSims.csproj" -c Release -o sims --nologo -v q >build.log 2>&1 || { cat build.log; exit 1; }
dotnet build "$here/src/Gateway.Host/Gateway.Host.csproj" -c Release -o bin --nologo -v q >>build.log 2>&1 || { cat build.log; exit 1; }

mkfifo sims.in
dotnet sims/device-sims.dll --rig rig.yaml --port-base 0 --endpoints-out endpoints.json <sims.in >sims.log 2>&1 &
sims=$!
exec 3>sims.in
for _ in $(seq 1 100); do grep -q "device-sims ready" sims.log 2>/dev/null && break; sleep 0.2; done
grep "device-sims ready" sims.log

scada_args=(-h localhost -p "$port" --cafile tls/ca.pem --cert tls/scada-1.pem --key tls/scada-1.key -u scada-1 -P "${pw[scada-1]}")
echo "== a SCADA (user scada-1) acknowledges every decided round on gw/$site/operator/ack/scada-1"
mkfifo scada.fifo
# Line-buffered: a piped mosquitto_sub would otherwise hand over each decided round only when its buffer fills.
stdbuf -oL mosquitto_sub "${scada_args[@]}" -i scada-1-sub -t "gw/$site/rounds/latest" -F '%p' \
  | stdbuf -oL grep '"state":"decided"' | stdbuf -oL sed -e 's/.*"roundId":"\([^"]*\)".*/\1/' > scada.fifo &
scada_sub=$!
while read -r id; do
  mosquitto_pub "${scada_args[@]}" -i scada-1-pub -q 1 -t "gw/$site/operator/ack/scada-1" -m "{\"roundId\":\"$id\"}"
  echo "scada-1 acknowledged $id" >> scada.log
done < scada.fifo &
scada=$!

echo "== gateway run (requireAck, $rounds rounds)"
set +e
dotnet bin/gateway.dll run --rig rig.yaml --endpoints endpoints.json --rounds "$rounds" --report report 2> gateway.err
status=$?
set -e
echo "gateway exit $status"
grep -E "dashboard on|broker|acknowledged" gateway.err | head -8 || true
echo "== what the SCADA sees (retained, over TLS as scada-1)"
mosquitto_sub "${scada_args[@]}" -i scada-1-check -t "gw/$site/setpoints/+" -t "gw/$site/rounds/+/ack" --retained-only -v -W 2 || true
echo "== anonymous and wrong-password connections are refused"
mosquitto_sub -h localhost -p "$port" --cafile tls/ca.pem -t '#' -C 1 -W 2 2>&1 | head -2 || true
mosquitto_sub -h localhost -p "$port" --cafile tls/ca.pem --cert tls/scada-1.pem --key tls/scada-1.key -u scada-1 -P wrong -t '#' -C 1 -W 2 2>&1 | head -2 || true
cat scada.log 2>/dev/null | wc -l | xargs echo "acknowledgements sent by scada-1:"
if grep -q -e "${pw[gateway]}" -e "${pw[devices]}" -e "$token" gateway.err report/summary.md 2>/dev/null; then echo "FAIL: a secret was printed"; status=1; else echo "no password or token in the gateway's output"; fi
exit $status
