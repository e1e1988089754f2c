'use strict';

// Entry point for fabric-chaincode-node (both `start` against a peer and `server` as a chaincode service).
const { SettlementContract } = require('./lib/settlementContract');

module.exports.SettlementContract = SettlementContract;
module.exports.contracts = [SettlementContract];
