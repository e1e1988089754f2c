// ocpp-ws-io 2.3.2 requires voltlog-io at load time but calls it only to build its default logger. The registry does not serve
// voltlog-io, so the peers run ocpp-ws-io with logging: false; a call here would mean logging was switched on by mistake.
'use strict';
const absent = name => () => { throw new Error(`voltlog-io.${name}: not installed (the registry does not serve it); start ocpp-ws-io with logging: false`); };
module.exports = { createLogger: absent('createLogger'), consoleTransport: absent('consoleTransport'), prettyTransport: absent('prettyTransport') };
