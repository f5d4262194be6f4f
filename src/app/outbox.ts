/** The outbox: every committed business event, in register order, with a globally unique id. */
import type { Sqlite } from '../db/connection.js';
import { uuidv7 } from './ids.js';

export type EventType = 'sale' | 'refund' | 'invoice' | 'shift_open' | 'shift_close' | 'cash_move' | 'credit';

/** Appends an event (inside the caller's transaction). Returns its id. */
export function appendOutbox(db: Sqlite, type: EventType, payload: unknown, now: Date): string {
  const id = uuidv7(now);
  db.prepare('INSERT INTO outbox (id, type, payload, created_at) VALUES (?, ?, ?, ?)').run(
    id,
    type,
    JSON.stringify(payload),
    now.toISOString(),
  );
  return id;
}
