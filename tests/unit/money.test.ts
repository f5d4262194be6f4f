import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  assertSafe,
  currencyExponent,
  formatDecimal,
  formatDecimalTrim,
  formatQuantity,
  formatRate,
  mulDiv,
  ONE_QTY,
  parseDecimal,
  parseQuantity,
  parseRate,
  QTY_SCALE,
  RATE_SCALE,
  roundDiv,
  type RoundingMode,
} from '../../src/core/money.js';

const MODES: RoundingMode[] = ['half-away-from-zero', 'half-even', 'down', 'up'];
const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

/** Unwraps an ok Result, failing the test with the problem otherwise. */
function okValue<T>(r: { ok: true; value: T } | { ok: false; problem: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`);
  return r.value;
}

function problemCode(r: { ok: true } | { ok: false; problem: { code: string } }): string | undefined {
  return r.ok ? undefined : r.problem.code;
}

/**
 * Reference rounding of n / d, written differently from the implementation on purpose:
 * floor division with a non-negative remainder, then a decision per mode.
 */
function refRoundDiv(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d === 0n) throw new Error('d = 0');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  let fl = n / d; // truncates toward zero
  if (n < 0n && fl * d !== n) fl -= 1n; // now floor
  const r = n - fl * d; // 0 <= r < d
  if (r === 0n) return fl;
  const twice = 2n * r;
  switch (mode) {
    case 'down': // toward zero
      return n >= 0n ? fl : fl + 1n;
    case 'up': // away from zero
      return n >= 0n ? fl + 1n : fl;
    case 'half-away-from-zero':
      if (twice < d) return fl;
      if (twice > d) return fl + 1n;
      return n >= 0n ? fl + 1n : fl;
    case 'half-even':
      if (twice < d) return fl;
      if (twice > d) return fl + 1n;
      return fl % 2n === 0n ? fl : fl + 1n;
  }
}

/** Safe integers, biased to small values, huge values and values right at ±2^53. */
const safeInt = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.maxSafeInteger(),
  fc.integer({ min: MIN, max: MAX }),
  fc.integer({ min: MAX - 10_000, max: MAX }),
  fc.integer({ min: MIN, max: MIN + 10_000 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
);
const nonZeroSafeInt = safeInt.filter((d) => d !== 0);
const mode = fc.constantFrom(...MODES);

describe('currencyExponent', () => {
  it('knows the common two-decimal currencies', () => {
    for (const c of ['EUR', 'USD', 'GBP', 'MXN', 'ARS', 'COP', 'PEN', 'CHF']) expect(currencyExponent(c)).toBe(2);
  });
  it('knows zero-decimal currencies', () => {
    for (const c of ['CLP', 'JPY', 'KRW', 'PYG', 'ISK', 'XOF']) expect(currencyExponent(c)).toBe(0);
  });
  it('knows three- and four-decimal currencies', () => {
    for (const c of ['KWD', 'BHD', 'JOD', 'OMR', 'TND', 'IQD', 'LYD']) expect(currencyExponent(c)).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
    expect(currencyExponent('UYW')).toBe(4);
  });
  it('returns undefined for unknown or badly spelled codes', () => {
    expect(currencyExponent('XXX')).toBeUndefined();
    expect(currencyExponent('eur')).toBeUndefined();
    expect(currencyExponent('')).toBeUndefined();
    expect(currencyExponent('EURO')).toBeUndefined();
  });
});

describe('parseDecimal', () => {
  it.each([
    ['12.34', 2, 1234],
    ['12', 2, 1200],
    ['12.3', 2, 1230],
    ['0.05', 2, 5],
    ['.5', 2, 50],
    ['5.', 2, 500],
    ['0', 2, 0],
    ['000012.34', 2, 1234],
    ['  12.34  ', 2, 1234],
    ['\t7\n', 0, 7],
    ['+12.34', 2, 1234],
    ['1.500', 2, 150], // trailing zeros beyond the scale are harmless
    ['1.5000000', 2, 150],
    ['12.0', 0, 12],
    ['12', 0, 12],
    ['0.750', 3, 750],
    ['1', 4, 10000],
    ['1.2345', 4, 12345],
    ['9007199254740.991', 3, MAX],
  ] as const)('parses %j at scale %i as %i', (text, scale, expected) => {
    expect(okValue(parseDecimal(text, scale))).toBe(expected);
  });

  it('accepts a decimal comma only when asked', () => {
    expect(problemCode(parseDecimal('12,34', 2))).toBe('decimal.malformed');
    expect(okValue(parseDecimal('12,34', 2, { decimalComma: true }))).toBe(1234);
    // the point stays valid in decimal-comma files
    expect(okValue(parseDecimal('12.34', 2, { decimalComma: true }))).toBe(1234);
  });

  it('refuses thousands separators (two separators)', () => {
    // refused either as too many decimals (seen first) or as malformed (second separator)
    for (const t of ['1.234,56', '1,234.56', '1.200,00', '1,000.00']) {
      expect(parseDecimal(t, 2, { decimalComma: true }).ok, t).toBe(false);
    }
    expect(problemCode(parseDecimal('1.234,56', 2, { decimalComma: true }))).toBe('decimal.too_many_decimals');
    expect(problemCode(parseDecimal('1.200,00', 2, { decimalComma: true }))).toBe('decimal.malformed');
    expect(problemCode(parseDecimal('1.00.0', 2))).toBe('decimal.malformed');
    expect(problemCode(parseDecimal('1 234', 2))).toBe('decimal.malformed');
    expect(problemCode(parseDecimal("1'234", 2))).toBe('decimal.malformed');
  });

  it.each(['', '   ', '-', '+', '.', '-.', 'abc', '12a', '1e5', '0x10', '--1', '+-1', '1-', '12.34.5', '١٢', '１２', '€12', '12€', 'NaN', 'Infinity'])(
    'refuses %j as malformed',
    (text) => {
      expect(problemCode(parseDecimal(text, 2, { allowNegative: true, decimalComma: true }))).toBe('decimal.malformed');
    },
  );

  it('refuses significant decimals beyond the scale, naming the maximum', () => {
    const r = parseDecimal('1.234', 2);
    expect(r).toEqual({ ok: false, problem: { code: 'decimal.too_many_decimals', params: { max: 2 } } });
    expect(parseDecimal('1.5', 0)).toEqual({ ok: false, problem: { code: 'decimal.too_many_decimals', params: { max: 0 } } });
    expect(problemCode(parseDecimal('1.2301', 2))).toBe('decimal.too_many_decimals');
    expect(problemCode(parseDecimal('0.0001', 3))).toBe('decimal.too_many_decimals');
  });

  it('refuses negatives unless allowed', () => {
    expect(problemCode(parseDecimal('-1.50', 2))).toBe('decimal.negative');
    expect(okValue(parseDecimal('-1.50', 2, { allowNegative: true }))).toBe(-150);
    expect(okValue(parseDecimal('-.5', 2, { allowNegative: true }))).toBe(-50);
    expect(okValue(parseDecimal('-1,5', 3, { allowNegative: true, decimalComma: true }))).toBe(-1500);
  });

  it('never returns negative zero', () => {
    for (const t of ['-0', '-0.00', '-.0', '-000']) {
      const v = okValue(parseDecimal(t, 2, { allowNegative: true }));
      expect(Object.is(v, 0)).toBe(true);
    }
  });

  it('refuses values that are not safe integers once scaled', () => {
    expect(problemCode(parseDecimal('9007199254740992', 0))).toBe('decimal.too_large');
    expect(problemCode(parseDecimal('90071992547409.92', 2))).toBe('decimal.too_large');
    expect(problemCode(parseDecimal('90071992547410', 2))).toBe('decimal.too_large');
    expect(problemCode(parseDecimal('-9007199254740992', 0, { allowNegative: true }))).toBe('decimal.too_large');
    expect(problemCode(parseDecimal('1' + '0'.repeat(400), 2))).toBe('decimal.too_large');
    expect(problemCode(parseDecimal('9'.repeat(30) + '.99', 2))).toBe('decimal.too_large');
  });

  it('accepts the largest safe integer at every scale, and leading zeros do not count as size', () => {
    expect(okValue(parseDecimal('9007199254740991', 0))).toBe(MAX);
    expect(okValue(parseDecimal('-9007199254740991', 0, { allowNegative: true }))).toBe(-MAX);
    expect(okValue(parseDecimal('900719925474099.1', 1))).toBe(MAX);
    expect(okValue(parseDecimal('90071992547409.91', 2))).toBe(MAX);
    expect(okValue(parseDecimal('900719925474.0991', 4))).toBe(MAX);
    expect(okValue(parseDecimal('0000000000000000000012.50', 2))).toBe(1250);
  });

  it('property: agrees with a BigInt reference on random decimal text', () => {
    const arb = fc.record({
      neg: fc.boolean(),
      int: fc.stringMatching(/^[0-9]{1,20}$/),
      frac: fc.stringMatching(/^[0-9]{0,6}$/),
      scale: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ neg, int, frac, scale }) => {
        const text = (neg ? '-' : '') + int + (frac ? '.' + frac : '');
        const r = parseDecimal(text, scale, { allowNegative: true });
        const sig = frac.replace(/0+$/, '');
        if (sig.length > scale) {
          expect(problemCode(r)).toBe('decimal.too_many_decimals');
          return;
        }
        const abs = BigInt(int) * 10n ** BigInt(scale) + BigInt((sig + '0'.repeat(scale)).slice(0, scale) || '0');
        if (abs > BigInt(MAX)) {
          expect(problemCode(r)).toBe('decimal.too_large');
          return;
        }
        const v = okValue(r);
        expect(v).toBe(Number(neg ? -abs : abs));
        expect(Object.is(v, -0)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatDecimal', () => {
  it.each([
    [1234, 2, '12.34'],
    [5, 2, '0.05'],
    [0, 2, '0.00'],
    [-5, 2, '-0.05'],
    [-1234, 2, '-12.34'],
    [100, 2, '1.00'],
    [1200, 0, '1200'],
    [-7, 0, '-7'],
    [750, 3, '0.750'],
    [1, 4, '0.0001'],
    [MAX, 2, '90071992547409.91'],
    [MIN, 2, '-90071992547409.91'],
    [MAX, 0, '9007199254740991'],
  ] as const)('formats %i at scale %i as %j', (v, s, expected) => {
    expect(formatDecimal(v, s)).toBe(expected);
  });

  it('prints negative zero as zero', () => {
    expect(formatDecimal(-0, 2)).toBe('0.00');
    expect(formatDecimal(-0, 0)).toBe('0');
  });

  it('refuses non-integers and unsafe integers', () => {
    expect(() => formatDecimal(1.5, 2)).toThrow(RangeError);
    expect(() => formatDecimal(NaN, 2)).toThrow(RangeError);
    expect(() => formatDecimal(Infinity, 2)).toThrow(RangeError);
    expect(() => formatDecimal(MAX + 1, 2)).toThrow(RangeError);
  });

  it('property: parseDecimal(formatDecimal(x)) round-trips every safe integer at scales 0–4', () => {
    fc.assert(
      fc.property(safeInt, fc.integer({ min: 0, max: 4 }), (x, scale) => {
        const text = formatDecimal(x, scale);
        if (scale > 0) expect(text).toMatch(new RegExp(`^-?\\d+\\.\\d{${scale}}$`));
        else expect(text).toMatch(/^-?\d+$/);
        expect(okValue(parseDecimal(text, scale, { allowNegative: true }))).toBe(x);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: formatDecimal(parseDecimal(text)) reproduces canonical text', () => {
    fc.assert(
      fc.property(safeInt, fc.integer({ min: 0, max: 4 }), (x, scale) => {
        const canonical = formatDecimal(x, scale);
        const v = okValue(parseDecimal(canonical, scale, { allowNegative: true }));
        expect(formatDecimal(v, scale)).toBe(canonical);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: agrees with BigInt-based formatting', () => {
    fc.assert(
      fc.property(safeInt, fc.integer({ min: 1, max: 6 }), (x, scale) => {
        const b = BigInt(x);
        const abs = b < 0n ? -b : b;
        const p = 10n ** BigInt(scale);
        const expected = `${b < 0n ? '-' : ''}${abs / p}.${(abs % p).toString().padStart(scale, '0')}`;
        expect(formatDecimal(x, scale)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatDecimalTrim, rates and quantities', () => {
  it.each([
    [1050, 2, '10.5'],
    [2100, 2, '21'],
    [1000, 2, '10'],
    [10000, 2, '100'],
    [0, 2, '0'],
    [5, 2, '0.05'],
    [-150, 2, '-1.5'],
    [-100, 2, '-1'],
    [1200, 0, '1200'],
    [100, 0, '100'],
    [0, 0, '0'],
  ] as const)('trims %i at scale %i to %j', (v, s, expected) => {
    expect(formatDecimalTrim(v, s)).toBe(expected);
  });

  it('parses and formats tax rates in basis points', () => {
    expect(RATE_SCALE).toBe(2);
    expect(okValue(parseRate('21'))).toBe(2100);
    expect(okValue(parseRate('10.5'))).toBe(1050);
    expect(okValue(parseRate('10,5', { decimalComma: true }))).toBe(1050);
    expect(okValue(parseRate('0'))).toBe(0);
    expect(okValue(parseRate('4.00'))).toBe(400);
    expect(problemCode(parseRate('10.555'))).toBe('decimal.too_many_decimals');
    expect(problemCode(parseRate('-21'))).toBe('decimal.negative');
    expect(formatRate(2100)).toBe('21');
    expect(formatRate(1050)).toBe('10.5');
    expect(formatRate(1025)).toBe('10.25');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(400)).toBe('4');
  });

  it('parses and formats quantities in milli-units', () => {
    expect(QTY_SCALE).toBe(3);
    expect(ONE_QTY).toBe(1000);
    expect(okValue(parseQuantity('0.750'))).toBe(750);
    expect(okValue(parseQuantity('3'))).toBe(3000);
    expect(okValue(parseQuantity('1,5', { decimalComma: true }))).toBe(1500);
    expect(okValue(parseQuantity('-2', { allowNegative: true }))).toBe(-2000);
    expect(problemCode(parseQuantity('0.0005'))).toBe('decimal.too_many_decimals');
    expect(formatQuantity(750)).toBe('0.75');
    expect(formatQuantity(3000)).toBe('3');
    expect(formatQuantity(1)).toBe('0.001');
    expect(formatQuantity(-1500)).toBe('-1.5');
  });

  it('property: rates and quantities round-trip through their text form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: -1e12, max: 1e12 }), (bp, milli) => {
        const rateText = formatRate(bp);
        expect(rateText).not.toMatch(/\.$|\.\d*0$/);
        expect(okValue(parseRate(rateText))).toBe(bp);
        const qtyText = formatQuantity(milli);
        expect(qtyText).not.toMatch(/\.$|\.\d*0$/);
        expect(okValue(parseQuantity(qtyText, { allowNegative: true }))).toBe(milli);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('assertSafe', () => {
  it('accepts safe integers and throws on anything else', () => {
    expect(() => assertSafe(0)).not.toThrow();
    expect(() => assertSafe(MAX)).not.toThrow();
    expect(() => assertSafe(MIN)).not.toThrow();
    for (const bad of [MAX + 1, MIN - 1, 0.1, NaN, Infinity, -Infinity]) expect(() => assertSafe(bad)).toThrow(RangeError);
  });
});

describe('roundDiv', () => {
  it.each([
    // n, d, half-away, half-even, down, up
    [10, 4, 3, 2, 2, 3], // 2.5
    [14, 4, 4, 4, 3, 4], // 3.5
    [-10, 4, -3, -2, -2, -3], // -2.5
    [-14, 4, -4, -4, -3, -4], // -3.5
    [10, -4, -3, -2, -2, -3],
    [-10, -4, 3, 2, 2, 3],
    [7, 3, 2, 2, 2, 3], // 2.333
    [8, 3, 3, 3, 2, 3], // 2.667
    [-7, 3, -2, -2, -2, -3],
    [-8, 3, -3, -3, -2, -3],
    [9, 3, 3, 3, 3, 3], // exact
    [-9, 3, -3, -3, -3, -3],
    [1, 2, 1, 0, 0, 1], // 0.5
    [3, 2, 2, 2, 1, 2], // 1.5
    [-1, 2, -1, 0, 0, -1],
    [1, 3, 0, 0, 0, 1],
    [-1, 3, 0, 0, 0, -1],
    [5, 1, 5, 5, 5, 5],
    [MAX, 1, MAX, MAX, MAX, MAX],
    [MAX, MAX, 1, 1, 1, 1],
    [MAX, 2, 2 ** 52, 2 ** 52, 2 ** 52 - 1, 2 ** 52], // (2^53 - 1) / 2 = 2^52 - 0.5
    [MIN, 2, -(2 ** 52), -(2 ** 52), -(2 ** 52) + 1, -(2 ** 52)],
  ] as const)('rounds %i / %i', (n, d, hafz, he, down, up) => {
    expect(roundDiv(n, d, 'half-away-from-zero')).toBe(hafz);
    expect(roundDiv(n, d, 'half-even')).toBe(he);
    expect(roundDiv(n, d, 'down')).toBe(down);
    expect(roundDiv(n, d, 'up')).toBe(up);
  });

  it('computes EN 16931 style tax amounts (21% on 10.00 → 2.10; included 21% in 12.10 → 2.10)', () => {
    expect(roundDiv(1000 * 2100, 10000, 'half-away-from-zero')).toBe(210);
    expect(roundDiv(1210 * 2100, 10000 + 2100, 'half-away-from-zero')).toBe(210);
    expect(roundDiv(1 * 2100, 10000, 'half-away-from-zero')).toBe(0);
    expect(roundDiv(5 * 1000, 10000, 'half-away-from-zero')).toBe(1); // 0.5 → 1
  });

  it('throws on division by zero and on unsafe or fractional inputs', () => {
    for (const m of MODES) expect(() => roundDiv(1, 0, m)).toThrow(RangeError);
    expect(() => roundDiv(MAX + 1, 3, 'down')).toThrow(RangeError);
    expect(() => roundDiv(3, MAX + 1, 'down')).toThrow(RangeError);
    expect(() => roundDiv(1.5, 1, 'down')).toThrow(RangeError);
    expect(() => roundDiv(1, 0.5, 'down')).toThrow(RangeError);
    expect(() => roundDiv(NaN, 1, 'down')).toThrow(RangeError);
  });

  it('never returns negative zero', () => {
    const cases: [number, number][] = [
      [-1, 3],
      [1, -3],
      [0, -5],
      [0, 5],
      [-1, 4],
      [-2, 4],
    ];
    for (const [n, d] of cases) {
      for (const m of MODES) {
        const v = roundDiv(n, d, m);
        if (v === 0) expect(Object.is(v, -0), `roundDiv(${n}, ${d}, ${m})`).toBe(false);
      }
    }
  });

  it('property: agrees with an exact BigInt reference in every mode', () => {
    fc.assert(
      fc.property(safeInt, nonZeroSafeInt, mode, (n, d, m) => {
        const got = roundDiv(n, d, m);
        expect(Number.isSafeInteger(got)).toBe(true);
        expect(BigInt(got)).toBe(refRoundDiv(BigInt(n), BigInt(d), m));
        expect(Object.is(got, -0)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('property: exact ties near 2^53 follow the mode', () => {
    // n = q·d + d/2 with an even d, so n / d is exactly q + 0.5
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 2 ** 26 }), fc.integer({ min: 0, max: 2 ** 26 }), fc.boolean())
      .map(([half, q, neg]) => {
        const d = half * 2;
        const n = q * d + half;
        return { n: neg ? -n : n, d, q, neg };
      })
      .filter(({ n }) => Number.isSafeInteger(n));
    fc.assert(
      fc.property(arb, ({ n, d, q, neg }) => {
        const s = neg ? -1 : 1;
        expect(roundDiv(n, d, 'half-away-from-zero')).toBe(s * (q + 1));
        expect(roundDiv(n, d, 'half-even')).toBe(s * (q % 2 === 0 ? q : q + 1) || 0);
        expect(roundDiv(n, d, 'down')).toBe(s * q || 0);
        expect(roundDiv(n, d, 'up')).toBe(s * (q + 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: rounding is odd-symmetric and bounded by the truncated quotient', () => {
    fc.assert(
      fc.property(safeInt, nonZeroSafeInt, mode, (n, d, m) => {
        expect(roundDiv(-n, d, m)).toBe(-roundDiv(n, d, m) || 0);
        expect(roundDiv(n, -d, m)).toBe(-roundDiv(n, d, m) || 0);
        const down = roundDiv(n, d, 'down');
        const up = roundDiv(n, d, 'up');
        const got = roundDiv(n, d, m);
        expect(Math.abs(up - down)).toBeLessThanOrEqual(1);
        expect(got === down || got === up).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('mulDiv', () => {
  it('rounds a × b / c once', () => {
    expect(mulDiv(1999, 750, 1000, 'half-away-from-zero')).toBe(1499); // 1499.25
    expect(mulDiv(1999, 250, 1000, 'half-away-from-zero')).toBe(500); // 499.75
    expect(mulDiv(2, 250, 1000, 'half-away-from-zero')).toBe(1); // 0.5
    expect(mulDiv(2, 250, 1000, 'half-even')).toBe(0);
    expect(mulDiv(-2, 250, 1000, 'half-away-from-zero')).toBe(-1);
    expect(mulDiv(2, -250, -1000, 'up')).toBe(1);
    expect(mulDiv(1210, 2100, 12100, 'half-away-from-zero')).toBe(210);
  });

  it('is exact when a × b exceeds 2^53 (BigInt path)', () => {
    // 2^53 - 1 = 3 · 3 · 7 · 11 · 31 · 151 · 131071 · ... : (MAX × 3) / 3 = MAX exactly
    expect(mulDiv(MAX, 3, 3, 'down')).toBe(MAX);
    expect(mulDiv(MAX, MAX, MAX, 'down')).toBe(MAX);
    expect(mulDiv(MIN, MAX, MAX, 'half-even')).toBe(MIN);
    expect(mulDiv(MAX, 1000, 1001, 'down')).toBe(Number((BigInt(MAX) * 1000n) / 1001n));
    expect(mulDiv(2 ** 40 + 1, 2 ** 20, 2 ** 21, 'half-even')).toBe(2 ** 39); // 2^39 + 0.5 → even
    expect(mulDiv(2 ** 40 + 1, 2 ** 20, 2 ** 21, 'half-away-from-zero')).toBe(2 ** 39 + 1);
    expect(mulDiv(-(2 ** 40 + 1), 2 ** 20, 2 ** 21, 'half-away-from-zero')).toBe(-(2 ** 39 + 1));
    expect(mulDiv(2 ** 40 + 1, 2 ** 20, -(2 ** 21), 'up')).toBe(-(2 ** 39 + 1));
    expect(mulDiv(2 ** 40 + 1, 2 ** 20, 2 ** 21, 'down')).toBe(2 ** 39);
    // 2^39 + 1.5: half-even goes up to the even neighbour
    expect(mulDiv(2 ** 40 + 3, 2 ** 20, 2 ** 21, 'half-even')).toBe(2 ** 39 + 2);
    expect(mulDiv(-(2 ** 40 + 3), 2 ** 20, 2 ** 21, 'half-even')).toBe(-(2 ** 39 + 2));
  });

  it('property: exact ties on the BigInt path follow the mode', () => {
    // a odd, a × 2^30 / 2^31 = (a − 1)/2 + 0.5 exactly, and a × 2^30 > 2^53
    const odd = fc.integer({ min: 2 ** 23, max: 2 ** 40 }).map((k) => 2 * k + 1);
    fc.assert(
      fc.property(odd, fc.boolean(), mode, (a0, neg, m) => {
        const a = neg ? -a0 : a0;
        expect(Number.isSafeInteger(a * 2 ** 30)).toBe(false);
        expect(BigInt(mulDiv(a, 2 ** 30, 2 ** 31, m))).toBe(refRoundDiv(BigInt(a) * 2n ** 30n, 2n ** 31n, m));
      }),
      { numRuns: 2000 },
    );
  });

  it('throws when the result is not a safe integer, or on bad inputs', () => {
    expect(() => mulDiv(MAX, 2, 1, 'down')).toThrow(RangeError);
    expect(() => mulDiv(MAX, MAX, 2, 'down')).toThrow(RangeError);
    expect(() => mulDiv(MAX + 1, 1, 1, 'down')).toThrow(RangeError);
    expect(() => mulDiv(1, 0.5, 1, 'down')).toThrow(RangeError);
    expect(() => mulDiv(3, 4, 0, 'down')).toThrow(RangeError);
    expect(() => mulDiv(MAX, MAX, 0, 'down')).toThrow(RangeError);
    // the divisor is checked like the other operands on both paths
    expect(() => mulDiv(3, 4, MAX + 1, 'down')).toThrow(RangeError);
    expect(() => mulDiv(MAX, MAX, 2 ** 60, 'down')).toThrow(RangeError);
  });

  it('never returns negative zero', () => {
    for (const m of MODES) {
      expect(Object.is(mulDiv(0, -5, 3, m), -0)).toBe(false);
      expect(Object.is(mulDiv(-1, 1, 3, m), -0)).toBe(false);
      expect(mulDiv(1, -1, MAX, m)).toBe(m === 'up' ? -1 : 0); // toBe distinguishes 0 from -0
    }
  });

  it('property: agrees with an exact BigInt reference, or throws exactly when the result is unsafe', () => {
    fc.assert(
      fc.property(safeInt, safeInt, nonZeroSafeInt, mode, (a, b, c, m) => {
        const expected = refRoundDiv(BigInt(a) * BigInt(b), BigInt(c), m);
        if (expected > BigInt(MAX) || expected < BigInt(MIN)) {
          expect(() => mulDiv(a, b, c, m)).toThrow(RangeError);
        } else {
          const got = mulDiv(a, b, c, m);
          expect(BigInt(got)).toBe(expected);
          expect(Object.is(got, -0)).toBe(false);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('property: unit price × quantity in milli-units (realistic magnitudes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        mode,
        (price, qty, m) => {
          expect(BigInt(mulDiv(price, qty, ONE_QTY, m))).toBe(refRoundDiv(BigInt(price) * BigInt(qty), 1000n, m));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
