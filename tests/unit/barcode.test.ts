import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildVariableMeasure,
  checkLayout,
  DEFAULT_VARIABLE_MEASURE_LAYOUT,
  gs1CheckDigit,
  GTIN_LENGTHS,
  gtinAlternates,
  parseVariableMeasure,
  priceCheckDigit,
  validateBarcode,
  valueDigits,
  type VariableMeasureLayout,
} from '../../src/core/barcode.js';

/** Independent GS1 mod-10 check: weights 3,1,3,… from the right of the body. */
function refCheckDigit(body: string): number {
  const digits = [...body].map(Number).reverse();
  const sum = digits.reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
}

/** A full code is valid when Σ digit × weight (1 for the check digit, then 3,1,… leftwards) ≡ 0 mod 10. */
function refIsValid(code: string): boolean {
  const digits = [...code].map(Number).reverse();
  return digits.reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 1 : 3), 0) % 10 === 0;
}

// Weightings of GS1 GenSpecs 7.9.2, computed arithmetically (not from a table).
const w2minus = (d: number): number => (((2 * d) % 10) - Math.floor((2 * d) / 10) + 10) % 10;
const w3 = (d: number): number => (3 * d) % 10;
const w5plus = (d: number): number => (((5 * d) % 10) + Math.floor((5 * d) / 10)) % 10;
const w5minus = (d: number): number => (((5 * d) % 10) - Math.floor((5 * d) / 10) + 10) % 10;

function refPriceCheckDigit(v: string): number {
  const d = [...v].map(Number) as number[];
  if (d.length === 4) return ((w2minus(d[0]!) + w2minus(d[1]!) + w3(d[2]!) + w5minus(d[3]!)) * 3) % 10;
  const sum = w5plus(d[0]!) + w2minus(d[1]!) + w5minus(d[2]!) + w5plus(d[3]!) + w2minus(d[4]!);
  const target = (10 - (sum % 10)) % 10;
  for (let c = 0; c < 10; c++) if (w5minus(c) === target) return c;
  throw new Error('unreachable');
}

const digitString = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));

const withCheck = (body: string): string => body + String(gs1CheckDigit(body));

