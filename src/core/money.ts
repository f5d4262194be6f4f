import { type ErrorKind, fail, isMoney, ok, type Params, type Problem, type ProblemParams, type Result, TpvError } from './errors.js';

/**
 * Money is an integer number of minor units (cents); quantities are integer milli-units;
 * tax rates are integer basis points. Decimal text is parsed and printed here, and nowhere else.
 */

export const QTY_SCALE = 3; // milli-units
export const RATE_SCALE = 2; // basis points of a percent: 21% = 2100
export const ONE_QTY = 1000;

/** ISO 4217 minor-unit exponents that differ from 2, plus the codes we know to be 2. */
const EXPONENT_0 = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV',
  'XAF', 'XOF', 'XPF',
]);
const EXPONENT_3 = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const EXPONENT_4 = new Set(['CLF', 'UYW']);
const EXPONENT_2 = new Set([
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN',
  'BMD', 'BND', 'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CNY', 'COP',
  'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP',
  'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IRR',
  'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL',
  'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN',
  'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB',
  'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP',
  'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'UYU', 'UZS', 'VES',
  'WST', 'XCD', 'YER', 'ZAR', 'ZMW', 'ZWL',
]);

/** The exponent of an ISO 4217 currency code, or undefined for an unknown code. */
export function currencyExponent(code: string): number | undefined {
  if (EXPONENT_2.has(code)) return 2;
  if (EXPONENT_0.has(code)) return 0;
  if (EXPONENT_3.has(code)) return 3;
  if (EXPONENT_4.has(code)) return 4;
  return undefined;
}

export interface DecimalOptions {
  /** Accept `,` as the decimal separator as well as `.` (files whose delimiter is `;`). */
  decimalComma?: boolean;
  /** Accept a leading minus sign. */
  allowNegative?: boolean;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/**
 * Parses decimal text into an integer scaled by 10^scale ("12.34", 2 → 1234).
 * No thousands separators, no exponent, no more decimals than the scale.
 * Problems: `decimal.malformed`, `decimal.too_many_decimals` {max}, `decimal.negative`, `decimal.too_large`.
 */
export function parseDecimal(text: string, scale: number, opts: DecimalOptions = {}): Result<number> {
  const s = text.trim();
  let i = 0;
  let negative = false;
  if (s.charCodeAt(0) === 45 /* - */ || s.charCodeAt(0) === 43 /* + */) {
    negative = s.charCodeAt(0) === 45;
    i = 1;
  }
  let intPart = 0;
  let intDigits = 0;
  let frac = 0;
  let fracDigits = 0;
  let seenSep = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (seenSep) {
        fracDigits++;
        if (fracDigits > scale) {
          // trailing zeros beyond the scale are harmless: "1.500" at scale 2
          if (c !== 48) return fail('decimal.too_many_decimals', { max: scale });
          continue;
        }
        frac = frac * 10 + (c - 48);
      } else {
        intPart = intPart * 10 + (c - 48);
        intDigits++;
      }
    } else if ((c === 46 /* . */ || (c === 44 /* , */ && opts.decimalComma)) && !seenSep) {
      seenSep = true;
    } else {
      return fail('decimal.malformed');
    }
  }
  if (intDigits === 0 && (!seenSep || fracDigits === 0)) return fail('decimal.malformed');
  if (negative && !opts.allowNegative) return fail('decimal.negative');
  const usedFrac = Math.min(fracDigits, scale);
  const value = intPart * POW10[scale]! + frac * POW10[scale - usedFrac]!;
  // intPart stays exact while it is safe and lands at or past 2^53 once it is not, so this
  // check alone is exact (counting digits would refuse 16-digit safe values and leading zeros).
  if (!Number.isSafeInteger(value)) return fail('decimal.too_large');
  return ok(negative && value !== 0 ? -value : value);
}

/** Prints an integer scaled by 10^scale as decimal text with exactly `scale` decimals: 1234, 2 → "12.34". */
export function formatDecimal(value: number, scale: number): string {
  assertSafe(value);
  const neg = value < 0;
  const abs = neg ? -value : value;
  if (scale === 0) return (neg ? '-' : '') + String(abs);
  const p = POW10[scale]!;
  const int = Math.floor(abs / p);
  const frac = String(abs - int * p).padStart(scale, '0');
  return `${neg ? '-' : ''}${int}.${frac}`;
}

