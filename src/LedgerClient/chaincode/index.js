'use strict';

// Entry point for fabric-chaincode-node (both `start` against a peer and `server` as a chaincode service).
// One contract per channel: GATEWAY_CONTRACT=settlement|matching|electricity picks the one this chaincode serves
// (the main chain, the matching side chain, the electricity side chain). Unset: the settlement contract, as before.
const { SettlementContract } = require('./lib/settlementContract');
const { MatchingContract } = require('./lib/matchingContract');
const { ElectricityContract } = require('./lib/electricityContract');

const byName = { settlement: SettlementContract, matching: MatchingContract, electricity: ElectricityContract };
const chosen = process.env.GATEWAY_CONTRACT || 'settlement';
if (!byName[chosen]) {
    throw new Error(`GATEWAY_CONTRACT must be one of ${Object.keys(byName).join(', ')}, not "${chosen}"`);
}

module.exports.SettlementContract = SettlementContract;
module.exports.MatchingContract = MatchingContract;
module.exports.ElectricityContract = ElectricityContract;
module.exports.contracts = [byName[chosen]];
