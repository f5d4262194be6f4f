import { fail, ok, type Result } from './errors.js';
import { parseDecimal } from './money.js';

/** One row of a cash count: a note or coin (its value in minor units) and how many of it. */
export interface CountLine {
  value: number;
  qty: number;
}

/**
 * The notes and coins of a currency in circulation, largest first, in minor units (EUR: 500 € …
 * 0,01 €). Unknown currencies have none: their count is an amount without a breakdown.
 */
const DENOMINATIONS: Readonly<Record<string, readonly number[]>> = {
  EUR: [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  USD: [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1],
  GBP: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  MXN: [100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50],
  CLP: [20000, 10000, 5000, 2000, 1000, 500, 100, 50, 10],
  COP: [100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50],
  ARS: [2000000, 1000000, 200000, 100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100],
  CHF: [100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5],
};

/** The notes and coins of `currency`, largest first (empty when tpv does not know them). */
export function denominations(currency: string): readonly number[] {
  return DENOMINATIONS[currency] ?? [];
}

/** The largest count of one note or coin (a typo like 5000 coins is refused, not summed). */
export const MAX_PIECES = 99_999;

/** value × qty summed; the caller's lines are already checked (safe integers). */
export function countTotal(lines: readonly CountLine[]): number {
  return lines.reduce((a, l) => a + l.value * l.qty, 0);
}

/** One line per value (repeated values added up), largest value first, rows of 0 left out. */
export function normalizeCount(lines: readonly CountLine[]): CountLine[] {
  const by = new Map<number, number>();
  for (const l of lines) by.set(l.value, (by.get(l.value) ?? 0) + l.qty);
  return [...by.entries()].filter(([, qty]) => qty > 0).map(([value, qty]) => ({ value, qty })).sort((a, b) => b.value - a.value);
}

/**
 * A cash count by denomination, typed as people type it: "50x2,20x3,0.50x4" or, where the decimal
 * separator is a comma, "50x2;0,50x4" or "0,50x4, 20x3" (value × how many). `x`, `X`, `*` or `×`
 * separate value and count; counts are whole numbers, so "20x3,0,50x4" reads as 20×3 and
 * 0,50×4. Parts are separated by `,`, `;`, `+` or spaces. Problems name the part that is wrong:
 * `cash.count_format` {part}, `cash.count_pieces` {part, max}, `decimal.too_large`.
 */
export function parseCountLines(text: string, exponent: number): Result<CountLine[]> {
  const s = text.trim();
  if (!s) return fail('cash.count_format', { part: text });
  const part = /([0-9]+(?:[.,][0-9]+)?)\s*[xX*×]\s*([0-9]+)/y;
  const sep = /\s*[,;+]\s*|\s+/y;
  const lines: CountLine[] = [];
  let i = 0;
  while (i < s.length) {
    part.lastIndex = i;
    const m = part.exec(s);
    if (!m) return fail('cash.count_format', { part: badPart(s, i) });
    const value = parseDecimal(m[1]!, exponent, { decimalComma: true });
    if (!value.ok || value.value <= 0) return fail('cash.count_format', { part: m[0].trim() });
    const qty = Number(m[2]);
    if (qty > MAX_PIECES) return fail('cash.count_pieces', { part: m[0].trim(), max: MAX_PIECES });
    lines.push({ value: value.value, qty });
    i = part.lastIndex;
    if (i >= s.length) break;
    sep.lastIndex = i;
    if (!sep.exec(s)) return fail('cash.count_format', { part: badPart(s, i) });
    i = sep.lastIndex;
  }
  if (lines.length === 0) return fail('cash.count_format', { part: text });
  if (!Number.isSafeInteger(countTotal(lines))) return fail('decimal.too_large');
  return ok(lines);
}

/** The text from `at` up to the next separator: the part a message names. */
function badPart(s: string, at: number): string {
  const rest = s.slice(at).replace(/^[\s,;+]+/, '');
  const m = /^[^\s;+]*/.exec(rest)![0];
  return m || rest || s;
}

/** A cash count by denomination (see {@link parseCountLines}) → the total in minor units. */
export function parseCount(text: string, exponent: number): Result<number> {
  const r = parseCountLines(text, exponent);
  return r.ok ? ok(countTotal(r.value)) : r;
}

/** What a signed cash difference (counted − expected) is: more than expected, less, or none. */
export type DifferenceKind = 'surplus' | 'shortage' | 'even';

export function differenceKind(difference: number): DifferenceKind {
  return difference > 0 ? 'surplus' : difference < 0 ? 'shortage' : 'even';
}
