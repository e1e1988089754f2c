'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { SettlementContract, COMMITTED_EVENT } = require('../lib/settlementContract');
const { MemoryWorld } = require('../test-support/memoryStub');

function settlement(overrides = {}) {
    return {
        settlementId: 'r1-ev1-pv2-0',
        roundId: 'r1',
        payerId: 'ev1',
        payeeId: 'pv2',
        energyKwh: '2.5',
        pricePerKwh: '0.2123',
        amount: '0.5308',
        intervalStartUtc: '2026-01-01T00:00:00.0000000Z',
        intervalEndUtc: '2026-01-01T00:15:00.0000000Z',
        ...overrides,
    };
}

function setup() {
    return { world: new MemoryWorld(), contract: new SettlementContract() };
}

test('commits a balanced settlement and reads it back by id', async () => {
    const { world, contract } = setup();
    const committed = JSON.parse(await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement())));
    assert.equal(committed.txId, 'tx1');
    const read = JSON.parse(await world.invoke(contract, 'GetSettlement', 'r1-ev1-pv2-0'));
    assert.equal(read.amount, '0.5308');
    assert.equal(read.payerId, 'ev1');
    assert.equal(read.txId, 'tx1');
});

test('GetSettlement of an unknown id is empty', async () => {
    const { world, contract } = setup();
    assert.equal(await world.invoke(contract, 'GetSettlement', 'nope'), '');
});

test('rejects a duplicate settlement id and keeps the first copy', async () => {
    const { world, contract } = setup();
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement()));
    await assert.rejects(
        world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ energyKwh: '1', amount: '0.2123' }))),
        /^Error: SETTLEMENT_EXISTS: settlement r1-ev1-pv2-0 is already committed$/);
    const read = JSON.parse(await world.invoke(contract, 'GetSettlement', 'r1-ev1-pv2-0'));
    assert.equal(read.energyKwh, '2.5');
    assert.equal(world.events.length, 1);
});

test('rejects amounts that do not balance and writes nothing', async () => {
    const { world, contract } = setup();
    await assert.rejects(
        world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ amount: '0.5310' }))),
        /SETTLEMENT_UNBALANCED: settlement "r1-ev1-pv2-0": amount 0.5310 is not energyKwh 2.5 x pricePerKwh 0.2123/);
    assert.equal(world.state.size, 0);
    assert.equal(world.events.length, 0);
});

test('accepts either rounding of an exact midpoint', async () => {
    const { world, contract } = setup();
    // 0.5 x 0.2469 = 0.12345
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'a', energyKwh: '0.5', pricePerKwh: '0.2469', amount: '0.1234' })));
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'b', energyKwh: '0.5', pricePerKwh: '0.2469', amount: '0.1235' })));
    assert.equal(JSON.parse(await world.invoke(contract, 'QueryRound', 'r1')).length, 2);
});

test('rejects malformed settlements with a message naming the problem', async () => {
    const { world, contract } = setup();
    const cases = [
        ['{not json', /not valid JSON/],
        ['[]', /must be a JSON object/],
        [JSON.stringify(settlement({ payerId: '' })), /payerId must be a non-empty string/],
        [JSON.stringify(settlement({ payeeId: 'ev1' })), /payer and payee are the same participant/],
        [JSON.stringify(settlement({ energyKwh: 2.5 })), /energyKwh must be a decimal string/],
        [JSON.stringify(settlement({ pricePerKwh: 'cheap' })), /pricePerKwh is not a decimal number/],
        [JSON.stringify(settlement({ energyKwh: '-1', amount: '-0.2123' })), /energyKwh must not be negative/],
        [JSON.stringify(settlement({ intervalEndUtc: '2026-01-01 00:15' })), /intervalEndUtc must be an ISO 8601 UTC timestamp/],
        [JSON.stringify(settlement({ intervalEndUtc: '2026-01-01T00:00:00Z' })), /intervalStartUtc must be before intervalEndUtc/],
    ];
    for (const [json, message] of cases) {
        await assert.rejects(world.invoke(contract, 'CommitSettlement', json), message);
    }
    assert.equal(world.state.size, 0);
});

test('QueryRound returns only that round, in commit order', async () => {
    const { world, contract } = setup();
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'z-first', roundId: 'r7' })));
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'other', roundId: 'r8' })));
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'a-second', roundId: 'r7' })));
    const round = JSON.parse(await world.invoke(contract, 'QueryRound', 'r7'));
    assert.deepEqual(round.map((s) => s.settlementId), ['z-first', 'a-second']);
    assert.deepEqual(JSON.parse(await world.invoke(contract, 'QueryRound', 'r9')), []);
});

test('round ids that prefix each other are not mixed up', async () => {
    const { world, contract } = setup();
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 's1', roundId: 'r1' })));
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 's10', roundId: 'r10' })));
    const round = JSON.parse(await world.invoke(contract, 'QueryRound', 'r1'));
    assert.deepEqual(round.map((s) => s.settlementId), ['s1']);
});

test('emits one SettlementsCommitted event per commit carrying the settlement', async () => {
    const { world, contract } = setup();
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'e1', roundId: 'r3' })));
    await world.invoke(contract, 'CommitSettlement', JSON.stringify(settlement({ settlementId: 'e2', roundId: 'r3' })));
    assert.equal(world.events.length, 2);
    for (const event of world.events) {
        assert.equal(event.name, COMMITTED_EVENT);
        assert.equal(JSON.parse(event.payload.toString()).settlements[0].roundId, 'r3');
    }
    assert.deepEqual(world.events.map((e) => JSON.parse(e.payload.toString()).settlements[0].settlementId), ['e1', 'e2']);
});

test('the contract loads under fabric-contract-api with its transactions discoverable', () => {
    const chaincode = require('..');
    assert.equal(chaincode.contracts.length, 1);
    const contract = new chaincode.contracts[0]();
    assert.equal(contract.getName(), 'SettlementContract');
    for (const fn of ['CommitSettlement', 'CommitSettlements', 'GetSettlement', 'QueryRound']) {
        assert.equal(typeof contract[fn], 'function');
    }
});
