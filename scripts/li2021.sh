#!/usr/bin/env bash
# The paper's case (hil-rigs/li2021: 15 EVs, 5 PV, 1 SMES, a day of hourly rounds, a congested
# feeder) run twice on the simulators, with and without the SMES, then Fig. 4 side by side with
# the published figures. About four minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/demo.sh hil-rigs/li2021 --report out/run/li2021 | tail -16
scripts/demo.sh hil-rigs/li2021 --no-smes --report out/run/li2021-no-smes | tail -16
dotnet .gateway/bin/gateway.dll compare --with out/run/li2021 --without out/run/li2021-no-smes
