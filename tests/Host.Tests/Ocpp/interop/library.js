// Which independent OCPP-J implementation a peer script is built on: OCPP_LIBRARY=ocpp-rpc (default) or ocpp-ws-io. Both are
// run in strict mode, so each checks every CALL and answer of ours against the official schemas it ships. The scripts use
// only what the two have in common: call(action, params), handle(action, fn), handle(fn), the 'close',
// 'strictValidationFailure' and 'badMessage' events, and the server's 'client' event.
'use strict';

const name = process.env.OCPP_LIBRARY || 'ocpp-rpc';

function rpcValidators() {
  const { createValidator } = require('ocpp-rpc');
  const schemas21 = require('ocpp-rpc/lib/schemas/ocpp2_1.json');
  // ocpp-rpc 2.2.1 ships the 2.1 schemas with ids "urn:XRequest"/"urn:XResponse" but looks them up as "urn:X.req"/"urn:X.conf"
  // (as for 2.0.1), so its own 2.1 strict mode finds none; the same official schemas under the ids it looks for.
  return [createValidator('ocpp2.1', schemas21.map(s => ({ ...s, $id: s.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf') })))];
}

/** A charging-station client: { endpoint, identity, password, protocols, callTimeoutMs }. */
function createClient({ endpoint, identity, password, protocols, callTimeoutMs }) {
  if (name === 'ocpp-rpc') {
    const { RPCClient } = require('ocpp-rpc');
    return new RPCClient({ endpoint, identity, password, protocols, strictMode: true, strictModeValidators: rpcValidators(), reconnect: false, callTimeoutMs });
  }
  if (name === 'ocpp-ws-io') {
    const { OCPPClient } = require('ocpp-ws-io');
    // Security profile 1 (Basic) with a password; over wss:// the TLS itself is what the URL says (profile 2 = 1 over TLS).
    // logging: false, because its logging library (voltlog-io) is not served by the registry (see voltlog-io-absent/).
    return new OCPPClient({ endpoint, identity, password, protocols, securityProfile: password ? (endpoint.startsWith('wss:') ? 2 : 1) : 0,
      strictMode: true, reconnect: false, callTimeoutMs, logging: false });
  }
  throw new Error(`OCPP_LIBRARY=${name}: expected ocpp-rpc or ocpp-ws-io`);
}

/** A CSMS listening on 127.0.0.1 on a free port; resolves to { server, port }. */
async function listen({ protocols }) {
  if (name === 'ocpp-rpc') {
    const { RPCServer } = require('ocpp-rpc');
    const server = new RPCServer({ protocols, strictMode: true, strictModeValidators: rpcValidators() });
    const s = await server.listen(0, '127.0.0.1');
    return { server, port: s.address().port };
  }
  if (name === 'ocpp-ws-io') {
    const { OCPPServer } = require('ocpp-ws-io');
    const server = new OCPPServer({ protocols, strictMode: true, logging: false });
    const s = await server.listen(0, '127.0.0.1');
    return { server, port: s.address().port };
  }
  throw new Error(`OCPP_LIBRARY=${name}: expected ocpp-rpc or ocpp-ws-io`);
}

module.exports = { name, createClient, listen };
