import { fail, ok, type Result } from './errors.js';

/**
 * Barcodes: GS1 check digits (EAN-13, EAN-8, UPC-A, GTIN-14), internal codes, and GS1
 * variable-measure (restricted circulation, prefixes 20–29) codes with an embedded price or weight.
 */

const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

/** GS1 mod-10 check digit of the digits `body` (the code without its check digit). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  let weight3 = true; // the rightmost digit of the body has weight 3
  for (let i = body.length - 1; i >= 0; i--) {
    const d = body.charCodeAt(i) - 48;
    sum += weight3 ? d * 3 : d;
    weight3 = !weight3;
  }
  return (10 - (sum % 10)) % 10;
}

export const GTIN_LENGTHS: Record<number, string> = { 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13', 14: 'GTIN-14' };

/**
 * Validates a barcode as entered in the catalog.
 * - 8, 12, 13, 14 digits: a GTIN; the check digit must be right.
 * - 1–7 digits: an internal code (a scale PLU, a shelf code).
 * - 9–11 or more than 14 digits: refused (most likely a GTIN with a digit missing or extra).
 * - letters, digits and `-._/`, up to 32 characters: an internal code (Code 128 / Code 39 labels).
 * Problems: `barcode.empty`, `barcode.check_digit` {symbology, expected}, `barcode.length` {length},
 * `barcode.characters`.
 */
export function validateBarcode(code: string): Result<string> {
  if (code.length === 0) return fail('barcode.empty');
  if (isDigits(code)) {
    const symbology = GTIN_LENGTHS[code.length];
    if (symbology) {
      const expected = gs1CheckDigit(code.slice(0, -1));
      if (expected !== code.charCodeAt(code.length - 1) - 48) {
        return fail('barcode.check_digit', { symbology, expected });
      }
      return ok(code);
    }
    if (code.length <= 7) return ok(code);
    return fail('barcode.length', { length: code.length });
  }
  if (code.length > 32 || !/^[A-Za-z0-9._/-]+$/.test(code)) return fail('barcode.characters');
  return ok(code);
}

/**
 * The other spellings a scanner may send for the same GTIN: a UPC-A (12) read as EAN-13
 * with a leading 0, and the reverse.
 */
export function gtinAlternates(code: string): string[] {
  if (!isDigits(code)) return [];
  if (code.length === 12) return ['0' + code];
  if (code.length === 13 && code.startsWith('0')) return [code.slice(1)];
  return [];
}

// ---- GS1 variable-measure codes -------------------------------------------------------------

export interface VariableMeasureLayout {
  /** Two-digit prefixes (20–29) whose codes carry a price. */
  pricePrefixes: string[];
  /** Two-digit prefixes (20–29) whose codes carry a weight (in grams = milli-kg). */
  weightPrefixes: string[];
  /** Digits of the item code after the prefix: 4, 5 or 6. */
  itemDigits: number;
  /** Whether a price/weight check digit stands between the item code and the value. */
  priceCheckDigit: boolean;
}

export const DEFAULT_VARIABLE_MEASURE_LAYOUT: VariableMeasureLayout = {
  pricePrefixes: ['20', '21', '22', '23', '24'],
  weightPrefixes: ['25', '26', '27', '28', '29'],
  itemDigits: 5,
  priceCheckDigit: false,
};

export interface VariableMeasure {
  /** The code under which the item is registered in the catalog: the value digits zeroed. */
  baseCode: string;
  itemCode: string;
  measure: 'price' | 'weight';
  /** Minor units of the currency for a price; milli-units (grams) for a weight. */
  value: number;
}

/** The number of value digits of a layout: 13 = 2 prefix + item + [pcd] + value + check. */
export const valueDigits = (layout: VariableMeasureLayout): number =>
  13 - 2 - layout.itemDigits - (layout.priceCheckDigit ? 1 : 0) - 1;

// Weighting tables of the GS1 price/weight check digit (General Specifications 7.9.3).
const W2MINUS = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const W3 = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7]; // units digit of d × 3
const W5PLUS = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const W5MINUS = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

