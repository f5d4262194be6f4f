/**
 * Selling: a sale (lines by code, discounts, payments) is priced by the core, then committed in
 * one immediate transaction — number, document, lines, taxes, payments, stock moves, journal
 * entry, outbox event — or not at all. Printing and the drawer come after commit (devices).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from '../core/canonical.js';
import { addLine, type Cart, checkCart, emptyCart, overridePrice, parseDiscount, priceCart, setCartDiscount, setLineDiscount, setNote } from '../core/cart.js';
import { formatCreditCode } from '../core/credit.js';
import { type Approval, type DocumentLine, isVoucherLine, type StoredDocument, VOUCHER_SKU } from '../core/document.js';
import { invalidField, TpvError } from '../core/errors.js';
import { currencyExponent, formatDecimal, formatQuantity, formatRate, parseDecimal, parseQuantity, problemError } from '../core/money.js';
import { documentNumberOf } from '../core/numbering.js';
import { settle } from '../core/payment.js';
import { type Action, approvalsNeeded, can } from '../core/permissions.js';
import { optionalText } from '../core/text.js';
import { catalog } from '../db/catalog.js';
import { prepared } from '../db/connection.js';
import { documentIdByNumber, loadDocument } from '../db/documents.js';
import { t } from '../i18n/index.js';
import { type Approver, authorize, type UserRow, userByCode, userById } from './auth.js';
import { type App, inTransaction } from './context.js';
import { issueCreditIn, linkCreditsIn, redeemIn } from './credit.js';
import { findCustomer } from './customers.js';
import { documentPayload } from './events.js';
import { issueDocument } from './issue.js';
import { appendEvent, creditMoves } from './outbox.js';
import { findProduct, lookupCode, type SellableItem, sellable } from './products.js';
import { requireOpenShift } from './shifts.js';

/** One sale as scripts send it (`tpv sale`, `tpv sales import`): decimal text, like the JSON. */
export interface SaleInput {
  /** Idempotency key: a sale with an id already sold is not sold again. */
  id?: string | undefined;
  /** Goods by `code`, or a gift voucher by `voucher` (its amount). */
  lines: {
    code?: string | undefined;
    voucher?: string | undefined;
    qty?: string | undefined;
    price?: string | undefined;
    discount?: string | undefined;
    note?: string | undefined;
  }[];
  discount?: string | null | undefined;
  payments: { method: string; amount: string; reference?: string | undefined; code?: string | undefined }[];
  customer?: string | null | undefined;
  note?: string | undefined;
}

interface LineInfo {
  productId: number;
  categoryId: number | null;
  trackStock: boolean;
}

export interface BuiltSale {
  cart: Cart;
  /** The customer attached to the sale (`"customer"`: a tax id or a customer id). */
  customerId: number | null;
  info: Map<number, LineInfo>;
  approvals: Approval[];
  payments: { method: string; amount: number; reference?: string }[];
  /** Gift vouchers sold (amounts): outside the cart, untaxed — tax is due on what they later buy. */
  vouchers: number[];
}

/**
 * Turns a sale request into a cart and payments, checking every field, then the approvals the cart
 * needs (core/permissions.ts `approvalsNeeded`: the same rule the terminal and the commit use).
 * An exchange passes `paymentsOptional`: the returned goods may pay for all of it.
 */
