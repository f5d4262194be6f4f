/**
 * The payloads of outbox events (src/sync/events.ts), built from what the register stored:
 * global identifiers in place of row ids, money, quantities and rates as decimal strings.
 */
import type { StoredDocument } from '../core/document.js';
import { isVoucherLine } from '../core/document.js';
import { currencyExponent, formatDecimal, formatQuantity, formatRate } from '../core/money.js';
import { readZBody, type ShiftFigures } from '../core/shift.js';
import { prepared } from '../db/connection.js';
import type { CreditMove, CustomerPayload, DocumentPayload, FiguresPayload } from '../sync/events.js';
import type { App } from './context.js';

/** Money in a payload: decimal text with the currency's digits. */
export const moneyText = (app: App, minor: number): string => formatDecimal(minor, app.profile.exponent);

const userCode = (app: App, id: number): string => prepared(app.db, 'SELECT code FROM users WHERE id = ?').pluck().get(id) as string;

/** The uid of a shift (row id → the shift's global name). */
export function shiftUid(app: App, id: number): string {
  return prepared(app.db, 'SELECT uid FROM shifts WHERE id = ?').pluck().get(id) as string;
}

export function customerPayload(app: App, id: number): CustomerPayload {
  return prepared(app.db, 'SELECT uid, name, tax_id, country, email, phone, address FROM customers WHERE id = ?').get(id) as CustomerPayload;
}

/** Shift figures as scripts and events show them, amounts as decimal strings (the shift itself aside). */
export function figuresDecimal(app: App, f: ShiftFigures): Omit<FiguresPayload, 'shift'> {
  const e = app.profile.exponent;
  const m = (n: number): string => formatDecimal(n, e);
  const mn = (n: number | null): string | null => (n === null ? null : m(n));
  return {
    register: f.register,
    opened_at: f.opened_at,
    closed_at: f.closed_at,
    receipts: { count: f.receipts.count, first: f.receipts.first, last: f.receipts.last, total: m(f.receipts.total), discounts: m(f.receipts.discounts) },
    refunds: { count: f.refunds.count, total: m(f.refunds.total) },
    tenders: f.tenders.map((x) => ({ method: x.method, sales: m(x.sales), refunds: m(x.refunds), net: m(x.net) })),
    taxes: f.taxes.map((x) => ({ rate: formatRate(x.rate), base: m(x.base), tax: m(x.tax) })),
    cash: {
      float: m(f.cash.float),
      sales: m(f.cash.sales),
      refunds: m(f.cash.refunds),
      in: m(f.cash.in),
      out: m(f.cash.out),
      rounding: m(f.cash.rounding),
      expected: m(f.cash.expected),
      counted: mn(f.cash.counted),
      difference: mn(f.cash.difference),
    },
  };
}

/** A movement of a credit code's ledger as events carry it; the code's terms ride with its issue. */
export function creditMovePayload(
  app: App,
  credit: { code: string; origin: 'grant' | 'refund' | 'voucher'; expires_at: string | null; customer: string | null },
  e: { kind: CreditMove['kind']; amount: number; at: string; ref?: string | null; reason?: string | null },
): CreditMove {
  return {
    code: credit.code,
    kind: e.kind,
    amount: moneyText(app, e.amount),
    at: e.at,
    ref: e.ref ?? null,
    ...(e.kind === 'issue' ? { origin: credit.origin, expires_at: credit.expires_at, customer: credit.customer } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
  };
}

const categories = new WeakMap<App['db'], Map<number, string | null>>();

/** Category names by id, remembered per connection (a category's name never changes; new ones are looked up). */
function categoryNames(app: App): (id: number) => string | null {
  let names = categories.get(app.db);
  if (!names) categories.set(app.db, (names = new Map()));
  const known = names;
  return (id) => {
    let name = known.get(id);
    if (name === undefined) {
      name = (prepared(app.db, 'SELECT name FROM categories WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
      known.set(id, name);
    }
    return name;
  };
}

/** A stored document whole, as its event carries it. */
export function documentPayload(app: App, d: StoredDocument): DocumentPayload {
  const e = currencyExponent(d.currency) ?? app.profile.exponent;
  const m = (n: number): string => formatDecimal(n, e);
  const category = categoryNames(app);
  const link = prepared(app.db, 'SELECT prev_hash AS prev, hash FROM journal WHERE document_id = ?').get(d.id) as { prev: string; hash: string };
  const shift = d.shiftId === null ? null : shiftUid(app, d.shiftId);
  return {
    type: d.type,
    number: d.number,
    register: d.register,
    seq: d.seq,
    created_at: d.createdAt,
    user: userCode(app, d.userId),
    shift,
    refers: d.refId === null ? null : (prepared(app.db, 'SELECT number FROM documents WHERE id = ?').pluck().get(d.refId) as string),
    customer: d.customerId === null ? null : customerPayload(app, d.customerId),
    external_id: d.externalId,
    prices_include_tax: d.pricesIncludeTax,
    currency: d.currency,
    subtotal: m(d.subtotal),
    discount: m(d.discount),
    total: m(d.total),
    tendered: m(d.tendered),
    change: m(d.change),
    rounding: m(d.rounding),
    approvals: d.approvals,
    note: d.note,
    lines: d.lines.map((l) => ({
      line: l.line,
      sku: l.sku,
      name: l.name,
      unit: l.unit,
      qty: formatQuantity(l.qty),
      unit_price: m(l.unitPrice),
      list_price: l.listPrice === null ? null : m(l.listPrice),
      gross: m(l.gross),
      line_discount: m(l.lineDiscount),
      cart_discount: m(l.cartDiscount),
      amount: m(l.amount),
      tax_rate: formatRate(l.taxRate),
      category: l.categoryId === null ? null : category(l.categoryId),
      goods: !isVoucherLine(l),
      note: l.note,
    })),
    taxes: d.taxes.map((t) => ({ rate: formatRate(t.rate), base: m(t.base), tax: m(t.tax) })),
    payments: d.payments.map((p) => ({ method: p.method, amount: m(p.amount), reference: p.reference })),
    figures: d.type === 'z_report' ? { shift: shift!, ...figuresDecimal(app, readZBody(d.body)) } : null,
    journal: link,
  };
}
