#!/usr/bin/env python3
"""mkcfg.py SAMPLECONFIG_DIR NET_DIR BUILDER_DIR

The paper's three organisations on 127.0.0.1: writes NET_DIR/cfg/orderer/orderer.yaml and
NET_DIR/cfg/peer0.orgN.example.com/core.yaml (N = 1 operator, 2 DSO, 3 regulator) from Fabric's own
sampleconfig, changing only what a loopback network needs: addresses and ports, TLS on, MSP/TLS material
from NET_DIR/crypto, data under NET_DIR/data, no docker, the chaincode-as-a-service builder at BUILDER_DIR.
Extends the shared kit's mkcfg.py (../../../shared/fabric-lab) with the third organisation.
Needs PyYAML (Debian: apt-get install -y python3-yaml).
"""
import os
import sys

import yaml

sample, net, builder = (os.path.abspath(a) for a in sys.argv[1:4])
crypto, data = f"{net}/crypto", f"{net}/data"

# Every port is in 7050-9999 (the lab's range): orderer 7050/7053/7055/8443; per peer: peer, chaincode listener, operations.
PEERS = {"Org1": (7051, 7052, 9444), "Org2": (9051, 9052, 9445), "Org3": (8051, 8052, 9446)}


def load(name):
    with open(os.path.join(sample, name)) as f:
        return yaml.safe_load(f)


def save(doc, folder, name):
    os.makedirs(f"{net}/cfg/{folder}", exist_ok=True)
    with open(f"{net}/cfg/{folder}/{name}", "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


# ---- orderer: etcdraft, channel participation API (osnadmin) without system channel
o = load("orderer.yaml")
od = f"{crypto}/ordererOrganizations/example.com/orderers/orderer.example.com"
tls = {"cert": f"{od}/tls/server.crt", "key": f"{od}/tls/server.key", "ca": f"{od}/tls/ca.crt"}
g = o["General"]
g.update(ListenAddress="127.0.0.1", ListenPort=7050, BootstrapMethod="none", BootstrapFile="",
         LocalMSPDir=f"{od}/msp", LocalMSPID="OrdererMSP")
g["TLS"].update(Enabled=True, PrivateKey=tls["key"], Certificate=tls["cert"], RootCAs=[tls["ca"]],
                ClientAuthRequired=False)
g["Cluster"].update(ListenAddress="127.0.0.1", ListenPort=7055,
                    ServerCertificate=tls["cert"], ServerPrivateKey=tls["key"],
                    ClientCertificate=tls["cert"], ClientPrivateKey=tls["key"], RootCAs=[tls["ca"]])
o["FileLedger"]["Location"] = f"{data}/orderer"
o["Consensus"].update(WALDir=f"{data}/orderer/etcdraft/wal", SnapDir=f"{data}/orderer/etcdraft/snapshot")
o["Operations"]["ListenAddress"] = "127.0.0.1:8443"
o["Admin"]["ListenAddress"] = "127.0.0.1:7053"
o["Admin"]["TLS"]["Enabled"] = False           # osnadmin over plain HTTP, loopback only
o["ChannelParticipation"]["Enabled"] = True
save(o, "orderer", "orderer.yaml")


# ---- peers
def peer(org, port, cc_port, ops_port):
    c = load("core.yaml")
    dom = f"{org.lower()}.example.com"
    name = f"peer0.{dom}"
    pd = f"{crypto}/peerOrganizations/{dom}/peers/{name}"
    addr = f"127.0.0.1:{port}"
    p = c["peer"]
    p.update(id=name, listenAddress=addr, address=addr,
             chaincodeListenAddress=f"127.0.0.1:{cc_port}", chaincodeAddress=f"127.0.0.1:{cc_port}",
             fileSystemPath=f"{data}/{name}", mspConfigPath=f"{pd}/msp", localMspId=f"{org}MSP")
    p["gossip"].update(bootstrap=addr, endpoint=addr, externalEndpoint=addr)
    p["tls"].update(enabled=True, clientAuthRequired=False, cert={"file": f"{pd}/tls/server.crt"},
                    key={"file": f"{pd}/tls/server.key"}, rootcert={"file": f"{pd}/tls/ca.crt"})
    c["ledger"]["snapshots"]["rootDir"] = f"{data}/{name}/snapshots"
    c["vm"]["endpoint"] = ""                    # no docker
    c["chaincode"]["externalBuilders"] = [{"name": "ccaas_builder", "path": builder}]
    c["operations"]["listenAddress"] = f"127.0.0.1:{ops_port}"
    c["metrics"]["provider"] = "disabled"
    save(c, name, "core.yaml")


for org, ports in PEERS.items():
    peer(org, *ports)