export function buildSale(app: App, input: SaleInput, actor: UserRow, approver?: Approver, paymentsOptional = false): BuiltSale {
  const { exponent, pricesIncludeTax } = app.profile;
  if (!Array.isArray(input.lines) || input.lines.length === 0) throw invalidField('lines', 'sale.no_lines');
  let cart = emptyCart();
  const info = new Map<number, LineInfo>();
  const vouchers: number[] = [];
  /** What the approval of a line records: its sku and the price change or the discount as typed. */
  const details = new Map<string, string>();
  /** Scale labels sold in another quantity than printed on them: each a price change a supervisor approves. */
  const labelEdits: string[] = [];
  input.lines.forEach((l, i) => {
    const field = `lines[${i}]`;
    if (l.voucher !== undefined && l.voucher !== null) {
      const a = parseDecimal(String(l.voucher), exponent);
      if (!a.ok) throw problemError('invalid', a.problem, exponent, { field: `${field}.voucher` });
      if (a.value <= 0) throw invalidField(`${field}.voucher`, 'credit.bad_amount');
      for (const k of ['code', 'qty', 'price', 'discount'] as const) if (l[k] !== undefined) throw invalidField(`${field}.${k}`, 'sale.voucher_alone');
      vouchers.push(a.value);
      return;
    }
    if (typeof l.code !== 'string' || !l.code.trim()) throw invalidField(`${field}.code`, 'sale.code_missing');
    const found = findProduct(app, l.code);
    const row = found.row;
    if (!row.active) throw new TpvError('conflict', 'sale.product_inactive', { code: l.code, sku: row.sku, field: `${field}.code` });
    const item = sellable(found);
    if (l.qty !== undefined) {
      const q = parseQuantity(String(l.qty));
      if (!q.ok) throw problemError('invalid', q.problem, exponent, { field: `${field}.qty` });
      const edit = labelEdit(item, q.value);
      if (edit) labelEdits.push(edit);
      item.qty = q.value;
    }
    const unitPrice = item.unitPrice;
    const added = addLine(cart, item);
    if (!added.ok) throw problemError('invalid', added.problem, exponent, { sku: row.sku, field: `${field}.qty` });
    cart = added.value;
    const line = cart.lines[cart.lines.length - 1]!;
    info.set(line.id, { productId: row.id, categoryId: row.category_id, trackStock: row.track_stock === 1 });
    if (l.price !== undefined) {
      const p = parseDecimal(String(l.price), exponent);
      if (!p.ok) throw problemError('invalid', p.problem, exponent, { field: `${field}.price` });
      if (p.value !== unitPrice) {
        details.set(`price_override/${line.id}`, `${row.sku}: ${formatDecimal(unitPrice, exponent)} → ${formatDecimal(p.value, exponent)}`);
        const o = overridePrice(cart, line.id, p.value);
        if (!o.ok) throw problemError('invalid', o.problem, exponent, { field: `${field}.price` });
        cart = o.value;
      }
    }
    if (l.discount !== undefined && l.discount !== null && String(l.discount).trim() !== '') {
      const d = parseDiscount(String(l.discount), exponent);
      if (!d.ok) throw problemError('invalid', d.problem, exponent, { field: `${field}.discount` });
      details.set(`discount_over_limit/${line.id}`, `${row.sku}: ${String(l.discount)}`);
      const r = setLineDiscount(cart, line.id, d.value);
      if (!r.ok) throw problemError('invalid', r.problem, exponent, { field: `${field}.discount` });
      cart = r.value;
    }
    if (l.note) {
      const r = setNote(cart, line.id, String(l.note));
      if (!r.ok) throw problemError('invalid', r.problem, exponent, { field: `${field}.note` });
      cart = r.value;
    }
  });
  if (input.discount !== undefined && input.discount !== null && String(input.discount).trim() !== '') {
    const d = parseDiscount(String(input.discount), exponent);
    if (!d.ok) throw problemError('invalid', d.problem, exponent, { field: 'discount' });
    details.set('discount_over_limit/cart', `cart: ${String(input.discount)}`);
    const r = setCartDiscount(cart, d.value);
    if (!r.ok) throw problemError('invalid', r.problem, exponent, { field: 'discount' });
    cart = r.value;
  }
  if (input.note) {
    const r = setNote(cart, null, String(input.note));
    if (!r.ok) throw problemError('invalid', r.problem, exponent, { field: 'note' });
    cart = r.value;
  }
  const given = input.payments ?? [];
  if (!Array.isArray(given) || (given.length === 0 && !paymentsOptional)) throw invalidField('payments', 'sale.no_payments');
  const accepted = app.profile.tenders;
  const payments = given.map((p, i) => {
    const field = `payments[${i}]`;
    if (typeof p.method !== 'string' || !accepted.includes(p.method)) {
      throw invalidField(`${field}.method`, 'sale.tender_unknown', { method: String(p.method), tenders: accepted.join(', ') });
    }
    const a = parseDecimal(String(p.amount ?? ''), exponent);
    if (!a.ok) throw problemError('invalid', a.problem, exponent, { field: `${field}.amount` });
    if (p.method === 'store_credit') {
      if (vouchers.length > 0) throw invalidField(`${field}.method`, 'sale.voucher_with_credit');
      // the code is checked, and its balance taken, inside the sale's transaction
      if (!p.code) throw invalidField(`${field}.code`, 'sale.credit_code_missing');
      return { method: p.method, amount: a.value, reference: String(p.code) };
    }
    const reference = optionalText(p.reference === undefined ? null : String(p.reference), 'code', `${field}.reference`);
    return { method: p.method, amount: a.value, ...(reference ? { reference } : {}) };
  });
  const customerId = input.customer ? findCustomer(app, String(input.customer)).id : null;
  const approvals: Approval[] = [];
  for (const need of approvalsNeeded(cart, app.profile.discountLimit, pricesIncludeTax)) {
    const a = authorize(app, actor, need.action, approver, details.get(`${need.action}/${need.lineId ?? 'cart'}`));
    if (a) approvals.push(a);
  }
  for (const detail of labelEdits) {
    const a = authorize(app, actor, 'price_override', approver, detail);
    if (a) approvals.push(a);
  }
  return { cart, info, approvals, payments, customerId, vouchers };
}

