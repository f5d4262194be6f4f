/** The outbox: every committed business event, in register order, with a globally unique id. */
import type { Statement } from 'better-sqlite3';
import type { Sqlite } from '../db/connection.js';
import { uuidv7 } from './ids.js';

export type EventType = 'sale' | 'refund' | 'invoice' | 'credit_note' | 'shift_open' | 'shift_close' | 'cash_move' | 'credit' | 'no_sale';

/** Appends an event (inside the caller's transaction). Returns its id. */
const inserts = new WeakMap<Sqlite, Statement>();

export function appendOutbox(db: Sqlite, type: EventType, payload: unknown, now: Date): string {
  const id = uuidv7(now);
  let insert = inserts.get(db);
  if (!insert) {
    insert = db.prepare('INSERT INTO outbox (id, type, payload, created_at) VALUES (?, ?, ?, ?)');
    inserts.set(db, insert);
  }
  insert.run(
    id,
    type,
    JSON.stringify(payload),
    now.toISOString(),
  );
  return id;
}
