#!/usr/bin/env bash
# Builds the gateway as one self-contained file for a field laptop: no .NET SDK or runtime needed
# on the target. Output: dist/gateway-linux-x64 (or the runtime id given, e.g. linux-arm64 for a
# site box). Shipped device profiles are embedded; rigs and custom profiles stay files.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rid=${1:-linux-x64}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$here/.gateway/publish-$rid"
rm -rf "$work"
# The single-file settings live in Gateway.Host.csproj (GatewaySingleFile): as -p: switches they would reach the
# libraries too and recompile them on every publish.
dotnet publish "$here/src/Gateway.Host/Gateway.Host.csproj" -c Release -r "$rid" --self-contained \
  -p:GatewaySingleFile=true -o "$work" --nologo -v q
mkdir -p "$here/dist"
cp "$work/gateway" "$here/dist/gateway-$rid"
size=$(du -h "$here/dist/gateway-$rid" | cut -f1)
echo "dist/gateway-$rid ($size)"
