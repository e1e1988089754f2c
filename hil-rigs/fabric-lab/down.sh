#!/usr/bin/env bash
# down.sh [WORK] [--purge]   (or: down.sh --work WORK [--purge])
# Stops what up.sh started (PIDs in WORK/net/pids; a PID is signalled only while its command line still names WORK),
# TERM first, KILL after 15 s. --purge then deletes WORK/net; WORK/src and WORK/bin stay.
set -euo pipefail
WORK=""; PURGE=0
while [ $# -gt 0 ]; do
  case $1 in
    --work) WORK=$2; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) [ -z "$WORK" ] || { echo "too many arguments" >&2; exit 2; }; WORK=$1; shift ;;
  esac
done
WORK=${WORK:-$HOME/fabric-lab}
[ -d "$WORK" ] || { echo "no such directory: $WORK" >&2; exit 1; }
WORK=$(cd "$WORK" && pwd); NET=$WORK/net
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$WORK/"; }
# Chaincode services first, then peers, then the orderer; any other PID file up.sh (or the shared kit) left.
names=(chaincode-settlement chaincode-matching chaincode-electricity chaincode peer-org3 peer-org2 peer-org1 orderer)
for f in "$NET"/pids/*; do [ -f "$f" ] && n=$(basename "$f") && [[ " ${names[*]} " != *" $n "* ]] && names+=("$n"); done
for name in "${names[@]}"; do
  f=$NET/pids/$name; [ -f "$f" ] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null && ours "$pid"; then
    kill -TERM "$pid"
    for ((i = 0; i < 75; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "killed $name (pid $pid)"; else echo "stopped $name (pid $pid)"; fi
  else
    echo "$name (pid $pid) was not running"
  fi
  rm -f "$f"
done
if [ "$PURGE" = 1 ]; then rm -rf "$NET"; echo "removed $NET"; fi
