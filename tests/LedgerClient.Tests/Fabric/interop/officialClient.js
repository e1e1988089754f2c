'use strict';

// Runs the official Node Fabric Gateway client (@hyperledger/fabric-gateway over @grpc/grpc-js) against
// the endpoint given in the environment and prints one JSON line describing what happened. Used by
// OfficialGatewayClientInteropTests to check the test peer against an implementation that is not ours.

const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const crypto = require('node:crypto');
const { connect, signers, hash } = require('@hyperledger/fabric-gateway');

function env(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`environment variable ${name} is required`);
    }
    return value;
}

function describeError(error) {
    return {
        name: error.constructor.name,
        code: error.code,
        message: error.message,
        details: (error.details || []).map((d) => ({ address: d.address, mspId: d.mspId, message: d.message })),
    };
}

async function main() {
    const tlsRoot = fs.readFileSync(env('FABRIC_TLS_CA'));
    const client = new grpc.Client(env('FABRIC_PEER'), grpc.credentials.createSsl(tlsRoot), {
        'grpc.ssl_target_name_override': 'peer0.org1.example.com',
    });
    const gateway = connect({
        client,
        identity: { mspId: env('FABRIC_MSP_ID'), credentials: fs.readFileSync(env('FABRIC_CERT')) },
        signer: signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(env('FABRIC_KEY')))),
        hash: hash.sha256,
        evaluateOptions: () => ({ deadline: Date.now() + 10000 }),
        endorseOptions: () => ({ deadline: Date.now() + 10000 }),
        submitOptions: () => ({ deadline: Date.now() + 10000 }),
        commitStatusOptions: () => ({ deadline: Date.now() + 10000 }),
    });
    const decoder = new TextDecoder();
    const result = {};
    try {
        const contract = gateway.getNetwork(env('FABRIC_CHANNEL')).getContract(env('FABRIC_CHAINCODE'));
        const settlement = env('SETTLEMENT_JSON');
        const id = JSON.parse(settlement).settlementId;

        const proposal = contract.newProposal('CommitSettlement', { arguments: [settlement] });
        const transaction = await proposal.endorse();
        const submitted = await transaction.submit();
        const status = await submitted.getStatus();
        result.transactionId = submitted.getTransactionId();
        result.committed = { code: status.code, successful: status.successful, blockNumber: Number(status.blockNumber) };
        result.committedResult = JSON.parse(decoder.decode(submitted.getResult()));

        result.getSettlement = JSON.parse(decoder.decode(await contract.evaluateTransaction('GetSettlement', id)));
        const otherId = process.env.READ_SETTLEMENT_ID;
        if (otherId) {
            result.readOther = JSON.parse(decoder.decode(await contract.evaluateTransaction('GetSettlement', otherId)));
        }
        try {
            await contract.submitTransaction('CommitSettlement', settlement);
            result.duplicate = { error: null };
        } catch (error) {
            result.duplicate = { error: describeError(error) };
        }
        // A round as one transaction, the way the gateway sends it.
        const batch = process.env.BATCH_JSON;
        if (batch) {
            result.batch = JSON.parse(decoder.decode(await contract.submitTransaction('CommitSettlements', batch)));
        }
        // The Gateway's ChaincodeEvents stream, read from a block on until EVENTS_COUNT events arrived.
        const fromBlock = process.env.EVENTS_FROM_BLOCK;
        if (fromBlock) {
            const network = gateway.getNetwork(env('FABRIC_CHANNEL'));
            const events = await network.getChaincodeEvents(env('FABRIC_CHAINCODE'), { startBlock: BigInt(fromBlock) });
            result.events = [];
            try {
                for await (const event of events) {
                    result.events.push({
                        blockNumber: Number(event.blockNumber),
                        transactionId: event.transactionId,
                        eventName: event.eventName,
                        payload: JSON.parse(decoder.decode(event.payload)),
                    });
                    if (result.events.length >= Number(env('EVENTS_COUNT'))) {
                        break;
                    }
                }
            } finally {
                events.close();
            }
        }
    } finally {
        gateway.close();
        client.close();
    }
    process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
    process.stderr.write(JSON.stringify(describeError(error)) + '\n' + (error.stack || '') + '\n');
    process.exit(1);
});
