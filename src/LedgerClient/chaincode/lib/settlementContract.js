'use strict';

const { Contract } = require('fabric-contract-api');
const { parseDecimal, multiply, compare, add, isRoundingOf } = require('./exactDecimal');

/** Key spaces (composite key object types). */
const SETTLEMENT = 'settlement';
const BATCH = 'settlement~batch';
const ROUND_INDEX = 'settlement~round';

/**
 * Storage. The gateway's settlement ids are {round}/{epoch}/{index}/{payer}->{payee}: the settlements a transaction
 * commits under one {round}/{epoch} prefix are stored together as one record, key (settlement~batch, prefix, txId),
 * and one range read over the prefix finds every settlement of that round already on the ledger. A round thus costs
 * one read and two writes (its record and its round-index entry) instead of a stub call per settlement — each a round
 * trip between chaincode and peer, the cost that limits throughput. Any other id is stored on its own (settlement, id).
 */
const BATCH_PREFIX = /^(.+\/[0-9a-f]{8})\/[0-9]{3,}\/.+$/;

function batchPrefix(settlementId) {
    const match = BATCH_PREFIX.exec(settlementId);
    return match ? match[1] : null;
}

/** Event emitted once per transaction that commits settlements, carrying them, so followers see each as it commits. */
const COMMITTED_EVENT = 'SettlementsCommitted';

/** Prefixes clients match on: keep them stable, they are part of the contract's interface. */
const ERR_EXISTS = 'SETTLEMENT_EXISTS';
const ERR_CONFLICT = 'SETTLEMENT_CONFLICT';
const ERR_UNBALANCED = 'SETTLEMENT_UNBALANCED';
const ERR_INVALID = 'SETTLEMENT_INVALID';
const ERR_BATCH = 'SETTLEMENT_BATCH_INVALID';

const AMOUNT_DECIMALS = 4;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;
const TEXT_FIELDS = ['settlementId', 'roundId', 'payerId', 'payeeId'];
const DECIMAL_FIELDS = ['energyKwh', 'pricePerKwh', 'amount'];
const TIME_FIELDS = ['intervalStartUtc', 'intervalEndUtc'];
const MAX_ID_LENGTH = 256;
const MAX_BATCH = 10000;

/** An error whose message names the settlement (quoted) so a client can tell which one of a batch it concerns. */
function refuse(prefix, id, message) {
    return new Error(id === undefined ? `${prefix}: ${message}` : `${prefix}: settlement "${id}": ${message}`);
}

function parseJson(json, what) {
    try {
        return JSON.parse(json);
    } catch (e) {
        throw refuse(ERR_INVALID, undefined, `${what} is not valid JSON (${e.message})`);
    }
}

/** Checks one settlement object; throws naming it and what is wrong. */
function checkSettlement(input) {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw refuse(ERR_INVALID, undefined, 'settlement must be a JSON object');
    }
    const id = typeof input.settlementId === 'string' && input.settlementId.length > 0 ? input.settlementId : undefined;
    for (const field of TEXT_FIELDS) {
        const value = input[field];
        if (typeof value !== 'string' || value.length === 0) {
            throw refuse(ERR_INVALID, id, `${field} must be a non-empty string`);
        }
        if (value.length > MAX_ID_LENGTH || value.includes('\u0000')) {
            throw refuse(ERR_INVALID, id, `${field} is longer than ${MAX_ID_LENGTH} characters or contains U+0000`);
        }
    }
    if (input.payerId === input.payeeId) {
        throw refuse(ERR_INVALID, id, `payer and payee are the same participant (${input.payerId})`);
    }
    const values = {};
    for (const field of DECIMAL_FIELDS) {
        try {
            values[field] = parseDecimal(input[field], field);
        } catch (e) {
            throw refuse(ERR_INVALID, id, e.message);
        }
        if (compare(values[field], { units: 0n, scale: 0 }) < 0) {
            throw refuse(ERR_INVALID, id, `${field} must not be negative`);
        }
    }
    for (const field of TIME_FIELDS) {
        if (typeof input[field] !== 'string' || !UTC_TIMESTAMP.test(input[field])) {
            throw refuse(ERR_INVALID, id, `${field} must be an ISO 8601 UTC timestamp ending in Z`);
        }
    }
    if (Date.parse(input.intervalStartUtc) >= Date.parse(input.intervalEndUtc)) {
        throw refuse(ERR_INVALID, id, 'intervalStartUtc must be before intervalEndUtc');
    }
    if (!isRoundingOf(values.amount, multiply(values.energyKwh, values.pricePerKwh), AMOUNT_DECIMALS)) {
        throw refuse(ERR_UNBALANCED, id,
            `amount ${input.amount} is not energyKwh ${input.energyKwh} x pricePerKwh ${input.pricePerKwh} rounded to ${AMOUNT_DECIMALS} decimals`);
    }
    const settlement = {};
    for (const field of [...TEXT_FIELDS, ...DECIMAL_FIELDS, ...TIME_FIELDS]) {
        settlement[field] = input[field];
    }
    return { settlement, values };
}