/**
 * A scale label sold in a quantity other than the one printed on it (its weight, or the one unit
 * of a label priced by the scale) changes what the scale charged: a price override, approved like
 * one (the till asks a supervisor and records `price_override`; `tpv sale` takes `--approver`).
 * Returns what the approval records (`SKU LABEL: 1.234 → 2.000`), or null when it is no such change.
 */
function labelEdit(item: SellableItem, qty: number): string | null {
  if (item.label === undefined || item.qty === undefined || qty === item.qty) return null;
  return `${item.sku} ${item.label}: ${formatQuantity(item.qty)} → ${formatQuantity(qty)}`;
}

/** Commits a built sale inside the caller's transaction (its event is the caller's). Returns the receipt. */
export function commitSaleIn(app: App, sale: BuiltSale, actor: UserRow, externalId?: string, note?: string): StoredDocument {
  const { pricesIncludeTax, currency, cashIncrement } = app.profile;
  const priced = priceCart(sale.cart, { pricesIncludeTax });
  const total = priced.total + sale.vouchers.reduce((a, b) => a + b, 0);
  const settled = settle(total, sale.payments, { cashIncrement });
  if (!settled.ok) throw problemError('conflict', settled.problem, app.profile.exponent);
  const shift = requireOpenShift(app);
  const vouchers: string[] = [];
  const receipt = issueDocument(app, 'receipt', ({ number, now }) => {
    const payments = settled.value.payments.map((p) =>
      p.method === 'store_credit' ? { ...p, reference: redeemIn(app, p.reference ?? '', p.amount, number, actor) } : p,
    );
    const lines: DocumentLine[] = priced.lines.map((l, i) => {
      const inf = sale.info.get(l.id)!;
      return {
        line: i + 1,
        productId: inf.productId,
        sku: l.sku,
        name: l.name,
        unit: l.unit,
        qty: l.qty,
        unitPrice: l.unitPrice,
        listPrice: l.originalPrice,
        gross: l.gross,
        lineDiscount: l.lineDiscount,
        cartDiscount: l.cartDiscount,
        amount: l.amount,
        taxRate: l.taxRate,
        categoryId: inf.categoryId,
        note: l.note ?? null,
      };
    });
    // a voucher's code is on its line (the note), printed on the receipt; its slip prints after it
    for (const amount of sale.vouchers) {
      const credit = issueCreditIn(app, amount, actor, { origin: 'voucher', ref: number, ...(sale.customerId !== null ? { customerId: sale.customerId } : {}) });
      vouchers.push(credit.code);
      lines.push({
        line: lines.length + 1,
        productId: null,
        sku: VOUCHER_SKU,
        name: t('voucher.line', {}, app.profile.language),
        unit: 'each',
        qty: 1000,
        unitPrice: amount,
        listPrice: null,
        gross: amount,
        lineDiscount: 0,
        cartDiscount: 0,
        amount,
        taxRate: 0,
        categoryId: null,
        note: formatCreditCode(credit.code),
      });
    }
    const move = prepared(app.db, "INSERT INTO stock_moves (product_id, qty, kind, ref, user_id, created_at) VALUES (?, ?, 'sale', ?, ?, ?)");
    for (const l of lines.slice(0, priced.lines.length)) {
      if (sale.info.get(priced.lines[l.line - 1]!.id)!.trackStock) move.run(l.productId, -l.qty, number, actor.id, now.toISOString());
    }
    return {
      userId: actor.id,
      shiftId: shift.id,
      refId: null,
      customerId: sale.customerId,
      externalId: externalId ?? null,
      pricesIncludeTax,
      currency,
      subtotal: priced.subtotal,
      discount: priced.lineDiscounts + priced.cartDiscount,
      total,
      tendered: settled.value.tendered,
      change: settled.value.change,
      rounding: settled.value.rounding,
      approvals: sale.approvals,
      note: note ?? sale.cart.note ?? null,
      body: null,
      lines,
      taxes: priced.taxes.map((x) => ({ rate: x.rate, base: x.base, tax: x.tax })),
      payments: payments.map((p) => ({ method: p.method, amount: p.amount, reference: p.reference ?? null })),
    };
  });
  linkCreditsIn(app, vouchers, receipt.id);
  return receipt;
}

