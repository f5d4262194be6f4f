/**
 * Shifts (cash sessions): open with a float, cash in/out, the X report (running figures) and the
 * Z report that closes a shift — a fiscal document with its own number, journaled.
 */
import { checkCart, type Cart, priceCart } from '../core/cart.js';
import { type CountLine, countTotal, differenceKind, normalizeCount } from '../core/cash.js';
import type { Approval, StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { formatDecimal } from '../core/money.js';
import { type CashMoveLine, type NoSaleLine, readZBody, salesSummary, type ShiftFigures, type ShiftUser, zBody, ZBODY_VERSION, zBodyVersion } from '../core/shift.js';
import { storedText } from '../core/text.js';
import { isoWithOffset } from '../core/time.js';
import { prepared, type Sqlite } from '../db/connection.js';
import { documentIdByNumber, loadDocument } from '../db/documents.js';
import { layoutShiftReport } from '../devices/documents.js';
import type { LayoutLine } from '../devices/layout.js';
import { figuresText } from '../devices/shift-report.js';
import { formatDateTimeText } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { type Approver, auditLog, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { deviceOf } from './devices.js';
import { documentPayload, figuresDecimal, moneyText } from './events.js';
import { uuidv7 } from './ids.js';
import { issueDocument } from './issue.js';
import { anchorText, appendJournal, documentLink } from './journal.js';
import { appendEvent } from './outbox.js';

export interface ShiftRow {
  id: number;
  uid: string;
  register: string;
  opened_at: string;
  opened_by: number;
  float: number;
  closed_at: string | null;
  closed_by: number | null;
  counted: number | null;
  z_document_id: number | null;
}

export function openShiftRow(db: Sqlite, register: string): ShiftRow | undefined {
  return prepared(db, 'SELECT * FROM shifts WHERE register = ? AND closed_at IS NULL').get(register) as ShiftRow | undefined;
}

/** The open shift, or exit 5 saying to open one. */
export function requireOpenShift(app: App): ShiftRow {
  const { register } = app.profile;
  const s = openShiftRow(app.db, register);
  if (!s) throw new TpvError('conflict', 'shift.none_open', { register });
  return s;
}

export function openShift(app: App, actor: UserRow, float: number, approver?: Approver): ShiftRow {
  if (float < 0) throw new TpvError('invalid', 'shift.float_negative');
  const approval = authorize(app, actor, 'shift_open', approver);
  return inTransaction(app, () => {
    const { register, timezone } = app.profile;
    const existing = openShiftRow(app.db, register);
    if (existing) throw new TpvError('conflict', 'shift.already_open', { shift: existing.id, since: existing.opened_at });
    const now = app.now();
    const at = isoWithOffset(now, timezone);
    const uid = uuidv7(now);
    const id = Number(
      app.db.prepare('INSERT INTO shifts (uid, register, opened_at, opened_by, float) VALUES (?, ?, ?, ?, ?)').run(uid, register, at, actor.id, float)
        .lastInsertRowid,
    );
    const row = app.db.prepare('SELECT * FROM shifts WHERE id = ?').get(id) as ShiftRow;
    appendJournal(app.db, { shiftOpen: row });
    appendEvent(app, 'shift_open', { shift: uid, register, opened_at: at, float: moneyText(app, float), user: actor.code, approval });
    return row;
  });
}

export function cashMove(
  app: App,
  actor: UserRow,
  kind: 'in' | 'out',
  amount: number,
  reason: string,
  approver?: Approver,
): ShiftFigures {
  if (amount <= 0) throw new TpvError('invalid', 'shift.amount_positive');
  const why = storedText(reason, 'note', 'reason');
  if (!why) throw new TpvError('invalid', 'shift.reason_required');
  const approval = authorize(app, actor, kind === 'in' ? 'cash_in' : 'cash_out', approver);
  return inTransaction(app, () => {
    const shift = requireOpenShift(app);
    if (kind === 'out') {
      const f = shiftFigures(app.db, shift);
      if (amount > f.cash.expected) {
        throw new TpvError('conflict', 'shift.cash_out_over', { expected: moneyText(app, f.cash.expected) });
      }
    }
    const at = isoWithOffset(app.now(), app.profile.timezone);
    const move = { shift_id: shift.id, kind, amount, reason: why, user_id: actor.id, created_at: at };
    const id = Number(
      app.db
        .prepare('INSERT INTO cash_moves (shift_id, kind, amount, reason, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(move.shift_id, kind, amount, move.reason, actor.id, at).lastInsertRowid,
    );
    appendJournal(app.db, { cashMove: { id, ...move } });
    appendEvent(app, 'cash_move', { shift: shift.uid, kind, amount: moneyText(app, amount), reason: why, user: actor.code, at, approval });
    return shiftFigures(app.db, shift);
  });
}

/** Who a user id is, as reports print it (null for no id; a user removed since reads as its id). */
function shiftUser(db: Sqlite, id: number | null): ShiftUser | null {
  if (id === null) return null;
  const u = prepared(db, 'SELECT code, name FROM users WHERE id = ?').get(id) as ShiftUser | undefined;
  return u ?? { code: String(id), name: String(id) };
}

/** An instant with an offset ("2026-11-21T14:05:09+01:00") as the audit log stores instants (UTC, ISO). */
const utc = (iso: string): string => new Date(iso).toISOString();

/**
 * The running figures of a shift, all set-based (a shift of 100,000 receipts stays fast). The
 * shape is the current Z body version, or — for a shift closed by a Z of an older version — that
 * version's (so `tpv audit verify` compares like with like). The count by note and coin is what
 * the close was given (`count`), else what its Z report keeps.
 */
export function shiftFigures(db: Sqlite, shift: ShiftRow, counted: number | null = shift.counted, count?: CountLine[] | null): ShiftFigures {
  const docs = db
    .prepare(`SELECT type, count(*) AS n, min(seq) AS first, max(seq) AS last, coalesce(sum(total), 0) AS total,
      coalesce(sum(discount), 0) AS discounts, coalesce(sum(rounding), 0) AS rounding, min(series_id) AS series
      FROM documents WHERE shift_id = ? AND type IN ('receipt', 'refund') GROUP BY type`)
    .all(shift.id) as { type: string; n: number; first: number; last: number; total: number; discounts: number; rounding: number; series: number }[];
  const receipts = docs.find((d) => d.type === 'receipt');
  const refunds = docs.find((d) => d.type === 'refund');
  const numberOf = (series: number | undefined, seq: number | undefined): string | null =>
    series === undefined || seq === undefined
      ? null
      : ((db.prepare('SELECT number FROM documents WHERE series_id = ? AND seq = ? AND shift_id = ?').pluck().get(series, seq, shift.id) as string | undefined) ?? null);
  const pay = db
    .prepare(`SELECT doc_type AS type, method, sum(amount) AS amount FROM document_payments
      WHERE shift_id = ? AND doc_type IN ('receipt', 'refund') GROUP BY doc_type, method`)
    .all(shift.id) as { type: string; method: string; amount: number }[];
  const tenders = new Map<string, { method: string; sales: number; refunds: number; net: number }>();
  for (const p of pay) {
    const t = tenders.get(p.method) ?? { method: p.method, sales: 0, refunds: 0, net: 0 };
    if (p.type === 'receipt') t.sales += p.amount;
    else t.refunds += p.amount;
    t.net = t.sales - t.refunds;
    tenders.set(p.method, t);
  }
  const taxRows = db
    .prepare(`SELECT rate, sum(CASE doc_type WHEN 'refund' THEN -base ELSE base END) AS base,
      sum(CASE doc_type WHEN 'refund' THEN -tax ELSE tax END) AS tax
      FROM document_taxes WHERE shift_id = ? AND doc_type IN ('receipt', 'refund') GROUP BY rate ORDER BY rate DESC`)
    .all(shift.id) as { rate: number; base: number; tax: number }[];
  const moves = db
    .prepare("SELECT coalesce(sum(CASE kind WHEN 'in' THEN amount END), 0) AS cin, coalesce(sum(CASE kind WHEN 'out' THEN amount END), 0) AS cout FROM cash_moves WHERE shift_id = ?")
    .get(shift.id) as { cin: number; cout: number };
  const cashSales = tenders.get('cash')?.sales ?? 0;
  const cashRefunds = tenders.get('cash')?.refunds ?? 0;
  const expected = shift.float + cashSales - cashRefunds + moves.cin - moves.cout;
  const figures: ShiftFigures = {
    shift: shift.id,
    register: shift.register,
    opened_at: shift.opened_at,
    closed_at: shift.closed_at,
    receipts: {
      count: receipts?.n ?? 0,
      first: numberOf(receipts?.series, receipts?.first),
      last: numberOf(receipts?.series, receipts?.last),
      total: receipts?.total ?? 0,
      discounts: receipts?.discounts ?? 0,
    },
    refunds: { count: refunds?.n ?? 0, total: refunds?.total ?? 0 },
    tenders: [...tenders.values()].sort((a, b) => a.method.localeCompare(b.method)),
    taxes: taxRows,
    cash: {
      float: shift.float,
      sales: cashSales,
      refunds: cashRefunds,
      in: moves.cin,
      out: moves.cout,
      rounding: (receipts?.rounding ?? 0) - (refunds?.rounding ?? 0),
      expected,
      counted,
      difference: counted === null ? null : counted - expected,
    },
  };
  // a shift its Z closed with an older body keeps that body's shape
  const z = shift.z_document_id === null ? undefined : loadDocument(db, shift.z_document_id);
  const version = z ? zBodyVersion(z.body) : ZBODY_VERSION;
  if (version < 2) return figures;
  const vouchers = prepared(
    db,
    // from the voucher lines (few, by the product index) to their documents: never every line of a big shift
    `SELECT count(*) AS count, coalesce(sum(l.amount), 0) AS total FROM document_lines l CROSS JOIN documents d ON d.id = l.document_id
      WHERE l.product_id IS NULL AND l.sku = 'VOUCHER' AND d.shift_id = ? AND d.type = 'receipt'`,
  ).get(shift.id) as { count: number; total: number };
  const moveList = prepared(
    db,
    'SELECT m.kind, m.amount, m.reason, u.code AS user, m.created_at AS at FROM cash_moves m JOIN users u ON u.id = m.user_id WHERE m.shift_id = ? ORDER BY m.id',
  ).all(shift.id) as CashMoveLine[];
  // no-sales are in the audit log, each naming its shift; one recorded before they did (no shift
  // in its detail) counts by time: from the opening's second to the end of the closing's
  const noSales = (
    prepared(
      db,
      `SELECT a.at, coalesce(u.code, '') AS user, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
        WHERE a.action = 'no_sale' AND coalesce(json_extract(a.detail, '$.shift') = ?, a.at >= ? AND a.at < ?) ORDER BY a.id`,
    ).all(shift.id, utc(shift.opened_at), shift.closed_at ? new Date(Date.parse(shift.closed_at) + 1000).toISOString() : '9999') as { at: string; user: string; detail: string | null }[]
  ).map((r): NoSaleLine => ({ user: r.user, reason: noSaleReason(r.detail), at: r.at }));
  let counts: CountLine[] | null = count === undefined ? null : count;
  if (count === undefined && z) counts = readZBody(z.body).count ?? null;
  return {
    ...figures,
    opened_by: shiftUser(db, shift.opened_by),
    closed_by: shiftUser(db, shift.closed_by),
    vouchers,
    moves: moveList,
    no_sales: noSales,
    count: counts,
  };
}

function noSaleReason(detail: string | null): string {
  try {
    const d = detail ? (JSON.parse(detail) as { reason?: unknown }) : {};
    return typeof d.reason === 'string' ? d.reason : '';
  } catch {
    return '';
  }
}

export function shiftStatus(app: App): ShiftFigures {
  return shiftFigures(app.db, requireOpenShift(app));
}

export interface CloseResult {
  number: string;
  figures: ShiftFigures;
  /** The Z report's journal entry: the anchor printed on it (`tpv audit verify --anchor`). */
  journal: { seq: number; hash: string };
}

/** A cart still open or held on the register: what the close lists before the count. */
export interface PendingCart {
  id: number;
  status: 'open' | 'held';
  /** The user it belongs to (an open cart) or who held it. */
  user: string;
  userName: string;
  label: string | null;
  lines: number;
  total: number;
  updated_at: string;
}

/** Every cart open or held on this register, of every user, oldest first. */
export function pendingCarts(app: App): PendingCart[] {
  const rows = prepared(
    app.db,
    'SELECT c.id, c.status, c.label, c.data, c.updated_at, u.code AS user, u.name AS userName FROM carts c JOIN users u ON u.id = c.user_id WHERE c.register = ? ORDER BY c.id',
  ).all(app.profile.register) as { id: number; status: 'open' | 'held'; label: string | null; data: string; updated_at: string; user: string; userName: string }[];
  return rows.map((r) => {
    const { lines, total } = cartSize(app, r.data);
    return { id: r.id, status: r.status, user: r.user, userName: r.userName, label: r.label, lines, total, updated_at: r.updated_at };
  });
}

/** How many lines a saved cart has and what it comes to (a damaged cart reads as empty: it can still be voided). */
function cartSize(app: App, data: string): { lines: number; total: number } {
  try {
    const saved = JSON.parse(data) as { cart?: Cart; extra?: { vouchers?: number[] } } & Cart;
    const cart = checkCart(saved.cart ?? saved);
    if (!cart.ok) return { lines: 0, total: 0 };
    const vouchers = Array.isArray(saved.extra?.vouchers) ? saved.extra.vouchers : [];
    return {
      lines: cart.value.lines.length + vouchers.length,
      total: priceCart(cart.value, { pricesIncludeTax: app.profile.pricesIncludeTax }).total + vouchers.reduce((a, b) => a + b, 0),
    };
  } catch {
    return { lines: 0, total: 0 };
  }
}

/**
 * Resolves a cart at the close, before the count: `void` drops it (the customer left), `keep`
 * parks it for the next shift (an open cart becomes a held one anybody can recall). Either is
 * part of closing: it takes the `shift_close` permission (a supervisor), and is recorded in the
 * audit log with what the cart held.
 */
export function resolveCart(app: App, actor: UserRow, id: number, how: 'void' | 'keep', approver?: Approver): PendingCart {
  const cart = pendingCarts(app).find((c) => c.id === id);
  if (!cart) throw new TpvError('not_found', 'shift.cart_not_found', { id });
  const approval = authorize(app, actor, 'shift_close', approver, `cart ${id}`);
  return inTransaction(app, () => {
    const now = app.now();
    if (how === 'void') app.db.prepare('DELETE FROM carts WHERE id = ? AND register = ?').run(id, app.profile.register);
    else app.db.prepare("UPDATE carts SET status = 'held', updated_at = ? WHERE id = ? AND register = ?").run(now.toISOString(), id, app.profile.register);
    const detail = { cart: id, owner: cart.user, status: cart.status, label: cart.label, lines: cart.lines, total: moneyText(app, cart.total), ...(approval ? { approval } : {}) };
    auditLog(app.db, now, actor.id, how === 'void' ? 'cart_void' : 'cart_keep', detail);
    return { ...cart, status: how === 'keep' ? 'held' : cart.status };
  });
}

export interface CloseOptions {
  /** Drops every cart not kept (a supervisor: recorded as such). */
  force?: boolean;
  /** Carts reviewed and kept for the next shift (ids), or `true`: every cart (open ones are held). */
  keep?: number[] | true;
  /** The count by note and coin; what `counted` holds besides it is cash counted without a breakdown. */
  count?: CountLine[];
  approver?: Approver;
}

/**
 * Closes the open shift with the cash counted: a Z report document (own series, journaled,
 * outbox event). Refused while a cart is open or held that was not reviewed (`keep`), unless
 * forced by a supervisor (the carts are dropped, recorded).
 */
export function closeShift(app: App, actor: UserRow, counted: number, opts: CloseOptions = {}): CloseResult {
  if (counted < 0) throw new TpvError('invalid', 'shift.counted_negative');
  const count = opts.count ? normalizeCount(opts.count) : null;
  if (count && countTotal(count) > counted) throw new TpvError('invalid', 'shift.count_total', { count: moneyText(app, countTotal(count)), counted: moneyText(app, counted) });
  const approvals: Approval[] = [];
  const a = authorize(app, actor, 'shift_close', opts.approver);
  if (a) approvals.push(a);
  return inTransaction(app, () => {
    const shift = requireOpenShift(app);
    const { register, timezone } = app.profile;
    const all = app.db.prepare('SELECT id, status FROM carts WHERE register = ?').all(register) as { id: number; status: string }[];
    const kept = new Set(opts.keep === true ? all.map((c) => c.id) : (opts.keep ?? []));
    const pending = all.filter((c) => !kept.has(c.id));
    if (pending.length > 0) {
      if (!opts.force) throw new TpvError('conflict', 'shift.carts_pending', { carts: pending.length });
      // closing takes a supervisor (the actor, or the approver checked above): record who forced it
      approvals.push({ action: 'shift_close_force', by: a?.by ?? actor.code, at: isoWithOffset(app.now(), timezone), detail: `${pending.length} carts dropped` });
    }
    let figures!: ShiftFigures;
    const z = issueDocument(app, 'z_report', ({ at }) => {
      figures = shiftFigures(app.db, { ...shift, closed_at: at, closed_by: actor.id }, counted, count);
      return {
        userId: actor.id,
        shiftId: shift.id,
        refId: null,
        customerId: null,
        externalId: null,
        pricesIncludeTax: app.profile.pricesIncludeTax,
        currency: app.profile.currency,
        subtotal: figures.receipts.total,
        discount: figures.receipts.discounts,
        total: figures.receipts.total - figures.refunds.total,
        tendered: 0,
        change: 0,
        rounding: figures.cash.rounding,
        approvals,
        note: null,
        body: zBody(figures),
        lines: [],
        taxes: figures.taxes.filter((t) => t.base !== 0 || t.tax !== 0),
        payments: [],
      };
    });
    app.db.prepare('UPDATE shifts SET closed_at = ?, closed_by = ?, counted = ?, z_document_id = ? WHERE id = ?').run(z.createdAt, actor.id, counted, z.id, shift.id);
    const del = app.db.prepare('DELETE FROM carts WHERE id = ?');
    if (opts.force) for (const c of pending) del.run(c.id);
    // carts kept for the next shift wait as held carts, whoever had them open
    const hold = app.db.prepare("UPDATE carts SET status = 'held', updated_at = ? WHERE id = ? AND status = 'open'");
    for (const id of kept) hold.run(app.now().toISOString(), id);
    appendEvent(app, 'shift_close', { shift: shift.uid, z: documentPayload(app, z), carts_dropped: opts.force ? pending.length : 0 });
    return { number: z.number, figures, journal: documentLink(app.db, z.id)! };
  });
}

/** A Z report again (the latest, or by number). */
export function zReport(app: App, number?: string): CloseResult {
  const id = number
    ? documentIdByNumber(app.db, number)
    : (app.db.prepare("SELECT id FROM documents WHERE type = 'z_report' ORDER BY id DESC LIMIT 1").pluck().get() as number | undefined);
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  if (!doc || doc.type !== 'z_report') throw new TpvError('not_found', 'shift.z_not_found', { number: number ?? '-' });
  return { number: doc.number, figures: readZBody(doc.body), journal: documentLink(app.db, doc.id)! };
}

/** The stored Z report document of a close (what prints). */
export function zDocument(app: App, number: string): StoredDocument {
  const id = documentIdByNumber(app.db, number);
  const doc = id === undefined ? undefined : loadDocument(app.db, id);
  if (!doc || doc.type !== 'z_report') throw new TpvError('not_found', 'shift.z_not_found', { number });
  return doc;
}

/** Shift figures as scripts see them (`tpv shift … --json`): amounts as decimal strings. */
export function figuresView(app: App, f: ShiftFigures, z?: CloseResult) {
  const m = (n: number): string => formatDecimal(n, app.profile.exponent);
  const base = figuresDecimal(app, f);
  const s = salesSummary(f);
  const difference = f.cash.difference;
  return {
    ...(z ? { number: z.number, journal: z.journal } : {}),
    shift: f.shift,
    ...base,
    // gross sales are the goods and services sold: gift vouchers apart (no VAT), so net = the tax bases plus their tax
    sales: { gross: m(s.gross), refunds: m(s.refunds), net: m(s.net), vouchers: m(s.vouchers) },
    vouchers: f.vouchers ? { count: f.vouchers.count, total: m(f.vouchers.total) } : null,
    cash: { ...base.cash, difference_kind: difference === null ? null : differenceKind(difference) },
    count: f.count ? f.count.map((c) => ({ value: m(c.value), qty: c.qty, amount: m(c.value * c.qty) })) : null,
    moves: f.moves ? f.moves.map((x) => ({ kind: x.kind, amount: m(x.amount), reason: x.reason, user: x.user, at: x.at })) : null,
    no_sales: f.no_sales ?? null,
    opened_by: f.opened_by?.code ?? null,
    closed_by: f.closed_by?.code ?? null,
  };
}

/** The X report's title: the shift and when it opened, as the shop reads dates. */
export function xTitle(f: ShiftFigures): string {
  return t('shift.x_title', { shift: f.shift, since: formatDateTimeText(f.opened_at) });
}

/** The X or Z report as aligned text (the terminal's screen, `tpv shift`); a Z ends with its journal anchor. */
export function shiftReportText(app: App, f: ShiftFigures, title: string, z?: CloseResult): string {
  const text = figuresText(app.profile, f, title);
  return z ? `${text}\n${anchorText(z.journal)}` : text;
}

/** The X report of the open shift laid out for the printer (its running figures, now). */
export function xReportLayout(app: App): LayoutLine[] {
  const f = shiftStatus(app);
  const lang = app.profile.language;
  return layoutShiftReport(app.profile, f, t('receipt.title_x', {}, lang), t('shift.number', { shift: f.shift }, lang));
}

/**
 * Prints the X report of the open shift on the store's printer. Refused (exit 4 `printer.none`)
 * when there is none: an X asked for on paper that cannot print is said, not dropped.
 */
export async function printXReport(app: App): Promise<{ printer: string; bytes: number }> {
  const layout = xReportLayout(app);
  if (!deviceOf(app, 'printer')) throw new TpvError('not_found', 'printer.none');
  const { printLayouts } = await import('./peripherals.js');
  const r = await printLayouts(app, [layout]);
  return { printer: r.printer ?? '', bytes: r.bytes };
}
