'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { parseDecimal, multiply, isRoundingOf } = require('../lib/exactDecimal');

test('parses decimal strings exactly', () => {
    assert.deepEqual(parseDecimal('12.3400', 'x'), { units: 123400n, scale: 4 });
    assert.deepEqual(parseDecimal('-0.5', 'x'), { units: -5n, scale: 1 });
    assert.deepEqual(parseDecimal('7', 'x'), { units: 7n, scale: 0 });
});

test('rejects malformed decimals naming the field', () => {
    for (const bad of ['1e3', '', '1.', '.5', '0x10', ' 1', 'NaN']) {
        assert.throws(() => parseDecimal(bad, 'energyKwh'), /energyKwh/);
    }
    assert.throws(() => parseDecimal(1.5, 'amount'), /amount must be a decimal string/);
});

test('accepts both midpoint rounding rules and nothing further away', () => {
    // 0.12345 lies exactly between 0.1234 (half-even) and 0.1235 (half away from zero).
    const product = multiply(parseDecimal('0.5', 'e'), parseDecimal('0.2469', 'p'));
    assert.equal(isRoundingOf(parseDecimal('0.1234', 'a'), product, 4), true);
    assert.equal(isRoundingOf(parseDecimal('0.1235', 'a'), product, 4), true);
    assert.equal(isRoundingOf(parseDecimal('0.1233', 'a'), product, 4), false);
    assert.equal(isRoundingOf(parseDecimal('0.1236', 'a'), product, 4), false);
});

test('an amount with more than four decimals never balances', () => {
    const product = multiply(parseDecimal('1', 'e'), parseDecimal('0.12345', 'p'));
    assert.equal(isRoundingOf(parseDecimal('0.12345', 'a'), product, 4), false);
});
