// A charging station built on ocpp-rpc or ocpp-ws-io (OCPP_LIBRARY, see library.js; strict mode: it checks every call and
// answer against the official schemas).
// It connects to the gateway's OCPP endpoint, boots, authorises, starts a transaction with a plugged-in EV, reports meter
// values, applies the charging profiles it gets (2.0.1 limits, 2.1 CentralSetpoint with discharge) and falls back to its
// default when a profile's validTo passes. Every event is one JSON line on stdout for the test to follow; lines on stdin
// are commands ("meter" sends meter values now, "unplug" ends the transaction, "quit").
'use strict';
const library = require('./library');
const readline = require('readline');

const env = process.env;
const protocol = env.OCPP_PROTOCOL || 'ocpp2.1';
const v21 = protocol === 'ocpp2.1';
const fallbackW = Number(env.FALLBACK_W || 0);           // the station's own limit without a profile (its fail-safe)
const evMaxChargeW = Number(env.EV_MAX_CHARGE_W || 11000);
const evMaxDischargeW = Number(env.EV_MAX_DISCHARGE_W || 11000);
const capacityWh = Number(env.EV_CAPACITY_WH || 60000);
const meterMs = Number(env.METER_MS || 500);
let socPercent = Number(env.EV_SOC || 40);
let importWh = 1000, exportWh = 100;
let profile = null;          // { id, validTo (ms), limitW, setpointW (OCPP sign: + = charging) }
let transactionId = null;
let seqNo = 0;
let last = Date.now();

function emit(event, data) { process.stdout.write(JSON.stringify({ event, ...data }) + '\n'); }
function now() { return new Date().toISOString(); }

// OCPP sign: positive = charging (import). The EV charges at what the profile allows, capped by its own limits.
function powerW() {
  if (!transactionId) return 0;
  if (!profile) return Math.min(fallbackW, evMaxChargeW);
  if (profile.setpointW !== undefined) return Math.max(-evMaxDischargeW, Math.min(evMaxChargeW, profile.setpointW));
  return Math.min(profile.limitW, evMaxChargeW);
}

function inForceW() {
  if (!profile) return Math.min(fallbackW, evMaxChargeW);
  return profile.setpointW !== undefined ? profile.setpointW : profile.limitW;
}

function integrate() {
  const t = Date.now();
  const hours = (t - last) / 3600000;
  last = t;
  const p = powerW();
  if (p > 0) importWh += p * hours; else exportWh += -p * hours;
  socPercent = Math.max(0, Math.min(100, socPercent + p * hours / capacityWh * 100));
}

function sampledValues() {
  const p = powerW();
  const values = [
    { value: Math.max(0, p), measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    { value: Math.max(0, -p), measurand: 'Power.Active.Export', unitOfMeasure: { unit: 'W' } },
    { value: Math.round(importWh), measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
    { value: Math.round(exportWh), measurand: 'Energy.Active.Export.Register', unitOfMeasure: { unit: 'Wh' } },
  ];
  if (transactionId) values.push({ value: Math.round(socPercent * 10) / 10, measurand: 'SoC', unitOfMeasure: { unit: 'Percent' } });
  // The setpoint in force: 2.1 has a measurand for it; a 2.0.1 station reports the power it offers the EV.
  values.push(v21 ? { value: inForceW(), measurand: 'Power.Active.Setpoint', unitOfMeasure: { unit: 'W' } }
                  : { value: Math.max(0, inForceW()), measurand: 'Power.Offered', unitOfMeasure: { unit: 'W' } });
  return [{ timestamp: now(), sampledValue: values }];
}

async function sendMeterValues(reason) {
  integrate();
  if (transactionId) {
    await cli.call('TransactionEvent', {
      eventType: 'Updated', timestamp: now(), triggerReason: reason, seqNo: seqNo++,
      transactionInfo: { transactionId, chargingState: powerW() === 0 ? 'SuspendedEVSE' : 'Charging' },
      evse: { id: 1, connectorId: 1 }, meterValue: sampledValues(),
    });
  } else {
    await cli.call('MeterValues', { evseId: 1, meterValue: sampledValues() });
  }
  emit('meter', { powerW: powerW(), inForceW: inForceW() });
}

let connectedOnce = false;
const cli = library.createClient({
  endpoint: env.OCPP_URL,
  identity: env.STATION_ID,
  password: env.STATION_PASSWORD || undefined,
  protocols: [protocol],
  callTimeoutMs: 10000,
});
cli.on('strictValidationFailure', ({ error }) => emit('strictValidationFailure', { message: String(error && error.message) }));
cli.on('badMessage', ({ error }) => emit('badMessage', { message: String(error && error.message) }));
// Before the first connect, a refusal is reported by main() as 'failed'.
cli.on('close', ({ code, reason }) => { emit('closed', { code, reason: String(reason) }); if (connectedOnce) process.exit(0); });

cli.handle('SetChargingProfile', ({ params }) => {
  const p = params.chargingProfile;
  const period = p.chargingSchedule[0].chargingSchedulePeriod[0];
  if (p.chargingProfilePurpose === 'TxProfile' && p.transactionId !== transactionId) {
    emit('profileRejected', { reason: 'TxNotFound' });
    return { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } };
  }
  if (!v21 && period.limit < 0) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } };
  profile = { id: p.id, validTo: p.validTo ? Date.parse(p.validTo) : Infinity, limitW: period.limit };
  if (v21 && period.operationMode === 'CentralSetpoint' && period.setpoint !== undefined) profile.setpointW = period.setpoint;
  emit('profile', { id: p.id, purpose: p.chargingProfilePurpose, limitW: period.limit, setpointW: period.setpoint,
                    dischargeLimitW: period.dischargeLimit, operationMode: period.operationMode, validTo: p.validTo });
  setImmediate(() => sendMeterValues('ChargingRateChanged').catch(e => emit('error', { message: String(e.message) })));
  return { status: 'Accepted' };
});

