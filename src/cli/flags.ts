/** Values typed on the command line, checked naming the flag: amounts, dates, repeated flags. */
import type { App } from '../app/context.js';
import type { RefundInput } from '../app/refunds.js';
import { TpvError } from '../core/errors.js';
import { parseDecimal, problemError } from '../core/money.js';

/** An amount typed on the command line, in the store currency ("100", "100.50", "100,50"). */
export function parseAmount(app: App, text: string, flag: string): number {
  const r = parseDecimal(text, app.profile.exponent, { decimalComma: true });
  if (!r.ok) throw problemError('invalid', r.problem, app.profile.exponent, { field: flag });
  return r.value;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A date flag (`--from 2026-11-01`): a calendar day, or usage error naming the flag. */
export function dateFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DATE.test(value) || Number.isNaN(Date.parse(value))) throw new TpvError('usage', 'report.date', { flag, value });
  return value;
}

/** How many rows or items a `--limit` or a `--count` may ask for. */
export const MAX_LIMIT = 1_000_000;

/**
 * A whole-number flag (`--limit 50`) from `min` to `max`: digits only (not "1e20", "0x10", "5.0"),
 * else invalid input (exit 3) naming the flag and the range.
 */
export function intFlag(value: string, flag: string, min: number, max: number): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new TpvError('invalid', 'cli.integer', { flag, value, min, max });
  return n;
}

/** commander's collector for a flag that may repeat (`--barcode A --barcode B`). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The flags of `tpv refund` and `tpv exchange`. */
export interface RefundFlags {
  file?: string;
  all?: boolean;
  method?: string;
  restock: boolean;
  reason?: string;
  withoutReceipt?: boolean;
  customer?: string;
  restoreCredit: boolean;
}

/** Flags override the request's fields. */
export function refundFlags(input: RefundInput, o: RefundFlags): RefundInput {
  return {
    ...input,
    ...(o.method ? { method: o.method } : {}),
    ...(o.customer ? { customer: o.customer } : {}),
    ...(o.restock ? {} : { restock: false }),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.restoreCredit ? {} : { restore_credit: false }),
  };
}
