#!/usr/bin/env bash
# Installs what the build, the demo and the tests need, when it is missing.
# Idempotent and quiet when everything is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(mosquitto mosquitto-clients python3-pymodbus python3-serial socat
              libmodbus-dev sqlite3 librsvg2-bin
              chromium)  # headless browser for the dashboard tests (tests/Host.Tests/Operator)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# mosquitto's package starts a system broker on 1883; tests start their own on free ports.

# Chaincode dependencies (Node.js, fabric-contract-api), when the chaincode exists.
cc="$here/src/LedgerClient/chaincode"
if [ -f "$cc/package.json" ] && [ ! -d "$cc/node_modules" ]; then
  echo "setup: npm install in src/LedgerClient/chaincode" >&2
  (cd "$cc" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# The official Node Fabric Gateway client, which the Fabric tests run against the test peer as an independent implementation.
interop="$here/tests/LedgerClient.Tests/Fabric/interop"
if [ -f "$interop/package.json" ] && [ ! -d "$interop/node_modules" ]; then
  echo "setup: npm install in tests/LedgerClient.Tests/Fabric/interop" >&2
  (cd "$interop" && npm install --no-audit --no-fund --omit=optional --loglevel=error >/dev/null)
fi

# The official OCPP JSON schemas the gateway embeds at build time, and ocpp-rpc and ocpp-ws-io, the independent OCPP-J
# implementations the OCPP interop tests drive stations and a CSMS with. `npm ls` fails when a dependency added since the last
# install is missing, so an older node_modules is completed too.
for dir in src/Drivers/Ocpp/Schemas tests/Host.Tests/Ocpp/interop; do
  if [ -f "$here/$dir/package.json" ] && ! (cd "$here/$dir" && [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1); then
    echo "setup: npm install in $dir" >&2
    (cd "$here/$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