/** Instants compared with their fractions padded to 7 digits, so .5Z and .5000000Z are the same time. */
function instant(text) {
    return text.replace(/(\.\d+)?Z$/, (m, fraction) => `${((fraction || '.') + '0000000').slice(0, 8)}Z`);
}

/** One field compared as what it is: texts exactly, decimals by value (2.5 = 2.50), instants as instants. */
function fieldEqual(field, a, b) {
    if (DECIMAL_FIELDS.includes(field)) {
        return compare(parseDecimal(a, field), parseDecimal(b, field)) === 0;
    }
    if (TIME_FIELDS.includes(field)) {
        return instant(a) === instant(b);
    }
    return a === b;
}

const ALL_FIELDS = [...TEXT_FIELDS, ...DECIMAL_FIELDS, ...TIME_FIELDS];

function sameContent(stored, offered) {
    return ALL_FIELDS.every((f) => fieldEqual(f, stored[f], offered[f]));
}

function differences(stored, offered) {
    return ALL_FIELDS.filter((f) => !fieldEqual(f, stored[f], offered[f])).map((f) => `${f} ${stored[f]} != ${offered[f]}`).join(', ');
}

/**
 * Settlements of the P2P energy market: the transaction main chain. One settlement = one payer paying one payee for
 * metered energy in one market round. Settlement ids are unique on the ledger; a round's settlements are committed as
 * one transaction (CommitSettlements), all or nothing, and each transaction emits one event carrying what it committed.
 */
class SettlementContract extends Contract {
    constructor() {
        super('SettlementContract');
    }

    /**
     * Writes committed settlements: one record per batch prefix, single ones on their own, and one round-index entry per
     * round naming where this transaction put that round's settlements. Proposal time orders a round's transactions
     * (padded so keys sort numerically); the transaction id breaks ties.
     */
    async _write(ctx, settlements, txId, committedAtMs) {
        const records = settlements.map((s) => ({ ...s, txId, committedAtMs }));
        const byPrefix = new Map();
        const singles = [];
        for (const record of records) {
            const prefix = batchPrefix(record.settlementId);
            if (prefix) {
                byPrefix.set(prefix, [...(byPrefix.get(prefix) || []), record]);
            } else {
                singles.push(record);
            }
        }
        for (const [prefix, batch] of byPrefix) {
            await ctx.stub.putState(ctx.stub.createCompositeKey(BATCH, [prefix, txId]), Buffer.from(JSON.stringify(batch)));
        }
        for (const record of singles) {
            await ctx.stub.putState(ctx.stub.createCompositeKey(SETTLEMENT, [record.settlementId]), Buffer.from(JSON.stringify(record)));
        }
        const byRound = new Map();
        for (const record of records) {
            const where = byRound.get(record.roundId) || { batches: [], ids: [] };
            const prefix = batchPrefix(record.settlementId);
            if (prefix) {
                if (!where.batches.includes(prefix)) {
                    where.batches.push(prefix);
                }
            } else {
                where.ids.push(record.settlementId);
            }
            byRound.set(record.roundId, where);
        }
        for (const [roundId, where] of byRound) {
            await ctx.stub.putState(ctx.stub.createCompositeKey(ROUND_INDEX, [roundId, String(committedAtMs).padStart(15, '0'), txId]),
                Buffer.from(JSON.stringify(where)));
        }
        return records;
    }

    /** Every settlement stored under a batch prefix (one range read), by id. */
    async _batch(ctx, prefix) {
        const found = new Map();
        for await (const entry of ctx.stub.getStateByPartialCompositeKey(BATCH, [prefix])) {
            for (const stored of JSON.parse(Buffer.from(entry.value).toString('utf8'))) {
                found.set(stored.settlementId, stored);
            }
        }
        return found;
    }

    async _get(ctx, settlementId) {
        const prefix = batchPrefix(settlementId);
        if (prefix) {
            return (await this._batch(ctx, prefix)).get(settlementId) || null;
        }
        const value = await ctx.stub.getState(ctx.stub.createCompositeKey(SETTLEMENT, [settlementId]));
        return value && value.length > 0 ? JSON.parse(Buffer.from(value).toString('utf8')) : null;
    }

    /** The stored settlements among `ids`, by id: one range read per batch prefix, one read per other id. */
    async _getMany(ctx, ids) {
        const found = new Map();
        const prefixes = new Set();
        for (const id of ids) {
            const prefix = batchPrefix(id);
            if (prefix) {
                prefixes.add(prefix);
            } else {
                const stored = await this._get(ctx, id);
                if (stored) {
                    found.set(id, stored);
                }
            }
        }
        for (const prefix of prefixes) {
            for (const [id, stored] of await this._batch(ctx, prefix)) {
                found.set(id, stored);
            }
        }
        return found;
    }

    /** Commits one settlement given as JSON; rejects a duplicate id and amounts that do not balance. */
    async CommitSettlement(ctx, settlementJson) {
        const { settlement } = checkSettlement(parseJson(settlementJson, 'settlement'));
        if (await this._get(ctx, settlement.settlementId)) {
            throw new Error(`${ERR_EXISTS}: settlement ${settlement.settlementId} is already committed`);
        }
        const txId = ctx.stub.getTxID();
        const [record] = await this._write(ctx, [settlement], txId, ctx.stub.getDateTimestamp().getTime());
        ctx.stub.setEvent(COMMITTED_EVENT, Buffer.from(JSON.stringify({ txId, settlements: [record] })));
        return JSON.stringify(record);
    }

