'use strict';

const { Contract } = require('fabric-contract-api');
const { recordRoundBatch, getRecord, queryRound, requireArray, requireText, requireNumber } = require('./roundRecords');

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

const STREAM = {
    prefix: 'DECISION', name: 'matching', objectType: 'decision', roundIndex: 'decision~round', event: 'DecisionsRecorded', checkPayload: checkDecision,
};
const RECORDED_EVENT = STREAM.event;

/** The matching side chain: each round's decision, recorded once per round and site run. */
class MatchingContract extends Contract {
    constructor() {
        super('MatchingContract');
    }

    /** Records {records: [...]} (one per round), all or nothing, idempotent per key; returns {txId, results}. */
    async RecordDecisions(ctx, batchJson) {
        return recordRoundBatch(ctx, STREAM, batchJson);
    }

    /** The decision recorded under this key as JSON, or an empty string. */
    async GetDecision(ctx, key) {
        return getRecord(ctx, STREAM.objectType, key);
    }

    /** Every decision recorded for a round id (all site runs) as a JSON array. */
    async QueryRound(ctx, roundId) {
        return queryRound(ctx, STREAM.objectType, STREAM.roundIndex, roundId);
    }
}

module.exports = { MatchingContract, checkDecision, RECORDED_EVENT };