describe('gs1CheckDigit', () => {
  it('computes the check digit of known GTINs', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gs1CheckDigit('03600024145')).toBe(7); // UPC-A 036000241457
    expect(gs1CheckDigit('9638507')).toBe(4); // EAN-8 96385074
    expect(gs1CheckDigit('950110153100')).toBe(0);
    expect(gs1CheckDigit('629104150021')).toBe(3);
    expect(gs1CheckDigit('9501234')).toBe(6);
    expect(gs1CheckDigit('37610425002123456')).toBe(9); // SSCC body, GS1 example
    expect(gs1CheckDigit('000000000000')).toBe(0);
  });

  it('property: agrees with a reference implementation and yields a valid code', () => {
    fc.assert(
      fc.property(digitString(1, 17), (body) => {
        const c = gs1CheckDigit(body);
        expect(c).toBe(refCheckDigit(body));
        expect(refIsValid(body + String(c))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: leading zeros do not change the check digit (GTIN-12 in a GTIN-13/14 field)', () => {
    fc.assert(
      fc.property(digitString(1, 13), fc.integer({ min: 1, max: 4 }), (body, z) => {
        expect(gs1CheckDigit('0'.repeat(z) + body)).toBe(gs1CheckDigit(body));
      }),
    );
  });
});

describe('validateBarcode', () => {
  it('accepts valid GTINs of every length', () => {
    expect(validateBarcode('4006381333931')).toEqual({ ok: true, value: '4006381333931' });
    expect(validateBarcode('036000241457')).toEqual({ ok: true, value: '036000241457' });
    expect(validateBarcode('96385074')).toEqual({ ok: true, value: '96385074' });
    expect(validateBarcode('04006381333931')).toEqual({ ok: true, value: '04006381333931' }); // GTIN-14
    expect(validateBarcode(withCheck('1400638133393'))).toEqual({ ok: true, value: withCheck('1400638133393') });
    expect(GTIN_LENGTHS).toEqual({ 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13', 14: 'GTIN-14' });
  });

  it('names the symbology and the expected digit of a wrong check digit', () => {
    expect(validateBarcode('4006381333932')).toEqual({
      ok: false,
      problem: { code: 'barcode.check_digit', params: { symbology: 'EAN-13', expected: 1 } },
    });
    expect(validateBarcode('036000241450')).toEqual({
      ok: false,
      problem: { code: 'barcode.check_digit', params: { symbology: 'UPC-A', expected: 7 } },
    });
    expect(validateBarcode('96385070')).toEqual({
      ok: false,
      problem: { code: 'barcode.check_digit', params: { symbology: 'EAN-8', expected: 4 } },
    });
    expect(validateBarcode('04006381333930')).toEqual({
      ok: false,
      problem: { code: 'barcode.check_digit', params: { symbology: 'GTIN-14', expected: 1 } },
    });
  });

  it('accepts short internal numeric codes (1–7 digits) without a check digit', () => {
    for (const c of ['1', '42', '0001', '1234567']) expect(validateBarcode(c)).toEqual({ ok: true, value: c });
  });

  it('refuses numeric codes of 9–11 or more than 14 digits', () => {
    for (const len of [9, 10, 11, 15, 16, 18, 20, 40]) {
      const code = '1'.repeat(len);
      expect(validateBarcode(code)).toEqual({ ok: false, problem: { code: 'barcode.length', params: { length: len } } });
    }
  });

  it('accepts alphanumeric internal codes up to 32 characters', () => {
    for (const c of ['ABC-123', 'sku_1.2/3', 'X', 'A'.repeat(32), '12345678A', 'a-b-c']) {
      expect(validateBarcode(c)).toEqual({ ok: true, value: c });
    }
  });

  it('refuses empty codes, other characters, and alphanumeric codes over 32 characters', () => {
    expect(validateBarcode('')).toEqual({ ok: false, problem: { code: 'barcode.empty' } });
    for (const c of ['A'.repeat(33), 'ABC 123', ' 4006381333931', '4006381333931\n', 'caf\u00e9', 'A|B', 'A,B', '€1', '１２３']) {
      expect(validateBarcode(c)).toEqual({ ok: false, problem: { code: 'barcode.characters' } });
    }
  });

  it('property: every generated GTIN is valid', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(7, 11, 12, 13).chain((len) => digitString(len, len)),
        (body) => {
          const code = withCheck(body);
          expect(validateBarcode(code)).toEqual({ ok: true, value: code });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('property: a single changed digit in a valid EAN-13 is always detected', () => {
    fc.assert(
      fc.property(digitString(12, 12), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const code = withCheck(body);
        const changed = String((Number(code[pos]) + delta) % 10);
        const bad = code.slice(0, pos) + changed + code.slice(pos + 1);
        expect(bad).not.toBe(code);
        const r = validateBarcode(bad);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.problem.code).toBe('barcode.check_digit');
      }),
      { numRuns: 3000 },
    );
  });

  it('exhaustively: every single-digit substitution of 4006381333931 is detected', () => {
    const code = '4006381333931';
    let tried = 0;
    for (let pos = 0; pos < 13; pos++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === code[pos]) continue;
        const bad = code.slice(0, pos) + String(d) + code.slice(pos + 1);
        expect(validateBarcode(bad).ok, bad).toBe(false);
        tried++;
      }
    }
    expect(tried).toBe(13 * 9);
  });

  it('property: swapping two adjacent digits is detected unless they differ by 0 or 5', () => {
    fc.assert(
      fc.property(digitString(12, 12), fc.integer({ min: 0, max: 11 }), (body, pos) => {
        const code = withCheck(body);
        const a = Number(code[pos]);
        const b = Number(code[pos + 1]);
        const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
        const detected = !validateBarcode(swapped).ok;
        expect(detected).toBe(Math.abs(a - b) !== 0 && Math.abs(a - b) !== 5);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('gtinAlternates', () => {
  it('offers the EAN-13 spelling of a UPC-A and the reverse', () => {
    expect(gtinAlternates('036000241457')).toEqual(['0036000241457']);
    expect(gtinAlternates('0036000241457')).toEqual(['036000241457']);
  });
  it('offers nothing for other codes', () => {
    expect(gtinAlternates('4006381333931')).toEqual([]);
    expect(gtinAlternates('96385074')).toEqual([]);
    expect(gtinAlternates('04006381333931')).toEqual([]);
    expect(gtinAlternates('ABC-123')).toEqual([]);
    expect(gtinAlternates('03600024145A')).toEqual([]);
    expect(gtinAlternates('')).toEqual([]);
  });
  it('property: alternates of a valid GTIN-12/13 are valid and map back', () => {
    fc.assert(
      fc.property(digitString(11, 11), (body) => {
        const upc = withCheck(body);
        const [ean] = gtinAlternates(upc);
        expect(ean).toBe('0' + upc);
        expect(validateBarcode(ean!).ok).toBe(true);
        expect(gtinAlternates(ean!)).toEqual([upc]);
      }),
    );
  });
});

describe('priceCheckDigit (GS1 GenSpecs 7.9.3)', () => {
  it('matches the GS1 worked examples', () => {
    // 4-digit price 2875: 2- 2- 3 5- → 4 + 5 + 1 + 3 = 13; 13 × 3 = 39 → 9
    expect(priceCheckDigit('2875')).toBe(9);
    // 5-digit price 14685: 5+ 2- 5- 5+ 2- → 5 + 8 + 7 + 4 + 9 = 33; 40 − 33 = 7 is the 5−-weighted
    // value of the check digit, and the digit whose 5− product is 7 is 6 (6 × 5 = 30 → 0 − 3 → 7).
    expect(priceCheckDigit('14685')).toBe(6);
    expect(w5minus(6)).toBe(7);
  });

  it('weighting tables match their arithmetic definitions', () => {
    expect([...Array(10).keys()].map(w2minus)).toEqual([0, 2, 4, 6, 8, 9, 1, 3, 5, 7]);
    expect([...Array(10).keys()].map(w5plus)).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
    expect([...Array(10).keys()].map(w5minus)).toEqual([0, 5, 9, 4, 8, 3, 7, 2, 6, 1]);
  });

  it('gives 0 for all-zero values', () => {
    expect(priceCheckDigit('0000')).toBe(0);
    expect(priceCheckDigit('00000')).toBe(0);
  });

  it('throws for other lengths', () => {
    for (const v of ['', '1', '123', '123456']) expect(() => priceCheckDigit(v)).toThrow(RangeError);
  });

  it('exhaustively agrees with the reference for every 4- and 5-digit value', () => {
    for (let v = 0; v < 10_000; v++) {
      const s = String(v).padStart(4, '0');
      if (priceCheckDigit(s) !== refPriceCheckDigit(s)) expect.fail(`4-digit ${s}`);
    }
    for (let v = 0; v < 100_000; v++) {
      const s = String(v).padStart(5, '0');
      if (priceCheckDigit(s) !== refPriceCheckDigit(s)) expect.fail(`5-digit ${s}`);
    }
    expect(priceCheckDigit('9999')).toBe(refPriceCheckDigit('9999'));
  });

  it('property: any single changed digit of the value changes the check digit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 5).chain((n) => fc.tuple(digitString(n, n), fc.integer({ min: 0, max: n - 1 }))),
        fc.integer({ min: 1, max: 9 }),
        ([v, pos], delta) => {
          const changed = v.slice(0, pos) + String((Number(v[pos]) + delta) % 10) + v.slice(pos + 1);
          expect(priceCheckDigit(changed)).not.toBe(priceCheckDigit(v));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('checkLayout and valueDigits', () => {
  const layout = (over: Partial<VariableMeasureLayout>): VariableMeasureLayout => ({
    ...DEFAULT_VARIABLE_MEASURE_LAYOUT,
    ...over,
  });

  it('accepts the default layout (5-digit item, 5-digit value, no price check digit)', () => {
    expect(checkLayout(DEFAULT_VARIABLE_MEASURE_LAYOUT)).toEqual({ ok: true, value: DEFAULT_VARIABLE_MEASURE_LAYOUT });
    expect(valueDigits(DEFAULT_VARIABLE_MEASURE_LAYOUT)).toBe(5);
  });

  it('computes the value digits of every variant', () => {
    expect(valueDigits(layout({ itemDigits: 4, priceCheckDigit: false }))).toBe(6);
    expect(valueDigits(layout({ itemDigits: 4, priceCheckDigit: true }))).toBe(5);
    expect(valueDigits(layout({ itemDigits: 5, priceCheckDigit: false }))).toBe(5);
    expect(valueDigits(layout({ itemDigits: 5, priceCheckDigit: true }))).toBe(4);
    expect(valueDigits(layout({ itemDigits: 6, priceCheckDigit: false }))).toBe(4);
    expect(valueDigits(layout({ itemDigits: 6, priceCheckDigit: true }))).toBe(3);
  });

  it('accepts every valid variant', () => {
    for (const l of [
      layout({ itemDigits: 4 }),
      layout({ itemDigits: 4, priceCheckDigit: true }),
      layout({ itemDigits: 5, priceCheckDigit: true }),
      layout({ itemDigits: 6 }),
      layout({ pricePrefixes: [], weightPrefixes: ['28'] }),
    ]) {
      expect(checkLayout(l).ok).toBe(true);
    }
  });

  it('refuses prefixes outside 20–29', () => {
    expect(checkLayout(layout({ pricePrefixes: ['30'] }))).toEqual({
      ok: false,
      problem: { code: 'barcode.layout_prefix', params: { prefix: '30' } },
    });
    for (const p of ['2', '200', '19', '02', 'ab', '']) {
      expect(checkLayout(layout({ weightPrefixes: [p] }))).toEqual({
        ok: false,
        problem: { code: 'barcode.layout_prefix', params: { prefix: p } },
      });
    }
  });

  it('refuses a prefix that is both price and weight, or repeated', () => {
    expect(checkLayout(layout({ pricePrefixes: ['20', '21'], weightPrefixes: ['21'] }))).toEqual({
      ok: false,
      problem: { code: 'barcode.layout_overlap' },
    });
    expect(checkLayout(layout({ pricePrefixes: ['20', '20'], weightPrefixes: [] })).ok).toBe(false);
  });

  it('refuses item digits other than 4, 5, 6', () => {
    for (const n of [0, 3, 7, 4.5]) {
      expect(checkLayout(layout({ itemDigits: n }))).toEqual({ ok: false, problem: { code: 'barcode.layout_item_digits' } });
    }
  });

  it('refuses a price check digit over a 3-digit value', () => {
    expect(checkLayout(layout({ itemDigits: 6, priceCheckDigit: true }))).toEqual({
      ok: false,
      problem: { code: 'barcode.layout_price_check' },
    });
  });
});

describe('parseVariableMeasure', () => {
  const L = DEFAULT_VARIABLE_MEASURE_LAYOUT;

  it('reads a price code under the default layout', () => {
    // 20 | 12345 | 01234 | check
    const code = withCheck('201234501234');
    const r = parseVariableMeasure(code, L);
    expect(r).toEqual({
      ok: true,
      value: { baseCode: withCheck('201234500000'), itemCode: '12345', measure: 'price', value: 1234 },
    });
  });

  it('reads a weight code (grams) under the default layout', () => {
    const code = withCheck('280004200750');
    expect(parseVariableMeasure(code, L)).toEqual({
      ok: true,
      value: { baseCode: withCheck('280004200000'), itemCode: '00042', measure: 'weight', value: 750 },
    });
  });

  it('reads a code with a price check digit (4-digit item, 5-digit value)', () => {
    const layout: VariableMeasureLayout = { ...L, itemDigits: 4, priceCheckDigit: true };
    // 21 | 1234 | pcd | 14685
    const code = withCheck('211234' + String(priceCheckDigit('14685')) + '14685');
    expect(code.slice(6, 7)).toBe('6');
    expect(parseVariableMeasure(code, layout)).toEqual({
      ok: true,
      value: { baseCode: withCheck('211234000000'), itemCode: '1234', measure: 'price', value: 14685 },
    });
  });

  it('reads a code with a price check digit (5-digit item, 4-digit value)', () => {
    const layout: VariableMeasureLayout = { ...L, itemDigits: 5, priceCheckDigit: true };
    const code = withCheck('2012345' + '9' + '2875');
    const r = parseVariableMeasure(code, layout);
    expect(r).toEqual({
      ok: true,
      value: { baseCode: withCheck('201234500000'), itemCode: '12345', measure: 'price', value: 2875 },
    });
  });

  it('reports a wrong price check digit', () => {
    const layout: VariableMeasureLayout = { ...L, itemDigits: 5, priceCheckDigit: true };
    const code = withCheck('2012345' + '8' + '2875');
    expect(parseVariableMeasure(code, layout)).toEqual({
      ok: false,
      problem: { code: 'barcode.price_check_digit', params: { expected: 9 } },
    });
  });

  it('reports a damaged EAN-13 check digit', () => {
    const good = withCheck('201234501234');
    const bad = good.slice(0, 12) + String((Number(good[12]) + 1) % 10);
    expect(parseVariableMeasure(bad, L)).toEqual({
      ok: false,
      problem: { code: 'barcode.check_digit', params: { symbology: 'EAN-13', expected: Number(good[12]) } },
    });
  });

  it('returns null for codes that are not variable-measure codes', () => {
    expect(parseVariableMeasure('4006381333931', L)).toBeNull(); // other prefix
    expect(parseVariableMeasure('036000241457', L)).toBeNull(); // 12 digits
    expect(parseVariableMeasure('2012345012', L)).toBeNull();
    expect(parseVariableMeasure('20123450123A', L)).toBeNull();
    expect(parseVariableMeasure('20123450123 4', L)).toBeNull();
    expect(parseVariableMeasure('', L)).toBeNull();
    // a prefix the layout does not claim
    const onlyWeight: VariableMeasureLayout = { ...L, pricePrefixes: [], weightPrefixes: ['29'] };
    expect(parseVariableMeasure(withCheck('201234501234'), onlyWeight)).toBeNull();
  });
});

describe('buildVariableMeasure', () => {
  const L = DEFAULT_VARIABLE_MEASURE_LAYOUT;

  it('builds a valid EAN-13 with zero-padded value', () => {
    const code = buildVariableMeasure('20', '12345', 1234, L);
    expect(code).toBe(withCheck('201234501234'));
    expect(validateBarcode(code).ok).toBe(true);
    expect(buildVariableMeasure('25', '00001', 0, L)).toBe(withCheck('250000100000'));
    expect(buildVariableMeasure('20', '12345', 99999, L)).toBe(withCheck('201234599999'));
  });

  it('puts the price check digit between item and value', () => {
    const code = buildVariableMeasure('22', '1234', 14685, { ...L, itemDigits: 4, priceCheckDigit: true });
    expect(code).toBe(withCheck('221234614685'));
  });

  it('throws when the value or item code does not fit the layout', () => {
    expect(() => buildVariableMeasure('20', '12345', 100000, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('20', '1234', 1, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('20', '123456', 1, L)).toThrow(RangeError);
  });

  it('throws on values and codes that would not make a 13-digit code', () => {
    expect(() => buildVariableMeasure('20', '12345', -5, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('20', '12345', 1.5, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('20', '12345', NaN, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('20', '12a45', 1, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('2', '12345', 1, L)).toThrow(RangeError);
    expect(() => buildVariableMeasure('2x', '12345', 1, L)).toThrow(RangeError);
  });

  const variants: VariableMeasureLayout[] = [];
  for (const itemDigits of [4, 5, 6]) {
    for (const pcd of [false, true]) {
      const l: VariableMeasureLayout = { ...L, itemDigits, priceCheckDigit: pcd };
      if (checkLayout(l).ok) variants.push(l);
    }
  }

  it('has five valid layout variants to test', () => {
    expect(variants.map((v) => `${v.itemDigits}${v.priceCheckDigit ? '+pcd' : ''}`)).toEqual([
      '4',
      '4+pcd',
      '5',
      '5+pcd',
      '6',
    ]);
  });

  const roundTripArb = fc.constantFrom(...variants).chain((layout) => {
    const vd = valueDigits(layout);
    return fc.record({
      layout: fc.constant(layout),
      prefix: fc.constantFrom(...layout.pricePrefixes, ...layout.weightPrefixes),
      item: digitString(layout.itemDigits, layout.itemDigits),
      value: fc.oneof(fc.integer({ min: 0, max: 10 ** vd - 1 }), fc.constantFrom(0, 10 ** vd - 1)),
    });
  });

  it('property: build → parse round-trips value, item and measure for every layout variant', () => {
    fc.assert(
      fc.property(roundTripArb, ({ layout, prefix, item, value }) => {
        const code = buildVariableMeasure(prefix, item, value, layout);
        expect(code).toMatch(/^\d{13}$/);
        expect(code.startsWith(prefix + item)).toBe(true);
        expect(validateBarcode(code).ok).toBe(true);
        const r = parseVariableMeasure(code, layout);
        expect(r).not.toBeNull();
        if (!r || !r.ok) throw new Error(`parse failed: ${JSON.stringify(r)}`);
        expect(r.value.value).toBe(value);
        expect(r.value.itemCode).toBe(item);
        expect(r.value.measure).toBe(layout.pricePrefixes.includes(prefix) ? 'price' : 'weight');
        const base = r.value.baseCode;
        expect(base).toMatch(/^\d{13}$/);
        expect(validateBarcode(base).ok).toBe(true);
        expect(base.slice(0, 2 + layout.itemDigits)).toBe(prefix + item);
        expect(base.slice(2 + layout.itemDigits, 12)).toBe('0'.repeat(10 - layout.itemDigits));
        // the base code is the same for any value
        const other = buildVariableMeasure(prefix, item, 0, layout);
        const r0 = parseVariableMeasure(other, layout);
        expect(r0 && r0.ok && r0.value.baseCode).toBe(base);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: with a price check digit, a misread value digit is caught even when the EAN check digit is fixed up', () => {
    const pcdVariants = variants.filter((v) => v.priceCheckDigit);
    const arb = fc.constantFrom(...pcdVariants).chain((layout) => {
      const vd = valueDigits(layout);
      return fc.record({
        layout: fc.constant(layout),
        item: digitString(layout.itemDigits, layout.itemDigits),
        value: fc.integer({ min: 0, max: 10 ** vd - 1 }),
        pos: fc.integer({ min: 0, max: vd - 1 }),
        delta: fc.integer({ min: 1, max: 9 }),
      });
    });
    fc.assert(
      fc.property(arb, ({ layout, item, value, pos, delta }) => {
        const code = buildVariableMeasure('20', item, value, layout);
        const at = 12 - valueDigits(layout) + pos;
        const body = code.slice(0, at) + String((Number(code[at]) + delta) % 10) + code.slice(at + 1, 12);
        const r = parseVariableMeasure(withCheck(body), layout);
        expect(r).toEqual({
          ok: false,
          problem: { code: 'barcode.price_check_digit', params: { expected: expect.any(Number) } },
        });
      }),
      { numRuns: 2000 },
    );
  });
});
