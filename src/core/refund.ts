import { fail, ok, type Result } from './errors.js';
import { mulDiv, type RoundingMode } from './money.js';
import { DEFAULT_ROUNDING, taxSummary } from './tax.js';

/**
 * Refunds against a receipt, exact to the cent over any number of partial refunds.
 *
 * Amounts are cumulative: after a refund, the amount refunded of a line is
 * round(line amount × quantity refunded so far / quantity sold), so a line refunded in pieces
 * returns exactly its amount (what the customer paid for it, cart discount share included).
 *
 * Taxes follow the one tax rule of every document ({@link taxSummary}), applied cumulatively: the
 * tax refunded at a rate after a refund is the tax of the amount refunded so far at that rate, and
 * a refund carries that minus what earlier refunds carried (once the rate is refunded in full: the
 * receipt's own tax). So
 * - every refund's tax per rate is within 1 minor unit of its amount × rate (the exact value), so
 *   within 1 + rate minor units of base × rate — far inside the validators' tolerances (EN 16931
 *   BR-CO-17: less than 1.00 off round(base × rate); AEAT: ±10.00 EUR and the same sign);
 * - a receipt refunded in parts returns exactly its total and its tax per rate.
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
  mode: RoundingMode = DEFAULT_ROUNDING,
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
    const cumAmount = cumQty === s.qty ? s.amount : mulDiv(s.amount, cumQty, s.qty, mode);
    lines.push({ line: r.line, qty: r.qty, amount: cumAmount - prev.amount, taxRate: s.taxRate });
    after.set(r.line, cumAmount);
  }
  // per rate touched by this refund: the amount refunded so far (this refund included) and its tax
  const rates = [...new Set(lines.map((l) => l.taxRate))];
  const refundedAt = (rate: number): number =>
    sold.filter((l) => l.taxRate === rate).reduce((a, l) => a + (after.get(l.line) ?? before.lines.get(l.line)?.amount ?? 0), 0);
  const soldAt = (rate: number): number => sold.filter((l) => l.taxRate === rate).reduce((a, l) => a + l.amount, 0);
  const cumulative = taxSummary(rates.map((rate) => ({ rate, amount: refundedAt(rate) })), pricesIncludeTax, mode);
  const taxes: RefundPlan['taxes'] = cumulative.map((c) => {
    const full = refundedAt(c.rate) === soldAt(c.rate);
    const cumTax = full ? (soldTaxes.find((t) => t.rate === c.rate)?.tax ?? 0) : c.tax;
    const tax = cumTax - (before.taxes.get(c.rate) ?? 0);
    const amount = lines.filter((l) => l.taxRate === c.rate).reduce((a, l) => a + l.amount, 0);
    // with prices including tax the line amounts hold the tax; without, they are the base
    return { rate: c.rate, base: pricesIncludeTax ? amount - tax : amount, tax };
  });
  const amounts = lines.reduce((a, l) => a + l.amount, 0);
  const total = pricesIncludeTax ? amounts : amounts + taxes.reduce((a, t) => a + t.tax, 0);
  return ok({ lines, taxes, total });
}
