#!/usr/bin/env bash
# up.sh PROJECT_DIR [WORK]   (or: up.sh PROJECT_DIR --work WORK)
# The paper's chain design on a real Fabric 2.5.5 network on 127.0.0.1, no docker: three organisations
# (Org1 = microgrid operator, Org2 = distribution system operator, Org3 = regulator), one etcdraft orderer
# (BatchTimeout 500 ms, MaxMessageCount 10), TLS on, and four channels:
#   settlement-channel  Org1 only, chaincode "settlement"   (the simple design, as the shared kit has it)
#   txmain              3 orgs, "settlement"  AND(Org1, Org2)   transaction main chain: settlements, payments
#   matching            3 orgs, "matching"    AND(Org1, Org3)   matching side chain: each round's decision
#   electricity         3 orgs, "electricity" AND(Org1, Org2)   electricity side chain: setpoints, read-backs, meters
# The project's chaincode (PROJECT_DIR/src/LedgerClient/chaincode) runs as three chaincode services, one contract each
# (GATEWAY_CONTRACT). Binaries come from the shared kit's build.sh (WORK/bin). Prints the rig ledger blocks.
set -euo pipefail
KIT=$(cd "$(dirname "$0")" && pwd)
PROJECT=""; WORK=""
while [ $# -gt 0 ]; do
  case $1 in
    --work) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) if [ -z "$PROJECT" ]; then PROJECT=$1; elif [ -z "$WORK" ]; then WORK=$1; else echo "too many arguments" >&2; exit 2; fi; shift ;;
  esac
done
[ -n "$PROJECT" ] || { sed -n '2,12p' "$0" >&2; exit 2; }
WORK=${WORK:-$HOME/fabric-lab}
WORK=$(cd "$WORK" && pwd); PROJECT=$(cd "$PROJECT" && pwd)
BIN=$WORK/bin NET=$WORK/net CCSRC=$PROJECT/src/LedgerClient/chaincode
T0=$SECONDS
log() { printf '[up3 %3ds] %s\n' $((SECONDS - T0)) "$*"; }
die() { echo "[up3] ERROR: $*" >&2; exit 1; }

# chaincode name -> service address; channel -> "orgs|chaincode|policy"
declare -A CC_ADDR=([settlement]=127.0.0.1:9999 [matching]=127.0.0.1:9998 [electricity]=127.0.0.1:9997)
ORG1_ORG2="AND('Org1MSP.peer','Org2MSP.peer')"
ORG1_ORG3="AND('Org1MSP.peer','Org3MSP.peer')"
CHANNELS=(settlement-channel txmain matching electricity)
declare -A CH_ORGS=([settlement-channel]="org1" [txmain]="org1 org2 org3" [matching]="org1 org2 org3" [electricity]="org1 org2 org3")
declare -A CH_CC=([settlement-channel]=settlement [txmain]=settlement [matching]=matching [electricity]=electricity)
declare -A CH_POLICY=([settlement-channel]="" [txmain]=$ORG1_ORG2 [matching]=$ORG1_ORG3 [electricity]=$ORG1_ORG2)
declare -A PEER_PORT=([org1]=7051 [org2]=9051 [org3]=8051)

# ---------------------------------------------------------------- preflight
for b in peer orderer cryptogen configtxgen osnadmin ccaas/bin/detect ccaas/bin/build ccaas/bin/release; do
  [ -x "$BIN/$b" ] || die "$BIN/$b missing: build the binaries first with the shared kit: /work/shared/fabric-lab/build.sh MIRROR_DIR $WORK"
