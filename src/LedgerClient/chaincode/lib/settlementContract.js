'use strict';

const { Contract } = require('fabric-contract-api');
const { parseDecimal, multiply, compare, isRoundingOf } = require('./exactDecimal');

/** Key spaces (composite key object types). */
const SETTLEMENT = 'settlement';
const ROUND_INDEX = 'settlement~round';

/** Event emitted once per committed settlement, carrying its round id, so listeners can follow a round. */
const COMMITTED_EVENT = 'SettlementCommitted';

/** Prefixes clients match on: keep them stable, they are part of the contract's interface. */
const ERR_EXISTS = 'SETTLEMENT_EXISTS';
const ERR_UNBALANCED = 'SETTLEMENT_UNBALANCED';
const ERR_INVALID = 'SETTLEMENT_INVALID';

const AMOUNT_DECIMALS = 4;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;
const TEXT_FIELDS = ['settlementId', 'roundId', 'payerId', 'payeeId'];
const MAX_ID_LENGTH = 256;

function invalid(message) {
    return new Error(`${ERR_INVALID}: ${message}`);
}

function parseSettlement(json) {
    let input;
    try {
        input = JSON.parse(json);
    } catch (e) {
        throw invalid(`settlement is not valid JSON (${e.message})`);
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw invalid('settlement must be a JSON object');
    }
    for (const field of TEXT_FIELDS) {
        const value = input[field];
        if (typeof value !== 'string' || value.length === 0) {
            throw invalid(`${field} must be a non-empty string`);
        }
        if (value.length > MAX_ID_LENGTH || value.includes('\u0000')) {
            throw invalid(`${field} is longer than ${MAX_ID_LENGTH} characters or contains U+0000`);
        }
    }
    if (input.payerId === input.payeeId) {
        throw invalid(`payer and payee are the same participant (${input.payerId})`);
    }
    let energy, price, amount;
    try {
        energy = parseDecimal(input.energyKwh, 'energyKwh');
        price = parseDecimal(input.pricePerKwh, 'pricePerKwh');
        amount = parseDecimal(input.amount, 'amount');
    } catch (e) {
        throw invalid(e.message);
    }
    const zero = { units: 0n, scale: 0 };
    for (const [name, value] of [['energyKwh', energy], ['pricePerKwh', price], ['amount', amount]]) {
        if (compare(value, zero) < 0) {
            throw invalid(`${name} must not be negative`);
        }
    }
    for (const field of ['intervalStartUtc', 'intervalEndUtc']) {
        if (typeof input[field] !== 'string' || !UTC_TIMESTAMP.test(input[field])) {
            throw invalid(`${field} must be an ISO 8601 UTC timestamp ending in Z`);
        }
    }
    if (Date.parse(input.intervalStartUtc) >= Date.parse(input.intervalEndUtc)) {
        throw invalid('intervalStartUtc must be before intervalEndUtc');
    }
    if (!isRoundingOf(amount, multiply(energy, price), AMOUNT_DECIMALS)) {
        throw new Error(`${ERR_UNBALANCED}: amount ${input.amount} is not energyKwh ${input.energyKwh} x pricePerKwh ${input.pricePerKwh} rounded to ${AMOUNT_DECIMALS} decimals`);
    }
    return {
        settlementId: input.settlementId,
        roundId: input.roundId,
        payerId: input.payerId,
        payeeId: input.payeeId,
        energyKwh: input.energyKwh,
        pricePerKwh: input.pricePerKwh,
        amount: input.amount,
        intervalStartUtc: input.intervalStartUtc,
        intervalEndUtc: input.intervalEndUtc,
    };
}

/**
 * Settlements of the P2P energy market. One settlement = one payer paying one payee for metered energy
 * in one market round. Settlement ids are unique on the ledger; each commit emits an event naming its round.
 */
class SettlementContract extends Contract {
    constructor() {
        super('SettlementContract');
    }

    /** Commits a settlement given as JSON; rejects a duplicate id and amounts that do not balance. */
    async CommitSettlement(ctx, settlementJson) {
        const settlement = parseSettlement(settlementJson);
        const key = ctx.stub.createCompositeKey(SETTLEMENT, [settlement.settlementId]);
        const existing = await ctx.stub.getState(key);
        if (existing && existing.length > 0) {
            throw new Error(`${ERR_EXISTS}: settlement ${settlement.settlementId} is already committed`);
        }
        const txId = ctx.stub.getTxID();
        // Proposal time orders a round's settlements; the id breaks ties. Padded so keys sort numerically.
        const committedAtMs = ctx.stub.getDateTimestamp().getTime();
        const record = { ...settlement, txId, committedAtMs };
        await ctx.stub.putState(key, Buffer.from(JSON.stringify(record)));
        const indexKey = ctx.stub.createCompositeKey(ROUND_INDEX,
            [settlement.roundId, String(committedAtMs).padStart(15, '0'), settlement.settlementId]);
        // An empty value would delete the key, so the index entry holds the settlement id.
        await ctx.stub.putState(indexKey, Buffer.from(settlement.settlementId));
        ctx.stub.setEvent(COMMITTED_EVENT, Buffer.from(JSON.stringify({
            roundId: settlement.roundId,
            settlementId: settlement.settlementId,
            txId,
        })));
        return JSON.stringify(record);
    }

    /** The settlement with this id as JSON, or an empty string when there is none. */
    async GetSettlement(ctx, settlementId) {
        const value = await ctx.stub.getState(ctx.stub.createCompositeKey(SETTLEMENT, [settlementId]));
        return value && value.length > 0 ? Buffer.from(value).toString('utf8') : '';
    }

    /** All settlements of one round as a JSON array, in commit (proposal time) order. */
    async QueryRound(ctx, roundId) {
        const settlements = [];
        for await (const entry of ctx.stub.getStateByPartialCompositeKey(ROUND_INDEX, [roundId])) {
            const id = Buffer.from(entry.value).toString('utf8');
            const value = await ctx.stub.getState(ctx.stub.createCompositeKey(SETTLEMENT, [id]));
            if (value && value.length > 0) {
                settlements.push(JSON.parse(Buffer.from(value).toString('utf8')));
            }
        }
        return JSON.stringify(settlements);
    }
}

module.exports = { SettlementContract, COMMITTED_EVENT, ERR_EXISTS, ERR_UNBALANCED, ERR_INVALID };
