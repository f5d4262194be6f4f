/**
 * Store credit and gift vouchers: codes with a ledger of events (src/core/credit.ts). Every change
 * runs in an immediate transaction that re-reads the ledger, so two tills redeeming one code at
 * the same moment can never spend more than its balance.
 */
import { randomBytes } from 'node:crypto';
import {
  applyEvent,
  canRedeem,
  closingEvent,
  CREDIT_CODE_RANDOM_BYTES,
  type CreditEvent,
  endOfDay,
  type CreditState,
  creditState,
  formatCreditCode,
  localDay,
  makeCreditCode,
  parseCreditCode,
  type VoucherSlip,
} from '../core/credit.js';
import { TpvError } from '../core/errors.js';
import { problemError } from '../core/money.js';
import { optionalText } from '../core/text.js';
import { isoWithOffset } from '../core/time.js';
import { prepared, type Sqlite } from '../db/connection.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction, pendingWrites } from './context.js';
import { creditMovePayload, customerPayload, moneyText } from './events.js';
import { appendEvent, creditMoves } from './outbox.js';

interface CreditRow {
  id: number;
  code: string;
  customer_id: number | null;
  origin: 'grant' | 'refund' | 'voucher';
  issued_at: string;
  expires_at: string | null;
  document_id: number | null;
}

export interface CreditView {
  code: string;
  /** XXXX-XXXX-XXXX-XXXX, as printed. */
  printed: string;
  origin: string;
  customer: number | null;
  issued_at: string;
  expires_at: string | null;
  status: CreditState['status'];
  balance: string;
  issued: string;
  redeemed: string;
  events: { kind: string; amount: string; at: string; ref: string | null; reason: string | null }[];
}

function rowByCode(db: Sqlite, typed: string): CreditRow {
  const parsed = parseCreditCode(typed);
  if (!parsed.ok) throw problemError('invalid', parsed.problem, 0, { code: typed });
  const row = prepared(db, 'SELECT * FROM credits WHERE code = ?').get(parsed.value) as CreditRow | undefined;
  if (!row) throw new TpvError('not_found', 'credit.not_found', { code: typed });
  return row;
}

function eventsOf(db: Sqlite, id: number): (CreditEvent & { id: number })[] {
  return (prepared(db, 'SELECT id, kind, amount, at, ref, reason FROM credit_events WHERE credit_id = ? ORDER BY id').all(id) as {
    id: number;
    kind: CreditEvent['kind'];
    amount: number;
    at: string;
    ref: string | null;
    reason: string | null;
  }[]).map((e) => ({ id: e.id, kind: e.kind, amount: e.amount, at: e.at, ...(e.ref ? { ref: e.ref } : {}), ...(e.reason ? { reason: e.reason } : {}) }));
}

function stateOf(app: App, row: CreditRow): { events: CreditEvent[]; state: CreditState } {
  const events = eventsOf(app.db, row.id);
  return { events, state: creditState(events, app.now().toISOString(), row.expires_at) };
}

/** Writes a ledger event (its transaction's outbox event carries it: `creditMoves`). */
function record(app: App, row: CreditRow, events: CreditEvent[], event: CreditEvent, userId: number | null): void {
  const r = applyEvent(events, event);
  if (!r.ok) throw problemError('conflict', r.problem, app.profile.exponent);
  prepared(app.db, 'INSERT INTO credit_events (credit_id, kind, amount, at, ref, user_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    row.id,
    event.kind,
    event.amount,
    event.at,
    event.ref ?? null,
    userId,
    event.reason ?? null,
  );
  const customer = event.kind === 'issue' && row.customer_id !== null ? customerPayload(app, row.customer_id).uid : null;
  pendingWrites(app).credits.push(creditMovePayload(app, { code: row.code, origin: row.origin, expires_at: row.expires_at, customer }, event));
}

export function creditView(app: App, row: CreditRow): CreditView {
  const m = (n: number): string => moneyText(app, n);
  const { events, state } = stateOf(app, row);
  return {
    code: row.code,
    printed: formatCreditCode(row.code),
    origin: row.origin,
    customer: row.customer_id,
    issued_at: row.issued_at,
    expires_at: row.expires_at,
    status: state.status,
    balance: m(state.balance),
    issued: m(state.issued),
    redeemed: m(state.redeemed),
    events: events.map((e) => ({ kind: e.kind, amount: m(e.amount), at: e.at, ref: e.ref ?? null, reason: e.reason ?? null })),
  };
}

