'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { SettlementContract, COMMITTED_EVENT } = require('../lib/settlementContract');
const { MemoryWorld } = require('../test-support/memoryStub');

function settlement(id, overrides = {}) {
    return {
        settlementId: id,
        roundId: 'site-20260601T1000',
        payerId: 'ev-1',
        payeeId: 'pv-1',
        energyKwh: '2.5',
        pricePerKwh: '0.2123',
        amount: '0.5308',
        intervalStartUtc: '2026-06-01T10:00:00.0000000Z',
        intervalEndUtc: '2026-06-01T10:15:00.0000000Z',
        ...overrides,
    };
}

/** A batch as the gateway sends it: count and totals computed from the settlements. */
function batch(settlements, overrides = {}) {
    const sum = (field) => settlements.reduce((total, s) => total + Math.round(Number(s[field]) * 10000), 0) / 10000;
    return JSON.stringify({
        count: settlements.length,
        totalEnergyKwh: String(sum('energyKwh')),
        totalAmount: String(sum('amount')),
        settlements,
        ...overrides,
    });
}

function setup() {
    return { world: new MemoryWorld(), contract: new SettlementContract() };
}

test('commits a round as one transaction with one event carrying every settlement', async () => {
    const { world, contract } = setup();
    const round = Array.from({ length: 55 }, (_, i) => settlement(`s/${i}`));
    const answer = JSON.parse(await world.invoke(contract, 'CommitSettlements', batch(round)));
    assert.equal(answer.txId, 'tx1');
    assert.equal(answer.results.length, 55);
    assert.ok(answer.results.every((r, i) => r.settlementId === `s/${i}` && r.outcome === 'committed' && r.txId === 'tx1'));
    assert.equal(world.events.length, 1);
    assert.equal(world.events[0].name, COMMITTED_EVENT);
    assert.equal(JSON.parse(world.events[0].payload.toString()).settlements.length, 55);
    assert.equal(JSON.parse(await world.invoke(contract, 'QueryRound', 'site-20260601T1000')).length, 55);
});

test('is idempotent per settlement: a resent batch reports every settlement already there, writes and emits nothing', async () => {
    const { world, contract } = setup();
    const round = [settlement('a'), settlement('b')];
    await world.invoke(contract, 'CommitSettlements', batch(round));
    const stateBefore = new Map(world.state);
    // 2.50 is 2.5 and .5Z is .5000000Z: same values, other spelling.
    const respelled = [settlement('a', { energyKwh: '2.50' }), settlement('b', { intervalStartUtc: '2026-06-01T10:00:00Z' })];
    const again = JSON.parse(await world.invoke(contract, 'CommitSettlements', batch(respelled)));
    assert.deepEqual(again.results.map((r) => [r.outcome, r.txId]), [['already', 'tx1'], ['already', 'tx1']]);
    assert.deepEqual(world.state, stateBefore);
    assert.equal(world.events.length, 1);
});

test('commits the new settlements of a batch that holds some already committed', async () => {
    const { world, contract } = setup();
    await world.invoke(contract, 'CommitSettlements', batch([settlement('a')]));
    const answer = JSON.parse(await world.invoke(contract, 'CommitSettlements', batch([settlement('a'), settlement('b')])));
    assert.deepEqual(answer.results.map((r) => r.outcome), ['already', 'committed']);
    assert.deepEqual(JSON.parse(world.events[1].payload.toString()).settlements.map((s) => s.settlementId), ['b']);
});

test('refuses the whole batch when one id is on the ledger with other content, naming it and the fields', async () => {
    const { world, contract } = setup();
    await world.invoke(contract, 'CommitSettlements', batch([settlement('a')]));
    const stateBefore = new Map(world.state);
    await assert.rejects(
        world.invoke(contract, 'CommitSettlements', batch([settlement('new'), settlement('a', { energyKwh: '1', amount: '0.2123' })])),
        /^Error: SETTLEMENT_CONFLICT: settlement "a": already committed in transaction tx1 with different content \(energyKwh 2.5 != 1, amount 0.5308 != 0.2123\)$/);
    assert.deepEqual(world.state, stateBefore);
});

test('refuses the whole batch when one settlement does not balance, naming it', async () => {
    const { world, contract } = setup();
    await assert.rejects(
        world.invoke(contract, 'CommitSettlements', batch([settlement('good'), settlement('bad', { amount: '0.5310' })])),
        /SETTLEMENT_UNBALANCED: settlement "bad": amount 0.5310/);
    assert.equal(world.state.size, 0);
    assert.equal(world.events.length, 0);
});

test('checks the batch: count and totals must add up, ids must be unique, size is bounded', async () => {
    const { world, contract } = setup();
    const round = [settlement('a'), settlement('b')];
    const cases = [
        [batch(round, { count: 3 }), /SETTLEMENT_BATCH_INVALID: the batch declares 3 settlements/],
        [batch(round, { totalAmount: '1.0617' }), /SETTLEMENT_BATCH_INVALID: the batch declares 2 settlements, 5 kWh and 1.0617/],
        [batch(round, { totalEnergyKwh: 'five' }), /SETTLEMENT_BATCH_INVALID: totalEnergyKwh is not a decimal/],
        [batch([settlement('a'), settlement('a')]), /SETTLEMENT_BATCH_INVALID: settlement "a": appears twice/],
        [batch([]), /SETTLEMENT_BATCH_INVALID: a batch holds 1 to 10000 settlements, not 0/],
        ['{"settlements": 3}', /SETTLEMENT_BATCH_INVALID: a batch is an object with a settlements array/],
        ['nope', /SETTLEMENT_INVALID: batch is not valid JSON/],
        [batch([settlement('a', { payeeId: 'ev-1' })]), /SETTLEMENT_INVALID: settlement "a": payer and payee are the same participant/],
    ];
    for (const [json, message] of cases) {
        await assert.rejects(world.invoke(contract, 'CommitSettlements', json), message);
    }
    assert.equal(world.state.size, 0);
});

test('a round batch of gateway ids costs one range read and two writes: its record and its round-index entry', async () => {
    const { world, contract } = setup();
    const round = Array.from({ length: 55 }, (_, i) => settlement(`site-20260601T1000/0a1b2c3d/${String(i).padStart(3, '0')}/ev-${i}->pv-1`));
    await world.invoke(contract, 'CommitSettlements', batch(round));
    assert.deepEqual(world.calls, { getState: 0, putState: 2, rangeQueries: 1 });
    const stored = JSON.parse(await world.invoke(contract, 'GetSettlement', round[7].settlementId));
    assert.equal(stored.settlementId, round[7].settlementId);
    // Resent: found by the same single read, nothing written.
    const again = JSON.parse(await world.invoke(contract, 'CommitSettlements', batch(round)));
    assert.ok(again.results.every((r) => r.outcome === 'already'));
    assert.equal(world.calls.putState, 2);
    assert.equal(world.calls.rangeQueries, 3); // commit, GetSettlement, resend
    // A remainder committed later (a settlement was refused first) lands in a second record of the same round.
    const late = settlement('site-20260601T1000/0a1b2c3d/055/ev-55->pv-1');
    await world.invoke(contract, 'CommitSettlements', batch([late]));
    const all = JSON.parse(await world.invoke(contract, 'QueryRound', 'site-20260601T1000'));
    assert.deepEqual(all.map((s) => s.settlementId), [...round, late].map((s) => s.settlementId));
    assert.equal(JSON.parse(await world.invoke(contract, 'GetSettlement', late.settlementId)).txId, 'tx4');
});
