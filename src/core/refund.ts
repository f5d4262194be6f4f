import { fail, ok, type Result } from './errors.js';
import { mulDiv, type RoundingMode } from './money.js';

/**
 * Refunds against a receipt, exact to the cent over any number of partial refunds.
 *
 * Amounts are cumulative: after a refund, the amount refunded of a line is
 * round(line amount × quantity refunded so far / quantity sold), so a line refunded in pieces
 * returns exactly its amount (what the customer paid for it, cart discount share included).
 * Taxes likewise: after a refund, the tax refunded at a rate is
 * round(original tax × amount refunded so far at that rate / original amount at that rate),
 * so refunding everything returns exactly the original tax per rate.
 */

export interface SoldLine {
  line: number;
  /** Milli-units sold. */
  qty: number;
  /** Final amount of the line (after line and cart discounts). */
  amount: number;
  taxRate: number;
}

export interface SoldTax {
  rate: number;
  base: number;
  tax: number;
}

/** What earlier refunds of the same receipt took. */
export interface Refunded {
  /** line → quantity and amount refunded so far */
  lines: ReadonlyMap<number, { qty: number; amount: number }>;
  /** rate → tax refunded so far */
  taxes: ReadonlyMap<number, number>;
}

export interface RefundRequestLine {
  line: number;
  qty: number;
}

export interface RefundPlan {
  lines: { line: number; qty: number; amount: number; taxRate: number }[];
  taxes: { rate: number; base: number; tax: number }[];
  /** What goes back to the customer (amounts, plus taxes when prices exclude tax). */
  total: number;
}

const MODE: RoundingMode = 'half-away-from-zero';

/**
 * Plans a refund. Problems: `refund.no_lines`, `refund.line_unknown` {line},
 * `refund.line_repeated` {line}, `refund.bad_quantity` {line},
 * `refund.over_quantity` {line, remaining} (milli-units), `refund.whole_units` is the caller's.
 */
export function planRefund(
  sold: readonly SoldLine[],
  soldTaxes: readonly SoldTax[],
  before: Refunded,
  request: readonly RefundRequestLine[],
  pricesIncludeTax: boolean,
): Result<RefundPlan> {
  if (request.length === 0) return fail('refund.no_lines');
  const byLine = new Map(sold.map((l) => [l.line, l]));
  const seen = new Set<number>();
  const lines: RefundPlan['lines'] = [];
  const after = new Map<number, number>(); // line → amount refunded after this refund
  for (const r of request) {
    const s = byLine.get(r.line);
    if (!s) return fail('refund.line_unknown', { line: r.line });
    if (seen.has(r.line)) return fail('refund.line_repeated', { line: r.line });
    seen.add(r.line);
    if (!Number.isSafeInteger(r.qty) || r.qty <= 0) return fail('refund.bad_quantity', { line: r.line });
    const prev = before.lines.get(r.line) ?? { qty: 0, amount: 0 };
    const remaining = s.qty - prev.qty;
    if (r.qty > remaining) return fail('refund.over_quantity', { line: r.line, remaining });
    const cumQty = prev.qty + r.qty;
    const cumAmount = cumQty === s.qty ? s.amount : mulDiv(s.amount, cumQty, s.qty, MODE);
    lines.push({ line: r.line, qty: r.qty, amount: cumAmount - prev.amount, taxRate: s.taxRate });
    after.set(r.line, cumAmount);
  }
  // taxes per rate touched by this refund, cumulative against the original
  const rates = [...new Set(lines.map((l) => l.taxRate))].sort((a, b) => b - a);
  const taxes: RefundPlan['taxes'] = [];
  for (const rate of rates) {
    const original = soldTaxes.find((t) => t.rate === rate);
    const origAmount = sold.filter((l) => l.taxRate === rate).reduce((a, l) => a + l.amount, 0);
    const cumAmount = sold
      .filter((l) => l.taxRate === rate)
      .reduce((a, l) => a + (after.get(l.line) ?? before.lines.get(l.line)?.amount ?? 0), 0);
    const thisAmount = lines.filter((l) => l.taxRate === rate).reduce((a, l) => a + l.amount, 0);
    const origTax = original?.tax ?? 0;
    const cumTax = cumAmount === origAmount ? origTax : origAmount === 0 ? 0 : mulDiv(origTax, cumAmount, origAmount, MODE);
    const tax = cumTax - (before.taxes.get(rate) ?? 0);
    // with prices including tax the line amounts hold the tax; without, they are the base
    taxes.push({ rate, base: pricesIncludeTax ? thisAmount - tax : thisAmount, tax });
  }
  const amounts = lines.reduce((a, l) => a + l.amount, 0);
  const total = pricesIncludeTax ? amounts : amounts + taxes.reduce((a, t) => a + t.tax, 0);
  return ok({ lines, taxes, total });
}
