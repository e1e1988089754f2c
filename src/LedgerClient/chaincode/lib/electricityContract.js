'use strict';

const { Contract } = require('fabric-contract-api');
const { recordRoundBatch, getRecord, queryRound, requireArray, requireText, requireNumber } = require('./roundRecords');

const STATUSES = ['confirmed', 'missed', 'skipped', 'intended', 'none'];

/**
 * What a round's delivery must show: per device, the setpoint sent, what it read back and whether that confirmed it,
 * and the energy counters at the start and end of the interval with the net export between them (which must be their
 * difference: positive = delivered to the grid).
 */
function checkDelivery(d) {
    requireText(d.roundId, 'roundId');
    requireText(d.intervalStartUtc, 'intervalStartUtc');
    requireText(d.intervalEndUtc, 'intervalEndUtc');
    requireArray(d.devices, 'devices').forEach((device, i) => {
        const at = `devices[${i}]`;
        requireText(device.deviceId, `${at}.deviceId`);
        requireText(device.participantId, `${at}.participantId`);
        requireNumber(device.setpointKw, `${at}.setpointKw`, { nullable: true });
        requireNumber(device.readBackKw, `${at}.readBackKw`, { nullable: true });
        if (!STATUSES.includes(device.setpointStatus)) {
            throw new Error(`${at}.setpointStatus must be one of ${STATUSES.join(', ')}`);
        }
        const start = requireNumber(device.meterStartKwh, `${at}.meterStartKwh`, { nullable: true });
        const end = requireNumber(device.meterEndKwh, `${at}.meterEndKwh`, { nullable: true });
        const net = requireNumber(device.netExportKwh, `${at}.netExportKwh`, { nullable: true });
        if (start !== null && end !== null && (net === null || Math.abs(end - start - net) > 1e-6)) {
            throw new Error(`${at}.netExportKwh ${net} is not meterEndKwh ${end} - meterStartKwh ${start}`);
        }
    });
}

const STREAM = {
    prefix: 'DELIVERY', name: 'electricity', objectType: 'delivery', roundIndex: 'delivery~round', event: 'DeliveriesRecorded', checkPayload: checkDelivery,
};
const RECORDED_EVENT = STREAM.event;

/** The electricity side chain: setpoints with read-back and metered energy per device, recorded once per round and site run. */
class ElectricityContract extends Contract {
    constructor() {
        super('ElectricityContract');
    }

    /** Records {records: [...]} (one per round), all or nothing, idempotent per key; returns {txId, results}. */
    async RecordDeliveries(ctx, batchJson) {
        return recordRoundBatch(ctx, STREAM, batchJson);
    }

    /** The delivery recorded under this key as JSON, or an empty string. */
    async GetDelivery(ctx, key) {
        return getRecord(ctx, STREAM.objectType, key);
    }

    /** Every delivery recorded for a round id (all site runs) as a JSON array. */
    async QueryRound(ctx, roundId) {
        return queryRound(ctx, STREAM.objectType, STREAM.roundIndex, roundId);
    }
}

module.exports = { ElectricityContract, checkDelivery, RECORDED_EVENT };