done
[ -d "$WORK/src/sampleconfig" ] || die "$WORK/src/sampleconfig missing: run the shared kit's build.sh first"
python3 -c 'import yaml' 2>/dev/null || die "python3 with PyYAML needed: apt-get install -y python3-yaml"
command -v node >/dev/null || die "node needed (>= 18): apt-get install -y nodejs npm"
[ -f "$CCSRC/package.json" ] || die "$CCSRC/package.json not found (PROJECT_DIR is the project's root)"
for f in "$NET"/pids/*; do
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && die "$(basename "$f") of a previous run is still running: down.sh first"
done
busy=""
for p in 7050 7053 7055 8443 7051 7052 9444 9051 9052 9445 8051 8052 9446 9997 9998 9999; do
  (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && busy="$busy $p"
done
[ -z "$busy" ] || die "ports already in use on 127.0.0.1:$busy (another Fabric network running? stop it with its down.sh)"

rm -rf "$NET"; mkdir -p "$NET"/{logs,pids,artifacts,cc}
SETUPLOG=$NET/logs/setup.log
run() { echo "+ $*" >>"$SETUPLOG"; "$@" >>"$SETUPLOG" 2>&1 || { tail -n 25 "$SETUPLOG" >&2; die "failed: $*"; }; }
retry() {
  local n=$1 d=$2 i; shift 2
  for ((i = 1; i <= n; i++)); do
    echo "+ [try $i] $*" >>"$SETUPLOG"; "$@" >>"$SETUPLOG" 2>&1 && return 0; sleep "$d"
  done
  tail -n 25 "$SETUPLOG" >&2; die "gave up after $n tries: $*"
}
wait_port() { local i; for ((i = 0; i < 120; i++)); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.5; done; die "nothing listens on 127.0.0.1:$1 (see $NET/logs)"; }
start() {
  local name=$1; shift
  setsid "$@" >"$NET/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$NET/pids/$name"; log "started $name (pid $!)"
}

# ---------------------------------------------------------------- crypto material, channel blocks, configs
{
  cat <<'EOF'
OrdererOrgs:
  - Name: Orderer
    Domain: example.com
    EnableNodeOUs: true
    Specs:
      - Hostname: orderer
        SANS: [localhost, 127.0.0.1]
PeerOrgs:
EOF
  for n in 1 2 3; do
    printf '  - Name: Org%s\n    Domain: org%s.example.com\n    EnableNodeOUs: true\n    Template: {Count: 1, SANS: [localhost, 127.0.0.1]}\n    Users: {Count: 1}\n' $n $n
  done
} >"$NET/crypto-config.yaml"
run "$BIN/cryptogen" generate --config="$NET/crypto-config.yaml" --output="$NET/crypto"
C=$NET/crypto
OTLS=$C/ordererOrganizations/example.com/orderers/orderer.example.com/tls
org_yaml() { # N ANCHOR_PORT
  cat <<ORG
  - &Org$1
    Name: Org$1MSP
    ID: Org$1MSP
    MSPDir: $C/peerOrganizations/org$1.example.com/msp
    Policies:
      Readers: {Type: Signature, Rule: "OR('Org$1MSP.admin', 'Org$1MSP.peer', 'Org$1MSP.client')"}
      Writers: {Type: Signature, Rule: "OR('Org$1MSP.admin', 'Org$1MSP.client')"}
      Admins: {Type: Signature, Rule: "OR('Org$1MSP.admin')"}
      Endorsement: {Type: Signature, Rule: "OR('Org$1MSP.peer')"}
    AnchorPeers: [{Host: 127.0.0.1, Port: $2}]
ORG
}
cat >"$NET/configtx.yaml" <<EOF
Organizations:
  - &OrdererOrg
    Name: OrdererOrg
    ID: OrdererMSP
    MSPDir: $C/ordererOrganizations/example.com/msp
    Policies:
      Readers: {Type: Signature, Rule: "OR('OrdererMSP.member')"}
      Writers: {Type: Signature, Rule: "OR('OrdererMSP.member')"}
      Admins: {Type: Signature, Rule: "OR('OrdererMSP.admin')"}
    OrdererEndpoints: ["127.0.0.1:7050"]
$(org_yaml 1 7051)
$(org_yaml 2 9051)
$(org_yaml 3 8051)
Capabilities:
  Channel: &ChannelCapabilities {V2_0: true}
  Orderer: &OrdererCapabilities {V2_0: true}
  Application: &ApplicationCapabilities {V2_5: true}
Application: &ApplicationDefaults
  Organizations:
  Policies:
    Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
    Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
    Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
    LifecycleEndorsement: {Type: ImplicitMeta, Rule: "MAJORITY Endorsement"}
    Endorsement: {Type: ImplicitMeta, Rule: "MAJORITY Endorsement"}
  Capabilities: *ApplicationCapabilities
Orderer: &OrdererDefaults
  OrdererType: etcdraft
  BatchTimeout: 500ms
  BatchSize: {MaxMessageCount: 10, AbsoluteMaxBytes: 99 MB, PreferredMaxBytes: 512 KB}
  EtcdRaft:
    Consenters:
      - {Host: 127.0.0.1, Port: 7055, ClientTLSCert: $OTLS/server.crt, ServerTLSCert: $OTLS/server.crt}
  Organizations:
  Policies:
    Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
    Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
    Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
    BlockValidation: {Type: ImplicitMeta, Rule: "ANY Writers"}
  Capabilities: *OrdererCapabilities
Channel: &ChannelDefaults
  Policies:
    Readers: {Type: ImplicitMeta, Rule: "ANY Readers"}
    Writers: {Type: ImplicitMeta, Rule: "ANY Writers"}
    Admins: {Type: ImplicitMeta, Rule: "MAJORITY Admins"}
  Capabilities: *ChannelCapabilities
Profiles:
  OneOrgChannel:
    <<: *ChannelDefaults
    Orderer: {<<: *OrdererDefaults, Organizations: [*OrdererOrg]}
    Application: {<<: *ApplicationDefaults, Organizations: [*Org1]}
  ThreeOrgsChannel:
    <<: *ChannelDefaults
    Orderer: {<<: *OrdererDefaults, Organizations: [*OrdererOrg]}
    Application: {<<: *ApplicationDefaults, Organizations: [*Org1, *Org2, *Org3]}
EOF
for ch in "${CHANNELS[@]}"; do
  profile=ThreeOrgsChannel; [ "$ch" = settlement-channel ] && profile=OneOrgChannel
  run "$BIN/configtxgen" -configPath "$NET" -profile $profile -channelID "$ch" -outputBlock "$NET/artifacts/$ch.block"
done
run python3 "$KIT/mkcfg.py" "$WORK/src/sampleconfig" "$NET" "$BIN/ccaas"
log "crypto material for Org1 (operator), Org2 (DSO), Org3 (regulator), channel blocks and configs under $NET"

# ---------------------------------------------------------------- orderer + channels
start orderer env FABRIC_CFG_PATH="$NET/cfg/orderer" "$BIN/orderer"
wait_port 7053; wait_port 7050
for ch in "${CHANNELS[@]}"; do
  retry 10 1 "$BIN/osnadmin" channel join --channelID "$ch" --config-block "$NET/artifacts/$ch.block" -o 127.0.0.1:7053
done
log "orderer joined ${CHANNELS[*]}"

# ---------------------------------------------------------------- peers
for org in org1 org2 org3; do
  start "peer-$org" env FABRIC_CFG_PATH="$NET/cfg/peer0.$org.example.com" "$BIN/peer" node start
done
for org in org1 org2 org3; do wait_port "${PEER_PORT[$org]}"; done
ORDERER_CA=$C/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem
ORD=(-o 127.0.0.1:7050 --tls --cafile "$ORDERER_CA")
tlsca() { echo "$C/peerOrganizations/$1.example.com/tlsca/tlsca.$1.example.com-cert.pem"; }
as_admin() {
  local org=$1 n=${1#org}
  export FABRIC_CFG_PATH=$NET/cfg/peer0.$org.example.com CORE_PEER_LOCALMSPID=Org${n}MSP
  export CORE_PEER_ADDRESS=127.0.0.1:${PEER_PORT[$org]}
  export CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_ROOTCERT_FILE=$(tlsca "$org")
  export CORE_PEER_MSPCONFIGPATH=$C/peerOrganizations/$org.example.com/users/Admin@$org.example.com/msp
}
P=$BIN/peer
for ch in "${CHANNELS[@]}"; do
  for org in ${CH_ORGS[$ch]}; do as_admin "$org"; retry 15 2 "$P" channel join -b "$NET/artifacts/$ch.block"; done
done
log "peers joined their channels"

# ---------------------------------------------------------------- chaincode as a service: one package and one server per contract
mkdir -p "$NET/chaincode"
tar -C "$CCSRC" --exclude=./node_modules -cf - . | tar -C "$NET/chaincode" -xf -
if [ -x "$CCSRC/node_modules/.bin/fabric-chaincode-node" ]; then
  cp -a "$CCSRC/node_modules" "$NET/chaincode/"
else
  (cd "$NET/chaincode" && run npm ci --omit=dev --no-audit --no-fund)
fi
declare -A PKGID
for cc in settlement matching electricity; do
  d=$NET/cc/$cc; mkdir -p "$d"
  printf '{"address":"%s","dial_timeout":"10s","tls_required":false}\n' "${CC_ADDR[$cc]}" >"$d/connection.json"
  printf '{"type":"ccaas","label":"%s_1.0"}\n' "$cc" >"$d/metadata.json"
  tar -C "$d" -czf "$d/code.tar.gz" connection.json
  tar -C "$d" -czf "$d/$cc.tar.gz" metadata.json code.tar.gz
  for org in org1 org2 org3; do as_admin $org; retry 5 3 "$P" lifecycle chaincode install "$d/$cc.tar.gz"; done
  PKGID[$cc]=$("$P" lifecycle chaincode calculatepackageid "$d/$cc.tar.gz")
  (cd "$NET/chaincode" && start "chaincode-$cc" env GATEWAY_CONTRACT=$cc CHAINCODE_SERVER_ADDRESS="${CC_ADDR[$cc]}" CHAINCODE_ID="${PKGID[$cc]}" \
    "$NET/chaincode/node_modules/.bin/fabric-chaincode-node" server --chaincode-address="${CC_ADDR[$cc]}" --chaincode-id="${PKGID[$cc]}")
  wait_port "${CC_ADDR[$cc]##*:}"
done
log "three chaincode services up (settlement 9999, matching 9998, electricity 9997), installed on every peer"

approve() { # org channel chaincode [extra...]
  local org=$1 ch=$2 cc=$3 i; shift 3; as_admin "$org"
  for ((i = 1; i <= 15; i++)); do
    "$P" lifecycle chaincode queryapproved -C "$ch" -n "$cc" --sequence 1 >>"$SETUPLOG" 2>&1 && return 0
    echo "+ approveformyorg $org $ch $cc" >>"$SETUPLOG"
    "$P" lifecycle chaincode approveformyorg "${ORD[@]}" -C "$ch" -n "$cc" -v 1.0 --sequence 1 --package-id "${PKGID[$cc]}" "$@" >>"$SETUPLOG" 2>&1 || sleep 2
  done
  tail -n 25 "$SETUPLOG" >&2; die "approve $org $ch $cc failed"
}
commit() { # channel chaincode [extra...]
  local ch=$1 cc=$2 i; shift 2; as_admin org1
  local peers=()
  for org in ${CH_ORGS[$ch]}; do peers+=(--peerAddresses "127.0.0.1:${PEER_PORT[$org]}" --tlsRootCertFiles "$(tlsca "$org")"); done
  for ((i = 1; i <= 15; i++)); do
    "$P" lifecycle chaincode querycommitted -C "$ch" -n "$cc" >>"$SETUPLOG" 2>&1 && return 0
    echo "+ commit $ch $cc" >>"$SETUPLOG"
    "$P" lifecycle chaincode commit "${ORD[@]}" -C "$ch" -n "$cc" -v 1.0 --sequence 1 "$@" "${peers[@]}" >>"$SETUPLOG" 2>&1 || sleep 2
  done
  tail -n 25 "$SETUPLOG" >&2; die "commit $ch $cc failed"
}
for ch in "${CHANNELS[@]}"; do
  cc=${CH_CC[$ch]} policy=${CH_POLICY[$ch]}
  extra=(); [ -n "$policy" ] && extra=(--signature-policy "$policy")
  for org in ${CH_ORGS[$ch]}; do approve "$org" "$ch" "$cc" "${extra[@]}"; done
  commit "$ch" "$cc" "${extra[@]}"
  log "chaincode $cc committed on $ch (endorsement: ${policy:-Org1})"
done

# ---------------------------------------------------------------- readiness
as_admin org1
for ch in "${CHANNELS[@]}"; do
  fn=QueryRound
  retry 30 2 "$P" chaincode query -C "$ch" -n "${CH_CC[$ch]}" -c "{\"function\":\"$fn\",\"Args\":[\"fabric-lab-probe\"]}"
done
log "every chaincode answers queries"
# The AND policies need peer0.org1's gateway to know the other orgs' peers, which gossip tells it (~10-40 s after start).
for ch in txmain matching electricity; do
  for port in 9051 8051; do
    for ((i = 0; i < 120; i++)); do
      grep -q "\[$ch\] Membership view has changed. peers went online:.*127.0.0.1:$port" "$NET/logs/peer-org1.log" && break; sleep 1
    done
    ((i < 120)) || log "WARNING: peer0.org1 does not see 127.0.0.1:$port on $ch yet; submits there may fail for a while"
  done
done
log "gossip: peer0.org1 sees the DSO's and the regulator's peers on txmain, matching and electricity"

# ---------------------------------------------------------------- client material: rig ledger blocks
U=$C/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp
fabric_block() { # channel chaincode
  cat <<EOF
    peer: https://127.0.0.1:7051
    tlsCa: $(tlsca org1)
    channel: $1
    chaincode: $2
    mspId: Org1MSP
    certificate: $U/signcerts/User1@org1.example.com-cert.pem
    privateKey: $U/keystore/priv_sk
EOF
}
{ echo "ledger:"; echo "  kind: fabric"; echo "  fabric:"; fabric_block settlement-channel settlement; } >"$NET/rig-ledger-simple.yaml"
{ echo "ledger:"; echo "  kind: fabric"; echo "  fabric:"; fabric_block txmain settlement
  echo "    matching: { channel: matching, chaincode: matching }"
  echo "    electricity: { channel: electricity, chaincode: electricity }"; } >"$NET/rig-ledger-3ch.yaml"
cat >"$NET/admin-env.sh" <<EOF
# source it: [ORG=org2|org3] . $NET/admin-env.sh   -> peer CLI as that org's admin; \$ORD = orderer args
ORG=\${ORG:-org1}; _n=\${ORG#org}; case \$_n in 1) _p=7051;; 2) _p=9051;; 3) _p=8051;; esac
export PATH=$BIN:\$PATH FABRIC_CFG_PATH=$NET/cfg/peer0.\$ORG.example.com CORE_PEER_LOCALMSPID=Org\${_n}MSP
export CORE_PEER_ADDRESS=127.0.0.1:\$_p CORE_PEER_TLS_ENABLED=true
export CORE_PEER_TLS_ROOTCERT_FILE=$C/peerOrganizations/\$ORG.example.com/tlsca/tlsca.\$ORG.example.com-cert.pem
export CORE_PEER_MSPCONFIGPATH=$C/peerOrganizations/\$ORG.example.com/users/Admin@\$ORG.example.com/msp
ORD="-o 127.0.0.1:7050 --tls --cafile $ORDERER_CA"
EOF
log "network up. Stop it with: $KIT/down.sh $WORK   (add --purge to delete $NET)"
echo "# rig ledger blocks: $NET/rig-ledger-simple.yaml (settlement-channel) and $NET/rig-ledger-3ch.yaml (three channels)"
cat "$NET/rig-ledger-3ch.yaml"