    /**
     * Commits a batch — {count, totalEnergyKwh, totalAmount, settlements: [...]}, a round's settlements — as one
     * transaction, all or nothing. Every settlement must balance and the batch's count and totals must match its
     * settlements. Idempotent per settlement: one already committed with identical content is reported "already"
     * (with the transaction that committed it) and not written again; one already committed with other content
     * refuses the whole batch, naming it. Returns {txId, results: [{settlementId, outcome, txId}]} in batch order.
     */
    async CommitSettlements(ctx, batchJson) {
        const batch = parseJson(batchJson, 'batch');
        if (batch === null || typeof batch !== 'object' || !Array.isArray(batch.settlements)) {
            throw refuse(ERR_BATCH, undefined, 'a batch is an object with a settlements array');
        }
        if (batch.settlements.length === 0 || batch.settlements.length > MAX_BATCH) {
            throw refuse(ERR_BATCH, undefined, `a batch holds 1 to ${MAX_BATCH} settlements, not ${batch.settlements.length}`);
        }
        const checked = batch.settlements.map(checkSettlement);
        const seen = new Set();
        let energy = { units: 0n, scale: 0 };
        let amount = { units: 0n, scale: 0 };
        for (const { settlement, values } of checked) {
            if (seen.has(settlement.settlementId)) {
                throw refuse(ERR_BATCH, settlement.settlementId, 'appears twice in the batch');
            }
            seen.add(settlement.settlementId);
            energy = add(energy, values.energyKwh);
            amount = add(amount, values.amount);
        }
        let declaredEnergy;
        let declaredAmount;
        try {
            declaredEnergy = parseDecimal(batch.totalEnergyKwh, 'totalEnergyKwh');
            declaredAmount = parseDecimal(batch.totalAmount, 'totalAmount');
        } catch (e) {
            throw refuse(ERR_BATCH, undefined, e.message);
        }
        if (batch.count !== checked.length || compare(declaredEnergy, energy) !== 0 || compare(declaredAmount, amount) !== 0) {
            throw refuse(ERR_BATCH, undefined,
                `the batch declares ${batch.count} settlements, ${batch.totalEnergyKwh} kWh and ${batch.totalAmount}, but holds ${checked.length} that add up to other totals`);
        }

        const txId = ctx.stub.getTxID();
        const committedAtMs = ctx.stub.getDateTimestamp().getTime();
        const results = [];
        const fresh = [];
        const existing = await this._getMany(ctx, checked.map((c) => c.settlement.settlementId));
        for (const { settlement } of checked) {
            const stored = existing.get(settlement.settlementId);
            if (stored) {
                if (!sameContent(stored, settlement)) {
                    throw refuse(ERR_CONFLICT, settlement.settlementId,
                        `already committed in transaction ${stored.txId} with different content (${differences(stored, settlement)})`);
                }
                results.push({ settlementId: settlement.settlementId, outcome: 'already', txId: stored.txId });
                continue;
            }
            fresh.push(settlement);
            results.push({ settlementId: settlement.settlementId, outcome: 'committed', txId });
        }
        if (fresh.length > 0) {
            const committed = await this._write(ctx, fresh, txId, committedAtMs);
            ctx.stub.setEvent(COMMITTED_EVENT, Buffer.from(JSON.stringify({ txId, settlements: committed })));
        }
        return JSON.stringify({ txId, results });
    }

    /** The settlement with this id as JSON, or an empty string when there is none. */
    async GetSettlement(ctx, settlementId) {
        const stored = await this._get(ctx, settlementId);
        return stored ? JSON.stringify(stored) : '';
    }

    /** All settlements of one round as a JSON array, in commit order (transactions by proposal time, each in batch order). */
    async QueryRound(ctx, roundId) {
        const settlements = [];
        for await (const entry of ctx.stub.getStateByPartialCompositeKey(ROUND_INDEX, [roundId])) {
            const txId = ctx.stub.splitCompositeKey(entry.key).attributes[2];
            const where = JSON.parse(Buffer.from(entry.value).toString('utf8'));
            for (const prefix of where.batches) {
                const value = await ctx.stub.getState(ctx.stub.createCompositeKey(BATCH, [prefix, txId]));
                if (value && value.length > 0) {
                    settlements.push(...JSON.parse(Buffer.from(value).toString('utf8')).filter((s) => s.roundId === roundId));
                }
            }
            for (const id of where.ids) {
                const stored = await this._get(ctx, id);
                if (stored) {
                    settlements.push(stored);
                }
            }
        }
        return JSON.stringify(settlements);
    }
}

module.exports = {
    SettlementContract, COMMITTED_EVENT, ERR_EXISTS, ERR_CONFLICT, ERR_UNBALANCED, ERR_INVALID, ERR_BATCH,
};