/** A receipt already sold under this idempotency key, if any. */
function soldAs(app: App, externalId: string | undefined): StoredDocument | undefined {
  if (!externalId) return undefined;
  const existing = prepared(app.db, 'SELECT id FROM documents WHERE external_id = ?').pluck().get(externalId) as number | undefined;
  return existing === undefined ? undefined : loadDocument(app.db, existing)!;
}

/**
 * Commits a built sale in its own transaction with its `sale` event. Returns the stored receipt.
 * A request's id (idempotency key) is kept with the hash of the request it came with.
 */
export function commitSale(app: App, sale: BuiltSale, actor: UserRow, request?: { id: string; hash: string }, note?: string): { receipt: StoredDocument; duplicate: boolean } {
  return inTransaction(app, () => {
    const existing = soldAs(app, request?.id);
    if (existing) return { receipt: existing, duplicate: true };
    const receipt = commitSaleIn(app, sale, actor, request?.id, note);
    if (request) prepared(app.db, 'INSERT INTO sale_requests (external_id, hash) VALUES (?, ?)').run(request.id, request.hash);
    appendEvent(app, 'sale', { receipt: documentPayload(app, receipt), credits: creditMoves(app) });
    return { receipt, duplicate: false };
  });
}

/** A cart built at the till (the cashier terminal): priced lines, vouchers, approvals given on the way. */
export interface TillSale {
  cart: Cart;
  vouchers: number[];
  approvals: Approval[];
  customerId: number | null;
  payments: { method: string; amount: number; reference?: string }[];
}

/**
 * Commits a cart from the till. Nothing of it is taken on trust: each line's price and tax rate
 * must still be the catalog's (or its scale label's), a scale label's line must sell the quantity
 * printed on the label (the label travels with the line) unless a supervisor approved the change
 * (`price_override`), and every approval the cart needs (`approvalsNeeded`, the rule the till asked
 * while selling) must be the cashier's own right or carry an active user whose role may give it.
 */
