import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  foldText,
  parseBoolean,
  parseProductRow,
  parseUnit,
  PRODUCT_FIELDS,
  splitBarcodes,
  UNITS,
  type FieldProblem,
  type ParseOptions,
  type ProductField,
  type ProductPatch,
} from '../../src/core/product.js';
import { formatDecimal, formatQuantity, formatRate } from '../../src/core/money.js';
import { gs1CheckDigit } from '../../src/core/barcode.js';
import { FORBIDDEN } from '../../src/core/text.js';

const EUR: ParseOptions = { exponent: 2, decimalComma: false };
const EUR_COMMA: ParseOptions = { exponent: 2, decimalComma: true };
const CLP: ParseOptions = { exponent: 0, decimalComma: false };
const KWD: ParseOptions = { exponent: 3, decimalComma: false };

type Cells = Partial<Record<ProductField, string>>;

function patchOf(cells: Cells, opts: ParseOptions = EUR): ProductPatch {
  const r = parseProductRow(cells, opts);
  if (r.patch === null) throw new Error(`expected a patch, got ${JSON.stringify(r.problems)}`);
  expect(r.problems).toEqual([]);
  return r.patch;
}

function problemsOf(cells: Cells, opts: ParseOptions = EUR): FieldProblem[] {
  const r = parseProductRow(cells, opts);
  expect(r.patch).toBeNull();
  expect(r.problems.length).toBeGreaterThan(0);
  return r.problems;
}

describe('constants', () => {
  it('lists the canonical columns and units', () => {
    expect(PRODUCT_FIELDS).toEqual(['sku', 'name', 'price', 'tax_rate', 'barcodes', 'unit', 'category', 'active', 'stock', 'track_stock']);
    expect(UNITS).toEqual(['each', 'kg']);
  });
});

describe('parseBoolean', () => {
  it.each(['1', 'true', 'TRUE', 'True', 'yes', 'Y', 'si', 'sí', 'SÍ', 'Si', 's', 'x', 'X', 'on', ' yes '])('reads %j as true', (t) => {
    expect(parseBoolean(t)).toBe(true);
  });
  it.each(['0', 'false', 'FALSE', 'no', 'No', 'n', 'off', ' 0 '])('reads %j as false', (t) => {
    expect(parseBoolean(t)).toBe(false);
  });
  it.each(['', ' ', 'maybe', '2', '-1', 'yes!', 't', 'f', 'nope', 'sí no'])('does not guess %j', (t) => {
    expect(parseBoolean(t)).toBeUndefined();
  });
});

describe('parseUnit', () => {
  it.each([
    ['each', 'each'],
    ['unit', 'each'],
    ['units', 'each'],
    ['u', 'each'],
    ['ud', 'each'],
    ['Uds', 'each'],
    ['un', 'each'],
    ['pc', 'each'],
    ['PCS', 'each'],
    ['ea', 'each'],
    ['kg', 'kg'],
    ['KG', 'kg'],
    [' Kg ', 'kg'],
    ['kilo', 'kg'],
    ['kilogram', 'kg'],
    ['Kilogramo', 'kg'],
  ] as const)('reads %j as %j', (t, unit) => {
    expect(parseUnit(t)).toBe(unit);
  });
  it.each(['', 'g', 'litre', 'l', 'box', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])('refuses %j', (t) => {
    expect(parseUnit(t)).toBeUndefined();
  });
});

describe('splitBarcodes', () => {
  it('splits on |, trims and drops blanks', () => {
    expect(splitBarcodes('4006381333931')).toEqual(['4006381333931']);
    expect(splitBarcodes(' 4006381333931 | 96385074 ')).toEqual(['4006381333931', '96385074']);
    expect(splitBarcodes('a||b|')).toEqual(['a', 'b']);
    expect(splitBarcodes('')).toEqual([]);
    expect(splitBarcodes(' | | ')).toEqual([]);
  });
  it('keeps duplicates (the row validator reports them)', () => {
    expect(splitBarcodes('1|1')).toEqual(['1', '1']);
  });
  it('property: joining non-blank trimmed codes with | splits back to them', () => {
    const code = fc.stringMatching(/^[A-Za-z0-9._/-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(code, { maxLength: 6 }), fc.constantFrom('|', ' | ', '| ', '||'), (codes, sep) => {
        expect(splitBarcodes(codes.join(sep))).toEqual(codes);
      }),
    );
  });
});

