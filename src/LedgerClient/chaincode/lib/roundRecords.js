'use strict';

// What the two side-chain contracts share: a round's record travels with its key, site, epoch and round, a payload
// (JSON text, kept byte for byte) and the gateway's SHA-256 over the canonical form, which the contract recomputes so
// both sides provably agree on what was recorded. A key is written once; the same content again is "already", other
// content is refused, naming the key.

const crypto = require('node:crypto');

const FORMAT_TAG = 'round-record/v1';
const TEXT_FIELDS = ['key', 'siteId', 'epoch', 'roundId'];
const MAX_TEXT = 256;
const MAX_BATCH = 1000;

/** Canonical form: tag, stream, key, site, epoch, round and payload joined by LF. */
function contentHash(stream, record) {
    const text = [FORMAT_TAG, stream, record.key, record.siteId, record.epoch, record.roundId, record.payload].join('\n');
    return crypto.createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

function refuse(prefix, key, message) {
    return new Error(key === undefined ? `${prefix}: ${message}` : `${prefix}: record "${key}": ${message}`);
}

/**
 * Parses {records: [...]} and checks every record: its fields, its hash, and its payload with `checkPayload`
 * (which throws a plain message). Returns [{record, payload}] in order.
 */
function parseBatch(prefix, stream, batchJson, checkPayload) {
    let batch;
    try {
        batch = JSON.parse(batchJson);
    } catch (e) {
        throw refuse(`${prefix}_INVALID`, undefined, `batch is not valid JSON (${e.message})`);
    }
    if (batch === null || typeof batch !== 'object' || !Array.isArray(batch.records) || batch.records.length === 0 || batch.records.length > MAX_BATCH) {
        throw refuse(`${prefix}_INVALID`, undefined, `a batch is an object with 1 to ${MAX_BATCH} records`);
    }
    const seen = new Set();
    return batch.records.map((record) => {
        if (record === null || typeof record !== 'object') {
            throw refuse(`${prefix}_INVALID`, undefined, 'a record must be a JSON object');
        }
        const key = typeof record.key === 'string' && record.key.length > 0 ? record.key : undefined;
        for (const field of TEXT_FIELDS) {
            const value = record[field];
            if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT || /[\u0000-\u001f]/.test(value)) {
                throw refuse(`${prefix}_INVALID`, key, `${field} must be a non-empty string of at most ${MAX_TEXT} printable characters`);
            }
        }
        if (seen.has(key)) {
            throw refuse(`${prefix}_INVALID`, key, 'appears twice in the batch');
        }
        seen.add(key);
        if (typeof record.payload !== 'string' || /[\u0000-\u001f]/.test(record.payload)) {
            throw refuse(`${prefix}_INVALID`, key, 'payload must be compact JSON text');
        }
        let payload;
        try {
            payload = JSON.parse(record.payload);
        } catch (e) {
            throw refuse(`${prefix}_INVALID`, key, `payload is not valid JSON (${e.message})`);
        }
        if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
            throw refuse(`${prefix}_INVALID`, key, 'payload must be a JSON object');
        }
        const hash = contentHash(stream, record);
        if (record.contentHash !== hash) {
            throw refuse(`${prefix}_INVALID`, key, `contentHash ${record.contentHash} does not match the record, which hashes to ${hash}`);
        }
        try {
            checkPayload(payload, record);
        } catch (e) {
            throw refuse(`${prefix}_INVALID`, key, e.message);
        }
        const clean = { key: record.key, siteId: record.siteId, epoch: record.epoch, roundId: record.roundId, payload: record.payload, contentHash: hash };
        return { record: clean, payload };
    });
}

/** Writes the records not there yet (idempotent per key); returns {txId, results} and what was written. */
async function recordBatch(ctx, prefix, objectType, roundIndex, records) {
    const txId = ctx.stub.getTxID();
    const committedAtMs = ctx.stub.getDateTimestamp().getTime();
    const results = [];
    const written = [];
    for (const { record } of records) {
        const key = ctx.stub.createCompositeKey(objectType, [record.key]);
        const existing = await ctx.stub.getState(key);
        if (existing && existing.length > 0) {
            const stored = JSON.parse(Buffer.from(existing).toString('utf8'));
            if (stored.contentHash !== record.contentHash) {
                throw refuse(`${prefix}_CONFLICT`, record.key, `already recorded in transaction ${stored.txId} with different content`);
            }
            results.push({ key: record.key, outcome: 'already', txId: stored.txId });
            continue;
        }
        const stored = { ...record, txId, committedAtMs };
        await ctx.stub.putState(key, Buffer.from(JSON.stringify(stored)));
        await ctx.stub.putState(ctx.stub.createCompositeKey(roundIndex, [record.roundId, record.key]), Buffer.from(record.key));
        written.push(stored);
        results.push({ key: record.key, outcome: 'committed', txId });
    }
    return { response: { txId, results }, written };
}

/**
 * A side chain's whole write: parses and checks the batch (each payload with `stream.checkPayload`, and its roundId
 * against the record's), writes what is new, and announces the written keys in one chaincode event.
 * `stream` is {prefix, name, objectType, roundIndex, event, checkPayload}. Returns the JSON response text.
 */
async function recordRoundBatch(ctx, stream, batchJson) {
    const records = parseBatch(stream.prefix, stream.name, batchJson, (payload, record) => {
        stream.checkPayload(payload);
        if (payload.roundId !== record.roundId) {
            throw new Error(`payload roundId ${payload.roundId} is not the record's round ${record.roundId}`);
        }
    });
    const { response, written } = await recordBatch(ctx, stream.prefix, stream.objectType, stream.roundIndex, records);
    if (written.length > 0) {
        ctx.stub.setEvent(stream.event, Buffer.from(JSON.stringify({ txId: response.txId, keys: written.map((w) => w.key) })));
    }
    return JSON.stringify(response);
}

async function getRecord(ctx, objectType, key) {
    const value = await ctx.stub.getState(ctx.stub.createCompositeKey(objectType, [key]));
    return value && value.length > 0 ? Buffer.from(value).toString('utf8') : '';
}

async function queryRound(ctx, objectType, roundIndex, roundId) {
    const records = [];
    for await (const entry of ctx.stub.getStateByPartialCompositeKey(roundIndex, [roundId])) {
        const value = await getRecord(ctx, objectType, Buffer.from(entry.value).toString('utf8'));
        if (value) {
            records.push(JSON.parse(value));
        }
    }
    return JSON.stringify(records);
}

/** Helpers for payload checks: each throws a message naming the path. */
function requireArray(value, path) {
    if (!Array.isArray(value)) {
        throw new Error(`${path} must be an array`);
    }
    return value;
}

function requireText(value, path) {
    if (typeof value !== 'string' || value.length === 0) {
        throw new Error(`${path} must be a non-empty string`);
    }
    return value;
}

function requireNumber(value, path, { min = -Infinity, nullable = false } = {}) {
    if (value === null && nullable) {
        return null;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
        throw new Error(`${path} must be a number${min > -Infinity ? ` >= ${min}` : ''}${nullable ? ' or null' : ''}`);
    }
    return value;
}

module.exports = { contentHash, parseBatch, recordBatch, recordRoundBatch, getRecord, queryRound, requireArray, requireText, requireNumber, FORMAT_TAG };