/** GS1 check digit of a 4- or 5-digit price or weight field. */
export function priceCheckDigit(value: string): number {
  const d = (i: number): number => value.charCodeAt(i) - 48;
  if (value.length === 4) {
    const sum = W2MINUS[d(0)]! + W2MINUS[d(1)]! + W3[d(2)]! + W5MINUS[d(3)]!;
    return (sum * 3) % 10;
  }
  if (value.length === 5) {
    const sum = W5PLUS[d(0)]! + W2MINUS[d(1)]! + W5MINUS[d(2)]! + W5PLUS[d(3)]! + W2MINUS[d(4)]!;
    const target = (10 - (sum % 10)) % 10; // the 5- weighted result that makes the sum a multiple of 10
    return W5MINUS.indexOf(target);
  }
  throw new RangeError('a price check digit covers 4 or 5 digits');
}

/** Whether a layout is usable: prefixes 20–29, not both price and weight, value of 4–6 digits. */
export function checkLayout(layout: VariableMeasureLayout): Result<VariableMeasureLayout> {
  const all = [...layout.pricePrefixes, ...layout.weightPrefixes];
  for (const p of all) if (!/^2[0-9]$/.test(p)) return fail('barcode.layout_prefix', { prefix: p });
  if (new Set(all).size !== all.length) return fail('barcode.layout_overlap');
  if (![4, 5, 6].includes(layout.itemDigits)) return fail('barcode.layout_item_digits');
  const v = valueDigits(layout);
  if (layout.priceCheckDigit && v !== 4 && v !== 5) return fail('barcode.layout_price_check');
  return ok(layout);
}

/**
 * Reads a scanned EAN-13 as a variable-measure code under `layout`. Returns null when the code
 * is not one (other prefix, other length); a problem when it is one but damaged.
 */
export function parseVariableMeasure(
  code: string,
  layout: VariableMeasureLayout,
): Result<VariableMeasure> | null {
  if (code.length !== 13 || !isDigits(code)) return null;
  const prefix = code.slice(0, 2);
  const measure = layout.pricePrefixes.includes(prefix)
    ? 'price'
    : layout.weightPrefixes.includes(prefix)
      ? 'weight'
      : null;
  if (!measure) return null;
  if (gs1CheckDigit(code.slice(0, 12)) !== code.charCodeAt(12) - 48) {
    return fail('barcode.check_digit', { symbology: 'EAN-13', expected: gs1CheckDigit(code.slice(0, 12)) });
  }
  const itemEnd = 2 + layout.itemDigits;
  const valueStart = itemEnd + (layout.priceCheckDigit ? 1 : 0);
  const valueText = code.slice(valueStart, 12);
  if (layout.priceCheckDigit) {
    const expected = priceCheckDigit(valueText);
    if (expected !== code.charCodeAt(itemEnd) - 48) return fail('barcode.price_check_digit', { expected });
  }
  const baseBody = code.slice(0, itemEnd) + '0'.repeat(12 - itemEnd);
  return ok({
    baseCode: baseBody + String(gs1CheckDigit(baseBody)),
    itemCode: code.slice(2, itemEnd),
    measure,
    value: Number(valueText),
  });
}

/** Builds a variable-measure EAN-13 (for labels, tests and simulators). */
export function buildVariableMeasure(
  prefix: string,
  itemCode: string,
  value: number,
  layout: VariableMeasureLayout,
): string {
  const digits = valueDigits(layout);
  const valueText = String(value).padStart(digits, '0');
  if (
    !Number.isSafeInteger(value) ||
    value < 0 ||
    valueText.length !== digits ||
    itemCode.length !== layout.itemDigits ||
    !/^2[0-9]$/.test(prefix) ||
    !isDigits(itemCode)
  ) {
    throw new RangeError('value or item code does not fit the layout');
  }
  const pcd = layout.priceCheckDigit ? String(priceCheckDigit(valueText)) : '';
  const body = prefix + itemCode + pcd + valueText;
  return body + String(gs1CheckDigit(body));
}