export function commitTillSale(app: App, sale: TillSale, actor: UserRow): StoredDocument {
  const checked = checkCart(sale.cart);
  if (!checked.ok) throw problemError('invalid', checked.problem, app.profile.exponent);
  const info = new Map<number, LineInfo>();
  const needs: Action[] = approvalsNeeded(sale.cart, app.profile.discountLimit, app.profile.pricesIncludeTax).map((n) => n.action);
  for (const l of sale.cart.lines) {
    const found = l.label !== undefined ? lookupCode(app, l.label) : null;
    const labelled = found && found.row.sku === l.sku ? sellable(found) : null;
    const row = labelled ? found!.row : catalog(app.db).bySku.get(l.sku);
    if (!row) throw new TpvError('not_found', 'product.not_found', { code: l.sku });
    if (!row.active) throw new TpvError('conflict', 'sale.product_inactive', { code: l.sku, sku: row.sku });
    const price = labelled ? labelled.unitPrice : row.price;
    if ((l.originalPrice ?? l.unitPrice) !== price || l.taxRate !== row.tax_rate) {
      throw new TpvError('conflict', 'sale.price_changed', { sku: l.sku, name: l.name });
    }
    // a label's weight (or its one priced unit) changed at the till: the supervisor's price_override
    if (labelled && labelEdit(labelled, l.qty)) needs.push('price_override');
    info.set(l.id, { productId: row.id, categoryId: row.category_id, trackStock: row.track_stock === 1 });
  }
  if (sale.customerId !== null) findCustomer(app, String(sale.customerId));
  for (const action of needs) {
    if (can(actor.role, action)) continue;
    const given = sale.approvals.some((a) => {
      if (a.action !== action) return false;
      const by = userByCode(app.db, a.by);
      return by !== undefined && by.active === 1 && can(by.role, action);
    });
    if (!given) throw new TpvError('conflict', 'permission.needs_approval', { action, user: actor.code, role: actor.role });
  }
  return commitSale(app, { ...sale, info }, actor).receipt;
}

/**
 * `tpv sale`: build, check and commit one sale. A sale with an `id` already sold answers that
 * receipt when the request is the same (a retry: `duplicate`), and is refused (exit 5) when it is
 * another sale under a reused id.
 */
export function sell(app: App, input: SaleInput, actor: UserRow, approver?: Approver): { receipt: StoredDocument; duplicate: boolean } {
  const id = optionalText(input.id === undefined || input.id === null ? null : String(input.id), 'id', 'id') ?? undefined;
  const hash = id === undefined ? undefined : requestHash(input);
  const existing = soldAs(app, id);
  if (existing) return retried(app, existing, hash!);
  const built = buildSale(app, input, actor, approver);
  const r = commitSale(app, built, actor, id === undefined ? undefined : { id, hash: hash! });
  // another process sold under this id between the check and the commit
  return r.duplicate ? retried(app, r.receipt, hash!) : r;
}

/**
 * The receipt sold under a request's id when the request is the same (its canonical JSON hashes
 * the same); else a conflict. Sales sold before requests were hashed answer as retries.
 */
function retried(app: App, receipt: StoredDocument, hash: string): { receipt: StoredDocument; duplicate: true } {
  const stored = prepared(app.db, 'SELECT hash FROM sale_requests WHERE external_id = ?').pluck().get(receipt.externalId) as string | undefined;
  if (receipt.type !== 'receipt' || (stored !== undefined && stored !== hash)) {
    throw new TpvError('conflict', 'sale.id_reused', { id: receipt.externalId ?? '', number: receipt.number });
  }
  return { receipt, duplicate: true };
}

/** What makes two requests the same sale: their JSON, keys in any order. */
export function requestHash(input: SaleInput): string {
  return createHash('sha256').update(canonicalJson(JSON.parse(JSON.stringify(input)) as Json)).digest('hex');
}

/** A receipt or refund by its number, typed (any case) or scanned from its barcode/QR. */
export function receiptByNumber(app: App, typed: string): StoredDocument {
  const number = documentNumberOf(typed);
  const id = documentIdByNumber(app.db, number) ?? documentIdByNumber(app.db, number.toUpperCase());
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  // a Z report is a document too, but not a receipt
  if (!doc || (doc.type !== 'receipt' && doc.type !== 'refund')) throw new TpvError('not_found', 'receipt.not_found', { number });
  return doc;
}