/** Like formatDecimal but without trailing zeros in the fraction: 1050, 2 → "10.5"; 2100, 2 → "21". */
export function formatDecimalTrim(value: number, scale: number): string {
  const s = formatDecimal(value, scale);
  if (scale === 0) return s;
  return s.replace(/\.?0+$/, '');
}

/** Percent text to basis points: "21" → 2100, "10.5" → 1050. */
export const parseRate = (text: string, opts: DecimalOptions = {}): Result<number> =>
  parseDecimal(text, RATE_SCALE, opts);

/** Basis points to percent text: 2100 → "21", 1050 → "10.5". */
export const formatRate = (bp: number): string => formatDecimalTrim(bp, RATE_SCALE);

/** Quantity text to milli-units: "0.750" → 750. */
export const parseQuantity = (text: string, opts: DecimalOptions = {}): Result<number> =>
  parseDecimal(text, QTY_SCALE, opts);

/** Milli-units to quantity text without trailing zeros: 750 → "0.75", 3000 → "3". */
export const formatQuantity = (milli: number): string => formatDecimalTrim(milli, QTY_SCALE);

export function assertSafe(n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer amount: ${n}`);
}

export type RoundingMode = 'half-away-from-zero' | 'half-even' | 'down' | 'up';

/**
 * The one rounding function for money: round(numerator / denominator) to an integer,
 * with the mode passed explicitly. Exact for any safe integers (falls back to BigInt).
 */
export function roundDiv(numerator: number, denominator: number, mode: RoundingMode): number {
  assertSafe(numerator);
  assertSafe(denominator);
  if (denominator === 0) throw new RangeError('division by zero');
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const neg = numerator < 0;
  const abs = neg ? -numerator : numerator;
  let q = Math.floor(abs / denominator);
  let r = abs - q * denominator;
  if (r < 0 || r >= denominator) {
    // float division was off by one for very large values: correct it
    q = Math.floor(abs / denominator);
    while (q * denominator > abs) q--;
    while ((q + 1) * denominator <= abs) q++;
    r = abs - q * denominator;
  }
  if (r !== 0) {
    const twice = r * 2;
    switch (mode) {
      case 'half-away-from-zero':
        if (twice >= denominator) q++;
        break;
      case 'half-even':
        if (twice > denominator || (twice === denominator && q % 2 === 1)) q++;
        break;
      case 'up':
        q++;
        break;
      case 'down':
        break;
    }
  }
  if (q === 0) return 0; // never -0 (e.g. -1/3 rounded down, or 0 / -5)
  return neg ? -q : q;
}

/** round(a × b / c) exactly, even when a × b exceeds 2^53 (BigInt path). */
export function mulDiv(a: number, b: number, c: number, mode: RoundingMode): number {
  assertSafe(a);
  assertSafe(b);
  assertSafe(c);
  const product = a * b;
  if (Number.isSafeInteger(product)) return roundDiv(product, c, mode);
  const A = BigInt(a) * BigInt(b);
  let C = BigInt(c);
  let N = A;
  if (C < 0n) {
    C = -C;
    N = -N;
  }
  const neg = N < 0n;
  const abs = neg ? -N : N;
  let q = abs / C;
  const r = abs - q * C;
  if (r !== 0n) {
    const twice = r * 2n;
    if (
      (mode === 'half-away-from-zero' && twice >= C) ||
      (mode === 'half-even' && (twice > C || (twice === C && q % 2n === 1n))) ||
      mode === 'up'
    )
      q++;
  }
  const out = Number(neg ? -q : q);
  assertSafe(out);
  return out;
}

/**
 * A problem's parameters as shown: each amount of money (marked by `money()`) through `show`, by
 * default decimal text with `exponent` digits (JSON and CLI messages; the terminal shows the currency).
 */
export function showParams(params: ProblemParams | undefined, exponent: number, show = (minor: number): string => formatDecimal(minor, exponent)): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = isMoney(v) ? show(v.minor) : v;
  return out;
}

/** The error of a problem, its amounts shown with `exponent` digits; `extra` adds parameters (the field…). */
export function problemError(kind: ErrorKind, problem: Problem, exponent: number, extra: Params = {}): TpvError {
  return new TpvError(kind, problem.code, { ...showParams(problem.params, exponent), ...extra });
}
