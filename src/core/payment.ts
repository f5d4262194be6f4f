import { fail, money, ok, type Result } from './errors.js';
import { assertSafe, roundDiv, type RoundingMode } from './money.js';
import { DEFAULT_ROUNDING } from './tax.js';

/**
 * Settling a sale's total with one or more payments. Amounts are integer minor units.
 * Cash rounding (e.g. to 0.05) is a payment-side adjustment recorded with the sale, never a
 * change of prices or taxes (DESIGN §2), and it applies only to the part paid in cash.
 */

/** The one cash method. Every other method (card, voucher, transfer, store credit…) is non-cash. */
export const CASH = 'cash';

/** A payment as entered, or as recorded. */
export interface Tender {
  method: string;
  amount: number;
  /** Authorisation code, voucher number… (non-cash). */
  reference?: string;
}

export interface SettleOptions {
  /** Cash is rounded to a multiple of this (minor units): 1 = no rounding, 5 = 0.05. */
  cashIncrement: number;
  /** Default half away from zero (nearest, ties away from zero). */
  mode?: RoundingMode;
}

export interface Settlement {
  /**
   * What is recorded: the non-cash payments as entered (in order), then one cash payment at the
   * rounded cash due (not the tendered amount), omitted when that is 0.
   * Σ amounts = total + rounding.
   */
  payments: Tender[];
  /** Cash handed over (Σ of the cash tenders). */
  tendered: number;
  /** Cash given back: tendered − cashDue (≥ 0). */
  change: number;
  /** Signed: rounded cash due − cash due (0 without cash). */
  rounding: number;
  /** The cash due after rounding (= the recorded cash payment). */
  cashDue: number;
}

function assertIncrement(increment: number): void {
  if (!Number.isSafeInteger(increment) || increment <= 0) throw new RangeError(`not a cash increment: ${increment}`);
}

/**
 * Rounds a cash amount to a multiple of `increment` minor units (nearest; ties away from zero by
 * default): 16.52 at 0.05 → 16.50. Throws RangeError for an increment that is not a positive integer.
 */
export function roundCash(amount: number, increment: number, mode: RoundingMode = DEFAULT_ROUNDING): number {
  assertSafe(amount);
  assertIncrement(increment);
  return roundDiv(amount, increment, mode) * increment;
}

/**
 * Settles `total` with `payments`:
 * 1. non-cash payments are applied first; their sum may not exceed the total
 *    (`payment.noncash_over_total` {max}) — change is only ever given from cash;
 * 2. what is left is the cash due, rounded to `cashIncrement` — only when cash is tendered;
 * 3. the cash tendered must cover the rounded cash due (`payment.short` {missing}); without cash,
 *    the non-cash payments must cover the total exactly (`payment.short` {missing}).
 * Cash tendered when nothing (or nothing after rounding) is due is all given back as change.
 *
 * Problems, checked in this order: `payment.bad_method` {index} (blank method),
 * `payment.bad_amount` {index} (not a positive safe integer), `payment.noncash_over_total`,
 * `payment.short`. Throws RangeError for a negative/unsafe total or a bad increment.
 */
export function settle(total: number, payments: readonly Tender[], opts: SettleOptions): Result<Settlement> {
  assertSafe(total);
  if (total < 0) throw new RangeError(`negative total: ${total}`);
  assertIncrement(opts.cashIncrement);
  const mode = opts.mode ?? DEFAULT_ROUNDING;

  const nonCash: Tender[] = [];
  let nonCashSum = 0;
  let tendered = 0;
  let cashReference: string | undefined;
  for (const [index, p] of payments.entries()) {
    if (typeof p.method !== 'string' || p.method.trim() === '') return fail('payment.bad_method', { index });
    if (!Number.isSafeInteger(p.amount) || p.amount <= 0) return fail('payment.bad_amount', { index });
    if (p.method === CASH) {
      tendered += p.amount;
      if (cashReference === undefined && p.reference !== undefined) cashReference = p.reference;
    } else {
      nonCashSum += p.amount;
      nonCash.push(p.reference === undefined ? { method: p.method, amount: p.amount } : { method: p.method, amount: p.amount, reference: p.reference });
    }
    if (!Number.isSafeInteger(tendered) || !Number.isSafeInteger(nonCashSum)) return fail('payment.bad_amount', { index });
  }
  if (nonCashSum > total) return fail('payment.noncash_over_total', { max: money(total) });

  const due = total - nonCashSum;
  if (tendered === 0) {
    if (due > 0) return fail('payment.short', { missing: money(due) });
    return ok({ payments: nonCash, tendered: 0, change: 0, rounding: 0, cashDue: 0 });
  }
  const cashDue = roundCash(due, opts.cashIncrement, mode);
  if (tendered < cashDue) return fail('payment.short', { missing: money(cashDue - tendered) });
  const recorded = nonCash.slice();
  if (cashDue > 0) {
    recorded.push(cashReference === undefined ? { method: CASH, amount: cashDue } : { method: CASH, amount: cashDue, reference: cashReference });
  }
  return ok({ payments: recorded, tendered, change: tendered - cashDue, rounding: cashDue - due, cashDue });
}