/** What a printed slip shows for a code: its balance now, its expiry, what issued it. */
function slipOf(app: App, row: CreditRow): VoucherSlip {
  const { events, state } = stateOf(app, row);
  // the document that issued it (a code written before codes were linked names it in its issue)
  const ref = row.document_id
    ? (prepared(app.db, 'SELECT number FROM documents WHERE id = ?').pluck().get(row.document_id) as string | undefined)
    : events.find((e) => e.kind === 'issue')?.ref;
  return { printed: formatCreditCode(row.code), balance: state.balance, expires_at: row.expires_at, origin: row.origin, ref: ref ?? null, issued_at: row.issued_at };
}

export function slipByCode(app: App, code: string): VoucherSlip {
  return slipOf(app, rowByCode(app.db, code));
}

/**
 * The codes a document issued: linked to it (`document_id`), or, written before codes were linked,
 * issued with its number as the issue's ref (a voucher's receipt, a refund).
 */
const rowsOfDocument = (app: App, documentId: number): CreditRow[] =>
  prepared(
    app.db,
    `SELECT * FROM credits WHERE document_id = ? OR (document_id IS NULL AND id IN (
       SELECT e.credit_id FROM credit_events e JOIN documents d ON d.number = e.ref WHERE d.id = ? AND e.kind = 'issue'))
     ORDER BY id`,
  ).all(documentId, documentId) as CreditRow[];

/** The codes a document issued (a refund to store credit, gift vouchers sold): one slip each. */
export function slipsOfDocument(app: App, documentId: number): VoucherSlip[] {
  return rowsOfDocument(app, documentId).map((r) => slipOf(app, r));
}

/** The codes a document issued, as scripts read them (`credits` of `tpv sale|refund|exchange --json`). */
export function issuedJson(app: App, documentId: number): { code: string; origin: string; amount: string; expires_at: string | null }[] {
  return rowsOfDocument(app, documentId).map((r) => ({
    code: formatCreditCode(r.code),
    origin: r.origin,
    amount: moneyText(app, stateOf(app, r).state.issued),
    expires_at: r.expires_at,
  }));
}

/**
 * Names the document that issued these codes (inside its transaction, right after the document:
 * a code is issued while the document is built, so that its line or payment can carry it). Its
 * slip then prints with the document and with every reprint of it.
 */
export function linkCreditsIn(app: App, codes: readonly string[], documentId: number): void {
  const link = prepared(app.db, 'UPDATE credits SET document_id = ? WHERE code = ? AND document_id IS NULL');
  for (const code of codes) link.run(documentId, code);
}

export interface IssueOptions {
  customerId?: number;
  /** The instant the code stops being valid (ISO), or null for never; default: the end of the day credit.expiry_days from today. */
  expiresAt?: string | null;
  origin?: CreditRow['origin'];
  ref?: string;
}

/** Issues a new code for `amount` (inside the caller's transaction). */
export function issueCreditIn(app: App, amount: number, actor: UserRow, opts: IssueOptions = {}): CreditRow {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new TpvError('invalid', 'credit.bad_amount');
  const now = app.now();
  const days = app.profile.creditExpiryDays;
  // valid through the whole last day, in the store's calendar: the slip can print a date and mean it
  const expiresAt =
    opts.expiresAt !== undefined ? opts.expiresAt : days > 0 ? endOfDay(localDay(new Date(now.getTime() + days * 86_400_000), app.profile.timezone), app.profile.timezone) : null;
  let code = makeCreditCode(randomBytes(CREDIT_CODE_RANDOM_BYTES));
  while (prepared(app.db, 'SELECT 1 FROM credits WHERE code = ?').get(code)) code = makeCreditCode(randomBytes(CREDIT_CODE_RANDOM_BYTES));
  const id = Number(
    prepared(app.db, 'INSERT INTO credits (code, customer_id, origin, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
      code,
      opts.customerId ?? null,
      opts.origin ?? 'grant',
      isoWithOffset(now, app.profile.timezone),
      expiresAt,
    ).lastInsertRowid,
  );
  const row = prepared(app.db, 'SELECT * FROM credits WHERE id = ?').get(id) as CreditRow;
  record(app, row, [], { kind: 'issue', amount, at: now.toISOString(), ...(opts.ref ? { ref: opts.ref } : {}) }, actor.id);
  return row;
}