cli.handle('ClearChargingProfile', ({ params }) => {
  if (profile && (params.chargingProfileId === undefined || params.chargingProfileId === profile.id)) {
    profile = null;
    emit('cleared', {});
    setImmediate(() => sendMeterValues('ChargingRateChanged').catch(() => {}));
    return { status: 'Accepted' };
  }
  return { status: 'Unknown' };
});

async function main() {
  await cli.connect();
  connectedOnce = true;
  emit('connected', { protocol: cli.protocol });
  const boot = await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: library.name, model: 'interop-station', firmwareVersion: '1.0' } });
  emit('booted', { status: boot.status, interval: boot.interval });
  await cli.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  if (env.NO_EV !== '1') {
    await cli.call('StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const auth = await cli.call('Authorize', { idToken: { idToken: 'EV-TOKEN-1', type: 'ISO14443' } });
    emit('authorized', { status: auth.idTokenInfo.status });
    transactionId = 'tx-' + Date.now();
    await cli.call('TransactionEvent', {
      eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: seqNo++,
      transactionInfo: { transactionId, chargingState: 'EVConnected' }, idToken: { idToken: 'EV-TOKEN-1', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 }, meterValue: sampledValues(),
    });
    const departure = new Date(Date.now() + 4 * 3600 * 1000).toISOString();
    const needs = v21
      ? { requestedEnergyTransfer: 'DC_BPT', departureTime: departure,
          dcChargingParameters: { evMaxCurrent: 30, evMaxVoltage: 400, evEnergyCapacity: capacityWh, stateOfCharge: Math.round(socPercent), fullSoC: 90 },
          v2xChargingParameters: { maxChargePower: evMaxChargeW, maxDischargePower: evMaxDischargeW, targetSoC: 80 } }
      : { requestedEnergyTransfer: 'DC', departureTime: departure,
          dcChargingParameters: { evMaxCurrent: 30, evMaxVoltage: 400, evMaxPower: evMaxChargeW, evEnergyCapacity: capacityWh, stateOfCharge: Math.round(socPercent), fullSoC: 80 } };
    const answer = await cli.call('NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: needs });
    emit('needs', { status: answer.status });
  }
  await sendMeterValues('MeterValuePeriodic');
  emit('ready', { transactionId });
  setInterval(() => {
    if (profile && Date.now() >= profile.validTo) {
      profile = null;
      emit('expired', {});
      sendMeterValues('ChargingRateChanged').catch(() => {});
    }
  }, 50);
  setInterval(() => sendMeterValues('MeterValuePeriodic').catch(e => emit('error', { message: String(e.message) })), meterMs);
}

readline.createInterface({ input: process.stdin }).on('line', async line => {
  try {
    if (line === 'meter') await sendMeterValues('Trigger');
    else if (line === 'unplug') {
      await cli.call('TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'EVCommunicationLost', seqNo: seqNo++,
        transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' }, evse: { id: 1, connectorId: 1 } });
      transactionId = null;
      await cli.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      emit('unplugged', {});
    } else if (line === 'call-unknown') {
      try { await cli.call('NoSuchAction', {}); } catch (e) { emit('callError', { code: e.rpcErrorCode, message: String(e.message) }); }
    } else if (line === 'quit') { await cli.close({ code: 1000 }); }
  } catch (e) { emit('error', { message: String(e.message) }); }
});

main().catch(e => { emit('failed', { message: String(e && e.message), code: e && e.code, status: e && e.statusCode }); process.exit(1); });
