'use strict';

// Settlement amounts travel as decimal strings so that no binary floating point ever
// touches money; this module does the little exact arithmetic the contract needs.

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parses "12.3400" into { units: 123400n, scale: 4 }; throws naming the field when malformed. */
function parseDecimal(text, field) {
    if (typeof text !== 'string') {
        throw new Error(`${field} must be a decimal string, got ${typeof text}`);
    }
    const match = DECIMAL.exec(text);
    if (!match) {
        throw new Error(`${field} is not a decimal number: "${text}"`);
    }
    const fraction = match[3] || '';
    const units = BigInt(match[2] + fraction) * (match[1] === '-' ? -1n : 1n);
    return { units, scale: fraction.length };
}

function rescale(value, scale) {
    return value.units * 10n ** BigInt(scale - value.scale);
}

function multiply(a, b) {
    return { units: a.units * b.units, scale: a.scale + b.scale };
}

function add(a, b) {
    const scale = Math.max(a.scale, b.scale);
    return { units: rescale(a, scale) + rescale(b, scale), scale };
}

function compare(a, b) {
    const scale = Math.max(a.scale, b.scale);
    const x = rescale(a, scale);
    const y = rescale(b, scale);
    return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * True when `amount` is `product` rounded to `decimals` places, whichever midpoint rule the
 * payer used (half-even or half-away-from-zero): |amount - product| <= half a unit of the last place.
 */
function isRoundingOf(amount, product, decimals) {
    if (amount.scale > decimals) {
        return false;
    }
    const scale = Math.max(amount.scale, product.scale, decimals + 1);
    let diff = rescale(amount, scale) - rescale(product, scale);
    if (diff < 0n) {
        diff = -diff;
    }
    const halfUnit = 5n * 10n ** BigInt(scale - decimals - 1);
    return diff <= halfUnit;
}

module.exports = { parseDecimal, multiply, add, compare, isRoundingOf };