describe('foldText', () => {
  it.each([
    ['Café', 'cafe'],
    ['CAFÉ', 'cafe'],
    ['Ñandú', 'nandu'],
    ['Pingüino', 'pinguino'],
    ['Crème Brûlée', 'creme brulee'],
    ['ÀÉÎÕÜ', 'aeiou'],
    ['plain', 'plain'],
    ['', ''],
    ['Cafe\u0301', 'cafe'], // already decomposed
    ['12,50 €', '12,50 €'],
  ] as const)('folds %j to %j', (t, expected) => {
    expect(foldText(t)).toBe(expected);
  });
  it('property: idempotent, lower case and free of combining accents', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (t) => {
        const f = foldText(t);
        expect(foldText(f)).toBe(f);
        expect(f).toBe(f.toLowerCase());
        expect(/[\u0300-\u036f]/.test(f)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
  it('makes accented and plain spellings match', () => {
    expect(foldText('Jamón Ibérico')).toBe(foldText('jamon iberico'));
  });
});

describe('parseProductRow: sku', () => {
  it('needs only a sku, and sets nothing else (an update touches only present columns)', () => {
    expect(patchOf({ sku: 'A1' })).toEqual({ sku: 'A1' });
    expect(patchOf({ sku: '  A1  ' })).toEqual({ sku: 'A1' });
  });
  it('refuses a missing or blank sku', () => {
    expect(problemsOf({})).toEqual([{ field: 'sku', code: 'product.sku_empty' }]);
    expect(problemsOf({ sku: '   ' })).toEqual([{ field: 'sku', code: 'product.sku_empty' }]);
  });
  it('refuses a sku over 64 characters or with control characters', () => {
    expect(patchOf({ sku: 'S'.repeat(64) }).sku).toBe('S'.repeat(64));
    expect(problemsOf({ sku: 'S'.repeat(65) })).toEqual([{ field: 'sku', code: 'text.too_long', params: { max: 64 } }]);
    expect(problemsOf({ sku: 'A\tB' })).toEqual([{ field: 'sku', code: 'text.control', params: { char: 'U+0009' } }]);
    expect(problemsOf({ sku: 'A\u007fB' })).toEqual([{ field: 'sku', code: 'text.control', params: { char: 'U+007F' } }]);
    expect(problemsOf({ sku: 'A\nB' })).toEqual([{ field: 'sku', code: 'text.control', params: { char: 'U+000A' } }]);
  });
});

describe('parseProductRow: name', () => {
  it('trims the name', () => {
    expect(patchOf({ sku: 'A', name: '  Pan de molde  ' }).name).toBe('Pan de molde');
    expect(patchOf({ sku: 'A', name: 'N'.repeat(200) }).name).toBe('N'.repeat(200));
  });
  it('refuses an empty, too long or control-character name', () => {
    expect(problemsOf({ sku: 'A', name: ' ' })).toEqual([{ field: 'name', code: 'product.name_empty' }]);
    expect(problemsOf({ sku: 'A', name: 'N'.repeat(201) })).toEqual([
      { field: 'name', code: 'text.too_long', params: { max: 200 } },
    ]);
    expect(problemsOf({ sku: 'A', name: 'Pan\u0007de molde' })).toEqual([{ field: 'name', code: 'text.control', params: { char: 'U+0007' } }]);
    expect(problemsOf({ sku: 'A', name: 'Pan\u007f' })).toEqual([{ field: 'name', code: 'text.control', params: { char: 'U+007F' } }]);
    expect(problemsOf({ sku: 'A', name: '\n\t\r\n' })).toEqual([{ field: 'name', code: 'product.name_empty' }]);
  });
  it('turns line breaks and tabs inside a name into single spaces', () => {
    expect(patchOf({ sku: 'A', name: 'Pan\nde\r\n\tmolde' }).name).toBe('Pan de molde');
    expect(patchOf({ sku: 'A', name: 'Pan   de  molde' }).name).toBe('Pan de molde');
  });
});

describe('parseProductRow: price', () => {
  it('reads the price in minor units of the store currency', () => {
    expect(patchOf({ sku: 'A', price: '1.20' }).price).toBe(120);
    expect(patchOf({ sku: 'A', price: '3' }).price).toBe(300);
    expect(patchOf({ sku: 'A', price: '0' }).price).toBe(0);
    expect(patchOf({ sku: 'A', price: ' 2.5 ' }).price).toBe(250);
    expect(patchOf({ sku: 'A', price: '1500' }, CLP).price).toBe(1500);
    expect(patchOf({ sku: 'A', price: '1.250' }, KWD).price).toBe(1250);
  });
  it('accepts a decimal comma only in decimal-comma files', () => {
    expect(patchOf({ sku: 'A', price: '1,20' }, EUR_COMMA).price).toBe(120);
    expect(problemsOf({ sku: 'A', price: '1,20' })).toEqual([{ field: 'price', code: 'decimal.malformed' }]);
  });
  it('explains empty, negative, over-precise and malformed prices', () => {
    expect(problemsOf({ sku: 'A', price: '' })).toEqual([{ field: 'price', code: 'product.price_empty' }]);
    expect(problemsOf({ sku: 'A', price: '  ' })).toEqual([{ field: 'price', code: 'product.price_empty' }]);
    expect(problemsOf({ sku: 'A', price: '-1.00' })).toEqual([{ field: 'price', code: 'decimal.negative' }]);
    expect(problemsOf({ sku: 'A', price: '1.005' })).toEqual([
      { field: 'price', code: 'decimal.too_many_decimals', params: { max: 2 } },
    ]);
    expect(problemsOf({ sku: 'A', price: '10.5' }, CLP)).toEqual([
      { field: 'price', code: 'decimal.too_many_decimals', params: { max: 0 } },
    ]);
    expect(problemsOf({ sku: 'A', price: '€1' })).toEqual([{ field: 'price', code: 'decimal.malformed' }]);
    expect(problemsOf({ sku: 'A', price: '1e3' })).toEqual([{ field: 'price', code: 'decimal.malformed' }]);
  });
});

describe('parseProductRow: tax rate', () => {
  it('reads percent text into basis points, with or without a % sign', () => {
    expect(patchOf({ sku: 'A', tax_rate: '21' }).taxRate).toBe(2100);
    expect(patchOf({ sku: 'A', tax_rate: '21%' }).taxRate).toBe(2100);
    expect(patchOf({ sku: 'A', tax_rate: ' 10.5 % ' }).taxRate).toBe(1050);
    expect(patchOf({ sku: 'A', tax_rate: '10,5%' }, EUR_COMMA).taxRate).toBe(1050);
    expect(patchOf({ sku: 'A', tax_rate: '0' }).taxRate).toBe(0);
    expect(patchOf({ sku: 'A', tax_rate: '100' }).taxRate).toBe(10000);
  });
  it('refuses empty, out-of-range and malformed rates', () => {
    expect(problemsOf({ sku: 'A', tax_rate: '' })).toEqual([{ field: 'tax_rate', code: 'product.tax_rate_empty' }]);
    expect(problemsOf({ sku: 'A', tax_rate: ' % ' })).toEqual([{ field: 'tax_rate', code: 'product.tax_rate_empty' }]);
    expect(problemsOf({ sku: 'A', tax_rate: '100.01' })).toEqual([{ field: 'tax_rate', code: 'product.tax_rate_range' }]);
    expect(problemsOf({ sku: 'A', tax_rate: '-21' })).toEqual([{ field: 'tax_rate', code: 'decimal.negative' }]);
    expect(problemsOf({ sku: 'A', tax_rate: '21%%' })).toEqual([{ field: 'tax_rate', code: 'decimal.malformed' }]);
    expect(problemsOf({ sku: 'A', tax_rate: 'IVA' })).toEqual([{ field: 'tax_rate', code: 'decimal.malformed' }]);
    expect(problemsOf({ sku: 'A', tax_rate: '10.555' })).toEqual([
      { field: 'tax_rate', code: 'decimal.too_many_decimals', params: { max: 2 } },
    ]);
  });
});

describe('parseProductRow: barcodes', () => {
  it('reads and validates a | separated list', () => {
    expect(patchOf({ sku: 'A', barcodes: '4006381333931|036000241457| 96385074 ' }).barcodes).toEqual([
      '4006381333931',
      '036000241457',
      '96385074',
    ]);
    expect(patchOf({ sku: 'A', barcodes: '' }).barcodes).toEqual([]); // clears the barcodes
    expect(patchOf({ sku: 'A', barcodes: 'PLU-12|42' }).barcodes).toEqual(['PLU-12', '42']);
  });
  it('reports each bad barcode with the code itself', () => {
    expect(problemsOf({ sku: 'A', barcodes: '4006381333932|123456789|ok-1|a b' })).toEqual([
      {
        field: 'barcodes',
        code: 'barcode.check_digit',
        params: { symbology: 'EAN-13', expected: 1, barcode: '4006381333932' },
      },
      { field: 'barcodes', code: 'barcode.length', params: { length: 9, barcode: '123456789' } },
      { field: 'barcodes', code: 'barcode.characters', params: { barcode: 'a b' } },
    ]);
  });
  it('reports a repeated barcode once per repetition', () => {
    expect(problemsOf({ sku: 'A', barcodes: '96385074|96385074|96385074' })).toEqual([
      { field: 'barcodes', code: 'product.barcode_repeated', params: { barcode: '96385074' } },
      { field: 'barcodes', code: 'product.barcode_repeated', params: { barcode: '96385074' } },
    ]);
  });
});

describe('parseProductRow: unit, category, flags', () => {
  it('reads units, defaulting a blank cell to each', () => {
    expect(patchOf({ sku: 'A', unit: 'kg' }).unit).toBe('kg');
    expect(patchOf({ sku: 'A', unit: 'Uds' }).unit).toBe('each');
    expect(patchOf({ sku: 'A', unit: '' }).unit).toBe('each');
    expect(problemsOf({ sku: 'A', unit: ' litre ' })).toEqual([
      { field: 'unit', code: 'product.unit_unknown', params: { unit: 'litre' } },
    ]);
    // names of Object.prototype members are not units
    expect(problemsOf({ sku: 'A', unit: 'constructor' })).toEqual([
      { field: 'unit', code: 'product.unit_unknown', params: { unit: 'constructor' } },
    ]);
  });
  it('reads a category, a blank cell clearing it', () => {
    expect(patchOf({ sku: 'A', category: ' Panadería ' }).category).toBe('Panadería');
    expect(patchOf({ sku: 'A', category: '' }).category).toBeNull();
    expect(patchOf({ sku: 'A', category: 'C'.repeat(100) }).category).toBe('C'.repeat(100));
    expect(problemsOf({ sku: 'A', category: 'C'.repeat(101) })).toEqual([
      { field: 'category', code: 'text.too_long', params: { max: 100 } },
    ]);
  });
  it('treats control characters in a category like in the name', () => {
    expect(patchOf({ sku: 'A', category: 'Frutas\nVerduras' }).category).toBe('Frutas Verduras');
    expect(patchOf({ sku: 'A', category: 'a\t\tb' }).category).toBe('a b');
    expect(patchOf({ sku: 'A', category: '\r\n' }).category).toBeNull();
    expect(problemsOf({ sku: 'A', category: 'a\u0000b' })).toEqual([{ field: 'category', code: 'text.control', params: { char: 'U+0000' } }]);
    expect(problemsOf({ sku: 'A', category: 'a\u001bb' })).toEqual([{ field: 'category', code: 'text.control', params: { char: 'U+001B' } }]);
  });
  it('reads active and track_stock flags, a blank cell meaning yes', () => {
    expect(patchOf({ sku: 'A', active: 'no', track_stock: 'sí' })).toEqual({ sku: 'A', active: false, trackStock: true });
    expect(patchOf({ sku: 'A', active: '', track_stock: '' })).toEqual({ sku: 'A', active: true, trackStock: true });
    expect(patchOf({ sku: 'A', active: '1', track_stock: '0' })).toEqual({ sku: 'A', active: true, trackStock: false });
    expect(problemsOf({ sku: 'A', active: 'maybe', track_stock: '2' })).toEqual([
      { field: 'active', code: 'product.boolean', params: { value: 'maybe' } },
      { field: 'track_stock', code: 'product.boolean', params: { value: '2' } },
    ]);
  });
});

describe('parseProductRow: stock', () => {
  it('reads stock in milli-units, negatives allowed', () => {
    expect(patchOf({ sku: 'A', stock: '12' }).stock).toBe(12000);
    expect(patchOf({ sku: 'A', stock: '-3' }).stock).toBe(-3000);
    expect(patchOf({ sku: 'A', stock: '0' }).stock).toBe(0);
    expect(patchOf({ sku: 'A', stock: '1,5', unit: 'kg' }, EUR_COMMA).stock).toBe(1500);
  });
  it('leaves stock untouched when the cell is blank', () => {
    expect('stock' in patchOf({ sku: 'A', stock: '' })).toBe(false);
    expect('stock' in patchOf({ sku: 'A', stock: '   ' })).toBe(false);
  });
  it('refuses fractional stock of a unit counted in pieces', () => {
    expect(problemsOf({ sku: 'A', unit: 'each', stock: '1.5' })).toEqual([{ field: 'stock', code: 'product.stock_fraction' }]);
    expect(problemsOf({ sku: 'A', unit: '', stock: '-0.25' })).toEqual([{ field: 'stock', code: 'product.stock_fraction' }]);
    expect(patchOf({ sku: 'A', unit: 'kg', stock: '1.5' })).toEqual({ sku: 'A', unit: 'kg', stock: 1500 });
    expect(patchOf({ sku: 'A', unit: 'each', stock: '2.000' }).stock).toBe(2000);
  });
  it('accepts fractional stock when the unit column is absent (the unit is not known here)', () => {
    expect(patchOf({ sku: 'A', stock: '0.750' }).stock).toBe(750);
  });
  it('refuses malformed stock and more than three decimals', () => {
    expect(problemsOf({ sku: 'A', stock: 'lots' })).toEqual([{ field: 'stock', code: 'decimal.malformed' }]);
    expect(problemsOf({ sku: 'A', stock: '1.0005', unit: 'kg' })).toEqual([
      { field: 'stock', code: 'decimal.too_many_decimals', params: { max: 3 } },
    ]);
  });
});

describe('parseProductRow: whole rows', () => {
  it('reads a complete row', () => {
    const patch = patchOf({
      sku: 'FRU-001',
      name: 'Manzana Golden',
      price: '2.49',
      tax_rate: '4%',
      barcodes: '4006381333931|FRU001',
      unit: 'kg',
      category: 'Fruta',
      active: 'sí',
      stock: '12.345',
      track_stock: 'yes',
    });
    expect(patch).toEqual({
      sku: 'FRU-001',
      name: 'Manzana Golden',
      price: 249,
      taxRate: 400,
      barcodes: ['4006381333931', 'FRU001'],
      unit: 'kg',
      category: 'Fruta',
      active: true,
      stock: 12345,
      trackStock: true,
    });
  });

  it('lists every problem of a row, each with its field, in column order', () => {
    const problems = problemsOf({
      sku: '',
      name: '',
      price: 'abc',
      tax_rate: '150',
      barcodes: '123456789',
      unit: 'box',
      category: 'C'.repeat(101),
      active: '?',
      stock: 'x',
      track_stock: '?',
    });
    expect(problems.map((p) => p.field)).toEqual([
      'sku',
      'name',
      'price',
      'tax_rate',
      'barcodes',
      'unit',
      'category',
      'active',
      'track_stock',
      'stock',
    ]);
  });

  const gtin13 = fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 })
    .map((d) => d.join(''))
    .map((body) => body + String(gs1CheckDigit(body)));

  it('property: formatted product values parse back to the same patch', () => {
    const arb = fc.record({
      sku: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,30}[A-Za-z0-9]$/),
      name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && s.length <= 190 && !FORBIDDEN.test(s)),
      price: fc.integer({ min: 0, max: 10_000_000_00 }),
      exponent: fc.constantFrom(0, 2, 3),
      decimalComma: fc.boolean(),
      taxRate: fc.integer({ min: 0, max: 10_000 }),
      barcodes: fc.uniqueArray(gtin13, { maxLength: 3 }),
      unit: fc.constantFrom('each', 'kg') as fc.Arbitrary<'each' | 'kg'>,
      stockUnits: fc.integer({ min: -1_000_000, max: 1_000_000 }),
      active: fc.boolean(),
      trackStock: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (p) => {
        const stock = p.unit === 'each' ? p.stockUnits * 1000 : p.stockUnits;
        const comma = (s: string): string => (p.decimalComma ? s.replace('.', ',') : s);
        const cells: Cells = {
          sku: p.sku,
          name: ` ${p.name} `,
          price: comma(formatDecimal(p.price, p.exponent)),
          tax_rate: comma(formatRate(p.taxRate)) + '%',
          barcodes: p.barcodes.join('|'),
          unit: p.unit,
          category: '',
          active: p.active ? 'yes' : 'no',
          stock: comma(formatQuantity(stock)),
          track_stock: p.trackStock ? 'true' : 'false',
        };
        const patch = patchOf(cells, { exponent: p.exponent, decimalComma: p.decimalComma });
        expect(patch).toEqual({
          sku: p.sku,
          name: p.name.normalize('NFC').replace(/\s+/g, ' ').trim(),
          price: p.price,
          taxRate: p.taxRate,
          barcodes: p.barcodes,
          unit: p.unit,
          category: null,
          active: p.active,
          stock,
          trackStock: p.trackStock,
        });
      }),
      { numRuns: 1000 },
    );
  });
});
