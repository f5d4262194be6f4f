/**
 * The outbox: every committed business event, in register order, with a globally unique id
 * (UUIDv7), its type and the version of its payload (the contract: src/sync/events.ts). Each write
 * use case appends exactly one event in its own transaction, carrying every document and credit
 * movement it wrote.
 */
import type { Approval, StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { prepared } from '../db/connection.js';
import { loadDocument } from '../db/documents.js';
import { EVENT_VERSION, type EventType } from '../sync/contract.js';
import type { CreditMove, DocumentPayload, EventPayload } from '../sync/events.js';
import { type App, inTransaction, pendingWrites } from './context.js';
import { creditMovePayload, documentPayload, moneyText, shiftUid } from './events.js';
import { uuidv7 } from './ids.js';

/** The documents an event carries (by the fields that hold one). */
function documentsOf(payload: object): DocumentPayload[] {
  const out: DocumentPayload[] = [];
  for (const key of ['receipt', 'refund', 'credit_note', 'sale', 'invoice', 'z'] as const) {
    const d = (payload as Record<string, unknown>)[key];
    if (d && typeof d === 'object' && 'number' in d && 'journal' in d) out.push(d as DocumentPayload);
  }
  return out;
}

/** The credit movements the transaction made so far, for its event's `credits`. */
export function creditMoves(app: App): CreditMove[] {
  return [...pendingWrites(app).credits];
}

/**
 * Appends an event (inside the caller's transaction). It takes over the documents and credit
 * movements the transaction wrote: an event that leaves one out is refused. Returns its id.
 */
export function appendEvent<T extends EventType>(app: App, type: T, payload: EventPayload<T>): string {
  const writes = pendingWrites(app);
  const carried = new Set(documentsOf(payload).map((d) => d.number));
  const missing = [...writes.documents].filter((n) => !carried.has(n));
  if (missing.length) throw new Error(`the ${type} event does not carry ${missing.join(', ')}`);
  const credits = 'credits' in payload ? (payload.credits as unknown[]).length : 0;
  if (credits !== writes.credits.length) throw new Error(`the ${type} event carries ${credits} credit movements of ${writes.credits.length}`);
  writes.documents.clear();
  writes.credits.length = 0;
  const now = app.now();
  const id = uuidv7(now);
  prepared(app.db, 'INSERT INTO outbox (id, type, version, payload, created_at) VALUES (?, ?, ?, ?, ?)').run(id, type, EVENT_VERSION, JSON.stringify(payload), now.toISOString());
  return id;
}

// ---- events written before the contract ---------------------------------------------------------

interface LegacyRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
  created_at: string;
}

/**
 * Outbox rows written before the contract (version 0: a sale or refund named only by its number,
 * shift events by row id, money in minor units) are rewritten once, when the database is opened,
 * into the events of the contract, rebuilt from the documents and rows they name (documents are
 * immutable, so the rebuilt event is what the till recorded). A refund and the corrective invoice
 * made with it were two rows and become one `refund` event. Nothing read the outbox before the
 * contract (no sync existed), so the rows are renumbered in their order and keep their ids.
 */
export function upgradeLegacyEvents(app: App): number {
  if (!prepared(app.db, 'SELECT 1 FROM outbox WHERE version = 0 LIMIT 1').get()) return 0;
  return inTransaction(app, () => {
    const rows = app.db.prepare('SELECT seq, id, type, payload, created_at FROM outbox ORDER BY seq').all() as LegacyRow[];
    const docByNumber = (n: string): StoredDocument => {
      const id = prepared(app.db, 'SELECT id FROM documents WHERE number = ?').pluck().get(n) as number | undefined;
      const doc = id === undefined ? undefined : loadDocument(app.db, id);
      if (!doc) throw new TpvError('internal', 'outbox.legacy', { id: n });
      return doc;
    };
    const creditsOf = (ref: string): CreditMove[] =>
      (
        prepared(
          app.db,
          `SELECT c.code, e.kind, e.amount, e.at, e.ref, e.reason, c.origin, c.expires_at, u.uid AS customer
           FROM credit_events e JOIN credits c ON c.id = e.credit_id LEFT JOIN customers u ON u.id = c.customer_id
           WHERE e.ref = ? ORDER BY e.id`,
        ).all(ref) as { code: string; kind: CreditMove['kind']; amount: number; at: string; ref: string; reason: string | null; origin: 'grant' | 'refund' | 'voucher'; expires_at: string | null; customer: string | null }[]
      ).map((e) => creditMovePayload(app, e, e));
    const shiftUidOf = (id: number): string => shiftUid(app, id);
    const upgraded: { id: string; created_at: string; type: string; payload: unknown }[] = [];
    for (const r of rows) {
      const p = JSON.parse(r.payload) as Record<string, unknown>;
      const keep = (type: string, payload: unknown): void => void upgraded.push({ id: r.id, created_at: r.created_at, type, payload });
      switch (r.type) {
        case 'sale': {
          const receipt = docByNumber(String(p.number));
          keep('sale', { receipt: documentPayload(app, receipt), credits: creditsOf(receipt.number) });
          break;
        }
        case 'refund': {
          const refund = docByNumber(String(p.number));
          const cnId = prepared(app.db, "SELECT id FROM documents WHERE type = 'credit_note' AND note = ?").pluck().get(refund.number) as number | undefined;
          const creditNote = cnId === undefined ? null : loadDocument(app.db, cnId)!;
          keep('refund', { refund: documentPayload(app, refund), credit_note: creditNote && documentPayload(app, creditNote), credits: creditsOf(refund.number) });
          break;
        }
        case 'credit_note':
          break; // carried by its refund's event
        case 'invoice':
          keep('invoice', { invoice: documentPayload(app, docByNumber(String(p.number))) });
          break;
        case 'shift_open':
          keep('shift_open', {
            shift: shiftUidOf(Number(p.shift)),
            register: String(p.register),
            opened_at: String(p.at),
            float: moneyText(app, Number(p.float)),
            user: String(p.user),
            approval: null,
          });
          break;
        case 'cash_move':
          keep('cash_move', {
            shift: shiftUidOf(Number(p.shift)),
            kind: p.kind,
            amount: moneyText(app, Number(p.amount)),
            reason: String(p.reason),
            user: String(p.user),
            at: String(p.at),
            approval: (p.approval as Approval | null) ?? null,
          });
          break;
        case 'shift_close': {
          const z = docByNumber(String(p.z));
          keep('shift_close', { shift: shiftUidOf(z.shiftId!), z: documentPayload(app, z), carts_dropped: 0 });
          break;
        }
        case 'no_sale':
          keep('no_sale', {
            user: String(p.user),
            reason: String(p.reason),
            drawer: String(p.drawer),
            at: r.created_at,
            approval: p.approved_by ? { action: 'no_sale', by: String(p.approved_by), at: r.created_at } : null,
          });
          break;
        default:
          throw new TpvError('internal', 'outbox.legacy', { id: r.id });
      }
    }
    app.db.prepare('DELETE FROM outbox').run();
    const insert = app.db.prepare('INSERT INTO outbox (id, type, version, payload, created_at) VALUES (?, ?, ?, ?, ?)');
    for (const e of upgraded) insert.run(e.id, e.type, EVENT_VERSION, JSON.stringify(e.payload), e.created_at);
    return rows.length;
  });
}
