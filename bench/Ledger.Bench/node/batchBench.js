'use strict';

// The official Node Fabric Gateway client (@hyperledger/fabric-gateway over @grpc/grpc-js) sends the batches the
// gateway would send (one CommitSettlements transaction per round, read from BATCHES as JSON lines) with the same
// discipline: up to WINDOW rounds endorsed at once, submitted in round order, their commit statuses awaited together.
// MODE=backlog sends every round as soon as it can; MODE=paced makes round r available INTERVAL_MS*r after the start.
// Prints {settlementsPerSecond, latenciesMs} (latency = round available -> commit status received).

const fs = require('node:fs');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const { connect, signers, hash } = require('@hyperledger/fabric-gateway');

function env(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`environment variable ${name} is required`);
    }
    return value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
    const batches = fs.readFileSync(env('BATCHES'), 'utf8').split('\n').filter((l) => l.length > 0);
    const window = Number(env('WINDOW'));
    const paced = env('MODE') === 'paced';
    const interval = Number(process.env.INTERVAL_MS || '0');
    const client = new grpc.Client(env('FABRIC_PEER'), grpc.credentials.createSsl(fs.readFileSync(env('FABRIC_TLS_CA'))), {
        'grpc.ssl_target_name_override': process.env.FABRIC_TLS_NAME || '127.0.0.1',
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
        'grpc.max_send_message_length': 16 * 1024 * 1024,
    });
    const gateway = connect({
        client,
        identity: { mspId: env('FABRIC_MSP_ID'), credentials: fs.readFileSync(env('FABRIC_CERT')) },
        signer: signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(env('FABRIC_KEY')))),
        hash: hash.sha256,
        evaluateOptions: () => ({ deadline: Date.now() + 30000 }),
        endorseOptions: () => ({ deadline: Date.now() + 60000 }),
        submitOptions: () => ({ deadline: Date.now() + 30000 }),
        commitStatusOptions: () => ({ deadline: Date.now() + 120000 }),
    });
    const contract = gateway.getNetwork(env('FABRIC_CHANNEL')).getContract(env('FABRIC_CHAINCODE'));
    const start = Date.now();
    const available = batches.map((_, r) => start + (paced ? interval * r : 0));
    const latencies = [];
    let settlements = 0;
    let last = start;
    try {
        for (let next = 0; next < batches.length;) {
            // What is available now (at least the next round, waiting for it when paced), up to the window.
            if (Date.now() < available[next]) {
                await sleep(available[next] - Date.now());
            }
            const chunk = [];
            while (next < batches.length && chunk.length < window && available[next] <= Date.now()) {
                chunk.push(next++);
            }
            const endorsed = await Promise.all(chunk.map((r) => contract.newProposal('CommitSettlements', { arguments: [batches[r]] }).endorse()));
            const submitted = [];
            for (const transaction of endorsed) {
                submitted.push(await transaction.submit());
            }
            const statuses = await Promise.all(submitted.map((s) => s.getStatus()));
            const now = Date.now();
            statuses.forEach((status, i) => {
                if (!status.successful) {
                    throw new Error(`transaction ${status.transactionId} invalid: code ${status.code}`);
                }
                latencies.push(now - available[chunk[i]]);
                settlements += JSON.parse(batches[chunk[i]]).count;
            });
            last = now;
        }
    } finally {
        gateway.close();
        client.close();
    }
    process.stdout.write(JSON.stringify({ settlementsPerSecond: settlements / ((last - start) / 1000), latenciesMs: latencies }) + '\n');
}

main().catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
