import { validateBarcode } from './barcode.js';
import type { Problem } from './errors.js';
import { parseDecimal, parseQuantity, parseRate, QTY_SCALE } from './money.js';
import { cleanText, type TextKind } from './text.js';

/** Product fields as the catalog knows them (amounts already in integer units). */
export type Unit = 'each' | 'kg';
export const UNITS: readonly Unit[] = ['each', 'kg'];

/** The canonical import/export columns, in order. */
export const PRODUCT_FIELDS = [
  'sku',
  'name',
  'price',
  'tax_rate',
  'barcodes',
  'unit',
  'category',
  'active',
  'stock',
  'track_stock',
] as const;
export type ProductField = (typeof PRODUCT_FIELDS)[number];

/** A validated row: only the fields present in the input are set (an update touches only those). */
export interface ProductPatch {
  sku: string;
  name?: string;
  price?: number; // minor units
  taxRate?: number; // basis points
  barcodes?: string[];
  unit?: Unit;
  category?: string | null;
  active?: boolean;
  stock?: number; // milli-units on hand (absolute)
  trackStock?: boolean;
}

export interface FieldProblem extends Problem {
  field: ProductField;
}

export interface ParseOptions {
  /** Exponent of the store currency. */
  exponent: number;
  /** Accept decimal commas (files delimited by `;`). */
  decimalComma: boolean;
}


const UNIT_ALIASES: Record<string, Unit> = {
  each: 'each', unit: 'each', units: 'each', u: 'each', ud: 'each', uds: 'each', un: 'each',
  pc: 'each', pcs: 'each', ea: 'each', kg: 'kg', kilo: 'kg', kilogram: 'kg', kilogramo: 'kg',
};

const TRUE = new Set(['1', 'true', 'yes', 'y', 'si', 'sí', 's', 'x', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'off']);

export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return undefined;
}

export function parseUnit(text: string): Unit | undefined {
  const t = text.trim().toLowerCase();
  // own keys only: "constructor" or "__proto__" must not resolve to Object.prototype members
  return Object.hasOwn(UNIT_ALIASES, t) ? UNIT_ALIASES[t] : undefined;
}

/** The barcodes of a cell: separated by `|`, blanks dropped. */
export const splitBarcodes = (text: string): string[] =>
  text
    .split('|')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);

/**
 * Validates one input row (text cells keyed by canonical field; a missing key = column absent)
 * into a patch, or lists every problem with its field.
 */
export function parseProductRow(
  cells: Partial<Record<ProductField, string>>,
  opts: ParseOptions,
): { patch: ProductPatch; problems: [] } | { patch: null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (field: ProductField, p: Problem): void => {
    problems.push({ field, ...p });
  };
  /** Text as stored (core/text.ts: NFC, bounded, no control characters), or null after a problem. */
  const text = (field: ProductField, raw: string, kind: TextKind): string | null => {
    const r = cleanText(raw, kind);
    if (r.ok) return r.value;
    bad(field, r.problem);
    return null;
  };
  const sku = text('sku', cells.sku ?? '', 'code');
  if (sku === '') bad('sku', { code: 'product.sku_empty' });
  const patch: ProductPatch = { sku: sku ?? '' };

  if (cells.name !== undefined) {
    // line breaks and tabs inside a quoted cell become plain spaces
    const name = text('name', cells.name, 'productName');
    if (name === '') bad('name', { code: 'product.name_empty' });
    else if (name !== null) patch.name = name;
  }
  if (cells.price !== undefined) {
    const r = parseDecimal(cells.price, opts.exponent, { decimalComma: opts.decimalComma });
    if (!r.ok) bad('price', r.problem.code === 'decimal.malformed' && cells.price.trim() === ''
      ? { code: 'product.price_empty' }
      : r.problem);
    else patch.price = r.value;
  }
  if (cells.tax_rate !== undefined) {
    const text = cells.tax_rate.trim().replace(/%$/, '');
    const r = parseRate(text, { decimalComma: opts.decimalComma });
    if (!r.ok) bad('tax_rate', text === '' ? { code: 'product.tax_rate_empty' } : r.problem);
    else if (r.value > 10000) bad('tax_rate', { code: 'product.tax_rate_range' });
    else patch.taxRate = r.value;
  }
  if (cells.barcodes !== undefined) {
    const codes = splitBarcodes(cells.barcodes);
    const seen = new Set<string>();
    for (const code of codes) {
      const r = validateBarcode(code);
      if (!r.ok) bad('barcodes', { code: r.problem.code, params: { ...r.problem.params, barcode: code } });
      else if (seen.has(code)) bad('barcodes', { code: 'product.barcode_repeated', params: { barcode: code } });
      seen.add(code);
    }
    patch.barcodes = codes;
  }
  if (cells.unit !== undefined) {
    const t = cells.unit.trim();
    const unit = t === '' ? 'each' : parseUnit(t);
    if (!unit) bad('unit', { code: 'product.unit_unknown', params: { unit: t } });
    else patch.unit = unit;
  }
  if (cells.category !== undefined) {
    // like the name: line breaks and tabs become spaces, other control characters are refused
    const c = text('category', cells.category, 'category');
    if (c !== null) patch.category = c === '' ? null : c;
  }
  if (cells.active !== undefined) {
    const t = cells.active.trim();
    const b = t === '' ? true : parseBoolean(t);
    if (b === undefined) bad('active', { code: 'product.boolean', params: { value: t } });
    else patch.active = b;
  }
  if (cells.track_stock !== undefined) {
    const t = cells.track_stock.trim();
    const b = t === '' ? true : parseBoolean(t);
    if (b === undefined) bad('track_stock', { code: 'product.boolean', params: { value: t } });
    else patch.trackStock = b;
  }
  if (cells.stock !== undefined && cells.stock.trim() !== '') {
    const r = parseQuantity(cells.stock, { decimalComma: opts.decimalComma, allowNegative: true });
    if (!r.ok) bad('stock', r.problem);
    else if ((patch.unit ?? 'each') === 'each' && cells.unit !== undefined && r.value % 10 ** QTY_SCALE !== 0)
      bad('stock', { code: 'product.stock_fraction' });
    else patch.stock = r.value;
  }
  return problems.length ? { patch: null, problems } : { patch, problems: [] };
}

/** Folds text for search: lower case, accents removed ("Café" → "cafe"). */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}