// ---- the receipt as scripts see it ----------------------------------------------------------

/** The receipt in JSON: amounts as decimal strings in the document's currency, locale-free. */
export function receiptJson(app: App, d: StoredDocument) {
  const e = currencyExponent(d.currency) ?? 2;
  const m = (n: number): string => formatDecimal(n, e);
  const user = userById(app.db, d.userId);
  return {
    number: d.number,
    type: d.type,
    created_at: d.createdAt,
    register: d.register,
    user: user?.code ?? null,
    shift: d.shiftId,
    prices_include_tax: d.pricesIncludeTax,
    currency: d.currency,
    lines: d.lines.map((l) => ({
      line: l.line,
      sku: l.sku,
      name: l.name,
      qty: formatQuantity(l.qty),
      unit: l.unit,
      unit_price: m(l.unitPrice),
      ...(l.listPrice !== null ? { list_price: m(l.listPrice) } : {}),
      discount: m(l.lineDiscount + l.cartDiscount),
      line_discount: m(l.lineDiscount),
      cart_discount: m(l.cartDiscount),
      amount: m(l.amount),
      tax_rate: formatRate(l.taxRate),
      ...(isVoucherLine(l) ? { voucher: l.note } : {}),
    })),
    subtotal: m(d.subtotal),
    discount: m(d.discount),
    total: m(d.total),
    taxes: d.taxes.map((t) => ({ rate: formatRate(t.rate), base: m(t.base), tax: m(t.tax) })),
    payments: d.payments.map((p) => ({ method: p.method, amount: m(p.amount), ...(p.reference ? { reference: p.reference } : {}) })),
    tendered: m(d.tendered),
    change: m(d.change),
    rounding: m(d.rounding),
    approvals: d.approvals,
    ...(d.externalId ? { id: d.externalId } : {}),
    ...(d.customerId !== null ? { customer: d.customerId } : {}),
    ...(d.note ? { note: d.note } : {}),
  };
}

/** Reads a sale from JSON text, naming the field that is wrong (exit 3). */
export function parseSaleJson(text: string, where = ''): SaleInput {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TpvError('invalid', 'sale.json', { detail: (e as Error).message, field: where || '-' });
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const text_ = (x: unknown): x is string | number => typeof x === 'string' || typeof x === 'number';
  if (!isObj(v)) throw invalidField(where || '-', 'sale.json_object');
  const f = (name: string): string => (where ? `${where}.${name}` : name);
  if (!Array.isArray(v.lines)) throw invalidField(f('lines'), 'sale.field_array');
  v.lines.forEach((l, i) => {
    if (!isObj(l)) throw invalidField(f(`lines[${i}]`), 'sale.json_object');
    if (l.voucher !== undefined) {
      if (!text_(l.voucher)) throw invalidField(f(`lines[${i}].voucher`), 'sale.field_decimal');
    } else if (typeof l.code !== 'string') throw invalidField(f(`lines[${i}].code`), 'sale.field_string');
    for (const k of ['qty', 'price', 'discount'] as const) {
      if (l[k] !== undefined && l[k] !== null && !text_(l[k])) throw invalidField(f(`lines[${i}].${k}`), 'sale.field_decimal');
    }
  });
  if (!Array.isArray(v.payments)) throw invalidField(f('payments'), 'sale.field_array');
  v.payments.forEach((p, i) => {
    if (!isObj(p)) throw invalidField(f(`payments[${i}]`), 'sale.json_object');
    if (typeof p.method !== 'string') throw invalidField(f(`payments[${i}].method`), 'sale.field_string');
    if (!text_(p.amount)) throw invalidField(f(`payments[${i}].amount`), 'sale.field_decimal');
  });
  if (v.discount !== undefined && v.discount !== null && !text_(v.discount)) throw invalidField(f('discount'), 'sale.field_decimal');
  if (v.id !== undefined && v.id !== null && typeof v.id !== 'string') throw invalidField(f('id'), 'sale.field_string');
  return v as unknown as SaleInput;
}
