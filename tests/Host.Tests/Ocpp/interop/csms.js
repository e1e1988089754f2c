// A CSMS built on ocpp-rpc or ocpp-ws-io (OCPP_LIBRARY, see library.js; strict mode): our simulated stations dial it. It answers what a station sends, reports each message
// as a JSON line, and on stdin commands sends SetChargingProfile / ClearChargingProfile to the station:
//   profile <OCPP W, charging positive> <valid seconds> [setpoint]   ("setpoint": a 2.1 CentralSetpoint period)
//   clear
'use strict';
const library = require('./library');
const readline = require('readline');

function emit(event, data) { process.stdout.write(JSON.stringify({ event, ...data }) + '\n'); }
const now = () => new Date().toISOString();

let station = null;
let transactionId = null;
function serve(server) { server.on('client', client => {
  station = client;
  emit('connected', { identity: client.identity, protocol: client.protocol });
  client.on('strictValidationFailure', ({ error }) => emit('strictValidationFailure', { message: String(error && error.message) }));
  client.on('badMessage', ({ error }) => emit('badMessage', { message: String(error && error.message) }));
  client.on('close', () => emit('disconnected', {}));
  client.handle('BootNotification', ({ params }) => { emit('boot', { model: params.chargingStation.model }); return { currentTime: now(), interval: 60, status: 'Accepted' }; });
  client.handle('Heartbeat', () => ({ currentTime: now() }));
  client.handle('StatusNotification', ({ params }) => { emit('status', { connectorStatus: params.connectorStatus }); return {}; });
  client.handle('Authorize', ({ params }) => { emit('authorize', { idToken: params.idToken.idToken }); return { idTokenInfo: { status: 'Accepted' } }; });
  client.handle('NotifyEVChargingNeeds', ({ params }) => { emit('needs', { needs: params.chargingNeeds }); return { status: 'Accepted' }; });
  const meter = mv => {
    const out = {};
    for (const m of mv || []) for (const s of m.sampledValue) out[s.measurand || 'Energy.Active.Import.Register'] = s.value;
    return out;
  };
  client.handle('TransactionEvent', ({ params }) => {
    if (params.eventType === 'Started') transactionId = params.transactionInfo.transactionId;
    if (params.eventType === 'Ended') transactionId = null;
    emit('transaction', { eventType: params.eventType, triggerReason: params.triggerReason, chargingState: params.transactionInfo.chargingState, values: meter(params.meterValue) });
    return params.idToken ? { idTokenInfo: { status: 'Accepted' } } : {};
  });
  client.handle('MeterValues', ({ params }) => { emit('meterValues', { values: meter(params.meterValue) }); return {}; });
  client.handle(({ method }) => { emit('unhandled', { method }); throw new Error('not handled'); });
}); }

readline.createInterface({ input: process.stdin }).on('line', async line => {
  const [cmd, w, valid, mode] = line.split(' ');
  try {
    if (cmd === 'profile') {
      const period = { startPeriod: 0, limit: Math.max(0, Number(w)) };
      if (mode === 'setpoint') Object.assign(period, { operationMode: 'CentralSetpoint', setpoint: Number(w), dischargeLimit: Math.min(0, Number(w)) });
      const t = new Date();
      const profile = { id: 77, stackLevel: 1, chargingProfilePurpose: transactionId ? 'TxProfile' : 'TxDefaultProfile', chargingProfileKind: 'Absolute',
        validFrom: t.toISOString(), validTo: new Date(t.getTime() + Number(valid) * 1000).toISOString(),
        chargingSchedule: [{ id: 77, chargingRateUnit: 'W', startSchedule: t.toISOString(), chargingSchedulePeriod: [period] }] };
      if (transactionId) profile.transactionId = transactionId;
      const answer = await station.call('SetChargingProfile', { evseId: 1, chargingProfile: profile });
      emit('profileAnswer', answer);
    } else if (cmd === 'clear') {
      emit('clearAnswer', await station.call('ClearChargingProfile', { chargingProfileId: 77 }));
    } else if (cmd === 'unknown') {
      try { await station.call('GetLocalListVersion', {}); } catch (e) { emit('callError', { code: e.rpcErrorCode }); }
    }
  } catch (e) { emit('error', { message: String(e.message) }); }
});

library.listen({ protocols: (process.env.OCPP_PROTOCOLS || 'ocpp2.1,ocpp2.0.1').split(',') })
  .then(({ server, port }) => { serve(server); emit('listening', { port, library: library.name }); })
  .catch(e => { emit('failed', { message: String(e && e.message) }); process.exit(1); });
