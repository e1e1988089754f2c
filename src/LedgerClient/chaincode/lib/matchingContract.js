'use strict';

const { Contract } = require('fabric-contract-api');
const { parseBatch, recordBatch, getRecord, queryRound, requireArray, requireText, requireNumber } = require('./roundRecords');

const DECISION = 'decision';
const ROUND_INDEX = 'decision~round';
const RECORDED_EVENT = 'DecisionsRecorded';
const PREFIX = 'DECISION';

/**
 * What a round's decision must show to be auditable: every quotation, every match with its energy and price, every
 * failed trade with the line that failed it, and the SMES actions that stood in for failed trades.
 */
function checkDecision(d) {
    requireText(d.roundId, 'roundId');
    requireArray(d.quotations, 'quotations').forEach((q, i) => {
        requireText(q.participantId, `quotations[${i}].participantId`);
        if (q.role !== 'buyer' && q.role !== 'seller') {
            throw new Error(`quotations[${i}].role must be "buyer" or "seller"`);
        }
        requireNumber(q.energyKwh, `quotations[${i}].energyKwh`, { min: 0 });
    });
    requireArray(d.trades, 'trades').forEach((t, i) => {
        requireText(t.buyerId, `trades[${i}].buyerId`);
        requireText(t.sellerId, `trades[${i}].sellerId`);
        requireNumber(t.energyKwh, `trades[${i}].energyKwh`, { min: 0 });
        requireNumber(t.pricePerKwh, `trades[${i}].pricePerKwh`, { min: 0 });
        if (t.status === 'failed') {
            requireText(t.failedLineId, `trades[${i}].failedLineId (the line that failed the trade)`);
        } else if (t.status !== 'executed') {
            throw new Error(`trades[${i}].status must be "executed" or "failed"`);
        }
    });
    requireArray(d.smesActions, 'smesActions').forEach((a, i) => {
        requireText(a.counterpartyId, `smesActions[${i}].counterpartyId`);
        if (a.direction !== 'charge' && a.direction !== 'discharge') {
            throw new Error(`smesActions[${i}].direction must be "charge" or "discharge"`);
        }
        requireNumber(a.energyKwh, `smesActions[${i}].energyKwh`, { min: 0 });
        requireNumber(a.pricePerKwh, `smesActions[${i}].pricePerKwh`, { min: 0 });
    });
}

/** The matching side chain: each round's decision, recorded once per round and site run. */
class MatchingContract extends Contract {
    constructor() {
        super('MatchingContract');
    }

    /** Records {records: [...]} (one per round), all or nothing, idempotent per key; returns {txId, results}. */
    async RecordDecisions(ctx, batchJson) {
        const records = parseBatch(PREFIX, 'matching', batchJson, (payload, record) => {
            checkDecision(payload);
            if (payload.roundId !== record.roundId) {
                throw new Error(`payload roundId ${payload.roundId} is not the record's round ${record.roundId}`);
            }
        });
        const { response, written } = await recordBatch(ctx, PREFIX, DECISION, ROUND_INDEX, records);
        if (written.length > 0) {
            ctx.stub.setEvent(RECORDED_EVENT, Buffer.from(JSON.stringify({ txId: response.txId, keys: written.map((w) => w.key) })));
        }
        return JSON.stringify(response);
    }

    /** The decision recorded under this key as JSON, or an empty string. */
    async GetDecision(ctx, key) {
        return getRecord(ctx, DECISION, key);
    }

    /** Every decision recorded for a round id (all site runs) as a JSON array. */
    async QueryRound(ctx, roundId) {
        return queryRound(ctx, DECISION, ROUND_INDEX, roundId);
    }
}

module.exports = { MatchingContract, checkDecision, RECORDED_EVENT };
