'use strict';

// A small in-memory stand-in for the chaincode stub, with Fabric's transaction semantics:
// reads see only committed state, writes become visible when the transaction succeeds,
// an empty value deletes a key, and only the last event set by a transaction is kept.

const NS = '\u0000';

class MemoryWorld {
    constructor() {
        this.state = new Map();
        this.events = [];
        this.txCounter = 0;
        this.clockMs = Date.UTC(2026, 0, 1);
        // Stub calls per kind: each is a round trip between chaincode and peer on a real network.
        this.calls = { getState: 0, putState: 0, rangeQueries: 0 };
    }

    /** Runs one transaction function on a fresh stub; commits its writes only if it succeeds. */
    async invoke(contract, functionName, ...args) {
        this.txCounter += 1;
        this.clockMs += 1000;
        const stub = new MemoryStub(this, `tx${this.txCounter}`, new Date(this.clockMs));
        const result = await contract[functionName]({ stub }, ...args);
        for (const [key, value] of stub.writes) {
            if (value.length === 0) {
                this.state.delete(key);
            } else {
                this.state.set(key, value);
            }
        }
        if (stub.event) {
            this.events.push(stub.event);
        }
        return result;
    }
}

class MemoryStub {
    constructor(world, txId, timestamp) {
        this.world = world;
        this.txId = txId;
        this.timestamp = timestamp;
        this.writes = new Map();
        this.event = null;
    }

    getTxID() {
        return this.txId;
    }

    getDateTimestamp() {
        return this.timestamp;
    }

    async getState(key) {
        this.world.calls.getState += 1;
        const value = this.world.state.get(key);
        return value ? Uint8Array.from(value) : new Uint8Array(0);
    }

    async putState(key, value) {
        this.world.calls.putState += 1;
        if (typeof key !== 'string' || key.length === 0) {
            throw new Error('key must be a non-empty string');
        }
        this.writes.set(key, Buffer.from(value));
    }

    setEvent(name, payload) {
        if (typeof name !== 'string' || name.length === 0) {
            throw new Error('event name must be a non-empty string');
        }
        this.event = { name, payload: Buffer.from(payload), txId: this.txId };
    }

    createCompositeKey(objectType, attributes) {
        for (const part of [objectType, ...attributes]) {
            if (typeof part !== 'string' || part.includes(NS)) {
                throw new Error(`invalid composite key part ${JSON.stringify(part)}`);
            }
        }
        return NS + objectType + NS + attributes.map((a) => a + NS).join('');
    }

    splitCompositeKey(compositeKey) {
        const parts = compositeKey.split(NS);
        // "", objectType, attributes..., "" (the key ends with the separator)
        return { objectType: parts[1], attributes: parts.slice(2, -1) };
    }

    getStateByPartialCompositeKey(objectType, attributes) {
        this.world.calls.rangeQueries += 1;
        const prefix = this.createCompositeKey(objectType, attributes);
        const entries = [...this.world.state.entries()]
            .filter(([key]) => key.startsWith(prefix))
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([key, value]) => ({ key, value: Uint8Array.from(value) }));
        return (async function* iterate() {
            yield* entries;
        })();
    }
}

module.exports = { MemoryWorld, MemoryStub };
