#!/usr/bin/env bash
# Runs every test of the project: the .NET test projects and the chaincode's tests.
# Prints one closing line "N passed, N failed" summed over all of them.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
"$here/scripts/setup.sh" || { echo "setup failed"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

results="$here/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
dotnet build Gateway.sln -c Release --nologo -v q || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
# The fault matrix and the soak run whole gateways on real time: they run after the other projects, not beside them,
# so neither starves the other's real-time rounds on a 2-core machine.
dotnet test Gateway.sln -c Release --no-build --nologo --filter "Category!=FaultMatrix&Category!=Soak" \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1500000 || status=1
dotnet test tests/Reliability.Tests -c Release --no-build --nologo --filter "Category=FaultMatrix|Category=Soak" \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1500000 || status=1

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done

cc="$here/src/LedgerClient/chaincode"
if [ -f "$cc/package.json" ]; then
  out=$(cd "$cc" && npm test 2>&1); rc=$?
  echo "$out" | tail -15
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' <<<"$out" | tail -1); f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' <<<"$out" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  [ $rc -ne 0 ] && status=1
fi

[ $failed -gt 0 ] && status=1
[ $passed -eq 0 ] && { echo "no test ran"; status=1; }
echo "$passed passed, $failed failed"
exit $status
