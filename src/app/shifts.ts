/**
 * Shifts (cash sessions): open with a float, cash in/out, the X report (running figures) and the
 * Z report that closes a shift — a fiscal document with its own number, journaled.
 */
import type { Approval } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { readZBody, type ShiftFigures, zBody } from '../core/shift.js';
import { storedText } from '../core/text.js';
import { isoWithOffset } from '../core/time.js';
import { prepared, type Sqlite } from '../db/connection.js';
import { documentIdByNumber, loadDocument } from '../db/documents.js';
import { figuresText } from '../devices/shift-report.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
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

/** The running figures of a shift, all set-based (a shift of 100,000 receipts stays fast). */
export function shiftFigures(db: Sqlite, shift: ShiftRow, counted: number | null = shift.counted): ShiftFigures {
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
  return {
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

/**
 * Closes the open shift with the cash counted: a Z report document (own series, journaled,
 * outbox event). Refused while a cart is open or held, unless forced by a supervisor.
 */
export function closeShift(
  app: App,
  actor: UserRow,
  counted: number,
  opts: { force?: boolean; approver?: Approver } = {},
): CloseResult {
  if (counted < 0) throw new TpvError('invalid', 'shift.counted_negative');
  const approvals: Approval[] = [];
  const a = authorize(app, actor, 'shift_close', opts.approver);
  if (a) approvals.push(a);
  return inTransaction(app, () => {
    const shift = requireOpenShift(app);
    const { register, timezone } = app.profile;
    const carts = app.db.prepare('SELECT count(*) FROM carts WHERE register = ?').pluck().get(register) as number;
    if (carts > 0) {
      if (!opts.force) throw new TpvError('conflict', 'shift.carts_pending', { carts });
      // closing takes a supervisor (the actor, or the approver checked above): record who forced it
      approvals.push({ action: 'shift_close_force', by: a?.by ?? actor.code, at: isoWithOffset(app.now(), timezone), detail: `${carts} carts dropped` });
    }
    let figures!: ShiftFigures;
    const z = issueDocument(app, 'z_report', ({ at }) => {
      figures = shiftFigures(app.db, { ...shift, closed_at: at }, counted);
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
    if (opts.force) app.db.prepare('DELETE FROM carts WHERE register = ?').run(register);
    appendEvent(app, 'shift_close', { shift: shift.uid, z: documentPayload(app, z), carts_dropped: opts.force ? carts : 0 });
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

/** Shift figures as scripts see them (`tpv shift … --json`): amounts as decimal strings. */
export function figuresView(app: App, f: ShiftFigures, z?: CloseResult) {
  return { ...(z ? { number: z.number, journal: z.journal } : {}), shift: f.shift, ...figuresDecimal(app, f) };
}

/** The X or Z report as aligned text (the terminal's screen, `tpv shift`); a Z ends with its journal anchor. */
export function shiftReportText(app: App, f: ShiftFigures, title: string, z?: CloseResult): string {
  const text = figuresText(app.profile, f, title);
  return z ? `${text}\n${anchorText(z.journal)}` : text;
}