/** `tpv credit issue`: store credit granted on its own (a refund's to-do, a goodwill gesture): the `refund` permission. */
export function issueCredit(app: App, amount: number, actor: UserRow, opts: IssueOptions = {}, approver?: Approver): CreditView {
  authorize(app, actor, 'refund', approver);
  return inTransaction(app, () => {
    const row = issueCreditIn(app, amount, actor, opts);
    appendEvent(app, 'credit_issue', { credits: creditMoves(app), user: actor.code });
    return creditView(app, row);
  });
}

export function showCredit(app: App, code: string): CreditView {
  return creditView(app, rowByCode(app.db, code));
}

export function listCredits(app: App, opts: { customerId?: number; status?: CreditState['status'] } = {}): CreditView[] {
  const rows = (opts.customerId !== undefined
    ? app.db.prepare('SELECT * FROM credits WHERE customer_id = ? ORDER BY id').all(opts.customerId)
    : app.db.prepare('SELECT * FROM credits ORDER BY id').all()) as CreditRow[];
  return rows.map((r) => creditView(app, r)).filter((v) => !opts.status || v.status === opts.status);
}

/**
 * Pays `amount` of a sale with a code (inside the sale's transaction, which holds the write lock:
 * the ledger read here is the latest). Refuses expired, voided or short codes.
 */
export function redeemIn(app: App, typed: string, amount: number, ref: string, actor: UserRow): string {
  const row = rowByCode(app.db, typed);
  const { events, state } = stateOf(app, row);
  const ok = canRedeem(state, amount);
  if (!ok.ok) throw problemError('conflict', ok.problem, app.profile.exponent, { code: formatCreditCode(row.code) });
  record(app, row, events, { kind: 'redeem', amount: -amount, at: app.now().toISOString(), ref }, actor.id);
  return row.code;
}

/**
 * Gives `amount` back to the code a sale was paid with, when that sale is refunded (inside the
 * refund's transaction). A code that is void or past its expiry cannot take it back: a new code
 * is issued for the amount instead. Returns the code credited.
 */
export function restoreIn(app: App, code: string, amount: number, ref: string, actor: UserRow): { code: string; issued: boolean } {
  const row = rowByCode(app.db, code);
  const { events, state } = stateOf(app, row);
  if (state.status === 'void' || state.status === 'expired') {
    const fresh = issueCreditIn(app, amount, actor, { origin: 'refund', ref, ...(row.customer_id !== null ? { customerId: row.customer_id } : {}) });
    return { code: fresh.code, issued: true };
  }
  record(app, row, events, { kind: 'restore', amount, at: app.now().toISOString(), ref }, actor.id);
  return { code: row.code, issued: false };
}

/** Voids a code (its balance is gone): the `refund` permission. */
export function voidCredit(app: App, code: string, actor: UserRow, reason?: string, approver?: Approver): CreditView {
  const why = optionalText(reason, 'note', 'reason');
  authorize(app, actor, 'refund', approver);
  return inTransaction(app, () => {
    const row = rowByCode(app.db, code);
    const { events } = stateOf(app, row);
    const e = closingEvent(events, 'void', app.now().toISOString(), why ? { reason: why, by: actor.code } : { by: actor.code });
    record(app, row, events, e, actor.id);
    appendEvent(app, 'credit_void', { credits: creditMoves(app), user: actor.code });
    return creditView(app, row);
  });
}

/** Records the expiry of every code past its date that still has a balance. Idempotent. */
export function expireDue(app: App, actor: UserRow): { expired: string[] } {
  const nowIso = app.now().toISOString();
  const due = app.db
    .prepare('SELECT * FROM credits WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY id')
    .all(nowIso) as CreditRow[];
  return inTransaction(app, () => {
    const expired: string[] = [];
    for (const row of due) {
      const events = eventsOf(app.db, row.id);
      if (events.some((e) => e.kind === 'expire' || e.kind === 'void')) continue;
      record(app, row, events, closingEvent(events, 'expire', nowIso, { ref: 'tpv credit expire' }), actor.id);
      expired.push(formatCreditCode(row.code));
    }
    if (expired.length) appendEvent(app, 'credit_expire', { credits: creditMoves(app) });
    return { expired };
  });
}
