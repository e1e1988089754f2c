'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { MatchingContract } = require('../lib/matchingContract');
const { ElectricityContract } = require('../lib/electricityContract');
const { contentHash } = require('../lib/roundRecords');
const { MemoryWorld } = require('../test-support/memoryStub');

const ROUND = 'site-20260601T1000';

function decision(overrides = {}) {
    return {
        roundId: ROUND,
        quotations: [{ participantId: 'ev-1', role: 'buyer', energyKwh: 3 }, { participantId: 'pv-1', role: 'seller', energyKwh: 4 }],
        trades: [
            { buyerId: 'ev-1', sellerId: 'pv-1', energyKwh: 2, pricePerKwh: 0.61, status: 'executed', failedLineId: null },
            { buyerId: 'ev-2', sellerId: 'pv-1', energyKwh: 1, pricePerKwh: 0.6, status: 'failed', failedLineId: 'L13' },
        ],
        smesActions: [{ counterpartyId: 'ev-2', direction: 'discharge', energyKwh: 1, pricePerKwh: 0.7 }],
        ...overrides,
    };
}

function delivery(overrides = {}) {
    return {
        roundId: ROUND,
        intervalStartUtc: '2026-06-01T10:00:00.0000000Z',
        intervalEndUtc: '2026-06-01T10:15:00.0000000Z',
        devices: [{ deviceId: 'ev-1', participantId: 'ev-1', setpointKw: -7.4, readBackKw: -7.38, setpointStatus: 'confirmed', meterStartKwh: 10, meterEndKwh: 8.15, netExportKwh: -1.85 }],
        ...overrides,
    };
}

/** A record as the gateway sends it, hashed the same way. */
function record(stream, payload, key = `${ROUND}/0a1b2c3d`) {
    const r = { key, siteId: 'site', epoch: '0a1b2c3d', roundId: ROUND, payload: JSON.stringify(payload) };
    return { ...r, contentHash: contentHash(stream, r) };
}

const cases = [
    ['matching', MatchingContract, 'RecordDecisions', 'GetDecision', decision, 'DECISION'],
    ['electricity', ElectricityContract, 'RecordDeliveries', 'GetDelivery', delivery, 'DELIVERY'],
];

for (const [stream, Contract, recordFn, getFn, payload, prefix] of cases) {
    test(`${stream}: records a round once, reads it back byte for byte, and is idempotent per key`, async () => {
        const world = new MemoryWorld();
        const contract = new Contract();
        const r = record(stream, payload());
        const first = JSON.parse(await world.invoke(contract, recordFn, JSON.stringify({ records: [r] })));
        assert.deepEqual(first.results, [{ key: r.key, outcome: 'committed', txId: 'tx1' }]);
        const stored = JSON.parse(await world.invoke(contract, getFn, r.key));
        assert.equal(stored.payload, r.payload);
        assert.equal(stored.contentHash, r.contentHash);
        const again = JSON.parse(await world.invoke(contract, recordFn, JSON.stringify({ records: [r] })));
        assert.deepEqual(again.results, [{ key: r.key, outcome: 'already', txId: 'tx1' }]);
        assert.equal(world.events.length, 1);
        assert.equal(JSON.parse(await world.invoke(contract, 'QueryRound', ROUND)).length, 1);
        assert.equal(await world.invoke(contract, getFn, 'nothing'), '');
    });

    test(`${stream}: refuses other content under a recorded key and a hash that does not match`, async () => {
        const world = new MemoryWorld();
        const contract = new Contract();
        await world.invoke(contract, recordFn, JSON.stringify({ records: [record(stream, payload())] }));
        const changed = record(stream, payload({ roundId: ROUND, extra: 1 }));
        await assert.rejects(world.invoke(contract, recordFn, JSON.stringify({ records: [changed] })),
            new RegExp(`${prefix}_CONFLICT: record "${ROUND}/0a1b2c3d": already recorded in transaction tx1`));
        const forged = { ...record(stream, payload(), 'other/0a1b2c3d'), contentHash: '00'.repeat(32) };
        await assert.rejects(world.invoke(contract, recordFn, JSON.stringify({ records: [forged] })), /contentHash 0000.* does not match the record/);
    });
}

test('matching: a failed trade must name the line that failed it; roles, statuses and numbers are checked', async () => {
    const world = new MemoryWorld();
    const contract = new MatchingContract();
    const bad = [
        [decision({ trades: [{ buyerId: 'a', sellerId: 'b', energyKwh: 1, pricePerKwh: 1, status: 'failed' }] }), /trades\[0\]\.failedLineId \(the line that failed the trade\)/],
        [decision({ quotations: [{ participantId: 'a', role: 'trader', energyKwh: 1 }] }), /quotations\[0\]\.role must be "buyer" or "seller"/],
        [decision({ trades: [{ buyerId: 'a', sellerId: 'b', energyKwh: -1, pricePerKwh: 1, status: 'executed' }] }), /trades\[0\]\.energyKwh must be a number >= 0/],
        [decision({ smesActions: [{ counterpartyId: 'a', direction: 'sideways', energyKwh: 1, pricePerKwh: 1 }] }), /smesActions\[0\]\.direction/],
        [decision({ roundId: 'another' }), /payload roundId another is not the record's round/],
    ];
    for (const [payload, message] of bad) {
        await assert.rejects(world.invoke(contract, 'RecordDecisions', JSON.stringify({ records: [record('matching', payload)] })), message);
    }
    assert.equal(world.state.size, 0);
});

test('electricity: the net export must be the meter difference; statuses are checked', async () => {
    const world = new MemoryWorld();
    const contract = new ElectricityContract();
    const device = delivery().devices[0];
    const bad = [
        [delivery({ devices: [{ ...device, netExportKwh: 1.85 }] }), /devices\[0\]\.netExportKwh 1.85 is not meterEndKwh 8.15 - meterStartKwh 10/],
        [delivery({ devices: [{ ...device, setpointStatus: 'great' }] }), /devices\[0\]\.setpointStatus must be one of/],
        [delivery({ devices: [{ ...device, setpointKw: 'full' }] }), /devices\[0\]\.setpointKw must be a number or null/],
    ];
    for (const [payload, message] of bad) {
        await assert.rejects(world.invoke(contract, 'RecordDeliveries', JSON.stringify({ records: [record('electricity', payload)] })), message);
    }
    // A device that was not metered has no counters and no net export.
    const unmetered = delivery({ devices: [{ ...device, meterStartKwh: null, meterEndKwh: null, netExportKwh: null }] });
    await world.invoke(contract, 'RecordDeliveries', JSON.stringify({ records: [record('electricity', unmetered)] }));
});

test('each contract is served alone when GATEWAY_CONTRACT names it', () => {
    const path = require.resolve('..');
    for (const [name, className] of [['settlement', 'SettlementContract'], ['matching', 'MatchingContract'], ['electricity', 'ElectricityContract']]) {
        process.env.GATEWAY_CONTRACT = name;
        delete require.cache[path];
        const chaincode = require('..');
        assert.deepEqual(chaincode.contracts.map((c) => new c().getName()), [className]);
    }
    process.env.GATEWAY_CONTRACT = 'nonsense';
    delete require.cache[path];
    assert.throws(() => require('..'), /GATEWAY_CONTRACT must be one of settlement, matching, electricity/);
    delete process.env.GATEWAY_CONTRACT;
    delete require.cache[path];
});
