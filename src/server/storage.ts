/**
 * The store server's storage: one narrow interface, two adapters — embedded SQLite (the default,
 * src/server/sqlite.ts) and PostgreSQL for chains of stores (src/server/postgres.ts) — and one
 * contract test suite run against both (tests/server/storage-contract.ts). No dialect-specific
 * code outside the adapters. Every method is async: the server never blocks its event loop on a
 * database lock.
 */

import type { DocType } from '../core/numbering.js';

/** A till as the server knows it. */
export interface TerminalRecord {
  /** The register code (T01): one till per register, or two tills would issue the same numbers. */
  code: string;
  name: string;
  /** Whether its enrolment code was spent (it has a token). */
  enrolled: boolean;
  revokedAt: string | null;
  /** The highest seq held with every seq before it. */
  hwm: number;
  diverged: boolean;
  /** The last heartbeat or batch received (the server's clock). */
  lastSeenAt: string | null;
  /** The till's last heartbeat: its version, outbox backlog, last Z number, clock skew in ms. */
  heartbeat: { at: string; version: string; backlog: number; lastZ: string | null; skewMs: number } | null;
  /** The `at` of the last event stored (the till's clock). */
  lastEventAt: string | null;
  /** Events of this terminal kept apart (quarantine rows). */
  quarantined: number;
}

/** One outbox event as stored: the wire event, the hash of its body (sha256 hex of the canonical JSON). */
export interface IncomingEvent {
  id: string;
  seq: number;
  type: string;
  version: number;
  at: string;
  /** The payload as JSON text (canonical: keys sorted), stored as received. */
  payload: string;
  hash: string;
}

export interface IngestResult {
  /** The terminal's high-water mark after this batch committed: what the ack says. */
  hwm: number;
  stored: number;
  /** Already held with the same body (a resend): not stored again. */
  duplicates: number;
  /** Kept apart, acked all the same: same id with another body, or an event the server cannot apply. */
  quarantined: { id: string; reason: string }[];
  /** The batch skipped a seq: nothing after the gap was stored (the till resends from hwm + 1). */
  gap: boolean;
  /** A known seq came with another id (a till restored from an old backup): the terminal is now diverged, nothing stored. */
  diverged: boolean;
}

/**
 * The last document of one of a terminal's series that the server holds (the greatest seq of the
 * latest year): a till restored from an old backup moves its series past it (docs/sync.md).
 */
export interface LastNumber {
  type: DocType;
  /** The year of its business day (a series may restart each year). */
  year: number;
  seq: number;
  number: string;
}

export const SERVER_REPORT_BY = ['terminal', 'day', 'tax', 'payment', 'user'] as const;
export type ServerReportBy = (typeof SERVER_REPORT_BY)[number];

/** Business days (the store's dates), inclusive: "2026-11-01". */
export interface SalesRange {
  from?: string;
  to?: string;
}

export interface ServerSalesRow {
  /** The terminal, day, rate ("21"), payment method or user code. */
  key: string;
  /** Receipts minus refunds (by terminal, day, user); tax and payment rows count the rows summed. */
  count: number;
  /** Receipts minus refunds; by tax, base + tax. */
  total: string;
  /** By tax only. */
  base?: string;
  tax?: string;
}

export interface ServerSalesReport {
  by: ServerReportBy;
  from: string | null;
  to: string | null;
  currency: string | null;
  rows: ServerSalesRow[];
  /** Receipts minus refunds in the range, and their total: what the tills' own reports add up to. */
  count: number;
  total: string;
}

export interface ServerStorage {
  /**
   * A new terminal with a one-time enrolment code (its sha256), valid until `expiresAt`. Conflict
   * (`server.terminal_enrolled`) if the terminal is enrolled and not revoked. A terminal not yet
   * enrolled gets the new code (the old one stops working); a revoked one is reset to enrol again
   * (no token, not revoked; its events and hwm kept).
   */
  addTerminal(code: string, name: string, enrolHash: string, expiresAt: string, now: string): Promise<void>;
  /**
   * Spends an enrolment code (single use, not expired) for `register`, storing the token's hash;
   * clears `diverged` (an operator re-enrols a till after restoring its latest database). Returns
   * the terminal, or a reason it was refused (nothing written); the code of a terminal revoked
   * before it enrolled counts as expired.
   */
  enrol(enrolHash: string, register: string, tokenHash: string, now: string): Promise<TerminalRecord | 'unknown' | 'expired' | 'used' | 'wrong_register'>;
  /**
   * A terminal and its token's hash, for the server to compare in constant time (a token is
   * `CODE.SECRET`: the code finds the row, the secret's hash is compared). Undefined when unknown.
   */
  credentials(code: string): Promise<{ terminal: TerminalRecord; tokenHash: string | null } | undefined>;
  /** Its token stops working (and a pending enrolment code). False when unknown; revoked again keeps the first time. */
  revoke(code: string, now: string): Promise<boolean>;
  listTerminals(): Promise<TerminalRecord[]>;
  /** Keeps the till's last heartbeat; `beat.at` (when the server received it) becomes lastSeenAt, as does an ingest's `now`. */
  heartbeat(code: string, beat: NonNullable<TerminalRecord['heartbeat']>): Promise<void>;
  /**
   * Applies a batch in one transaction: each event in seq order is stored once keyed by its id and
   * the hwm advanced; a resend of a held event is a duplicate; the same id with another body is
   * quarantined (acked); a gap stops the batch; a known seq with another id marks the terminal
   * diverged and stores nothing of the batch (nor of any later one while diverged). The result is
   * what the ack may say — only after the commit. Unknown terminal: `server.terminal_unknown`.
   * Safe when two processes ingest the same batch at once: stored once.
   *
   * Each event stored is applied in that same transaction (src/server/projection.ts): the
   * documents it carries (sale, refund, exchange, invoice, shift_close) projected to documents,
   * document_taxes, document_payments and document_lines, its store-credit movements (sale,
   * refund, exchange, credit_issue, credit_void, credit_expire) to credit_moves, a Z's figures to
   * z_reports; an event that does not parse with the outbox contract, or cannot be applied
   * exactly (another register's document, a document number already held, an amount, quantity or
   * rate finer than its unit), is quarantined instead, with its reason, and acked. Opening data
   * of an older schema applies every stored event again.
   */
  ingest(code: string, events: IncomingEvent[], now: string): Promise<IngestResult>;
  /** Clears the terminal's diverged mark: `tpv sync resolve` moved its events past the hwm (docs/sync.md). */
  resolve(code: string): Promise<void>;
  /** The last document the server holds of each of the terminal's series (none for a type never sent). */
  lastNumbers(code: string): Promise<LastNumber[]>;
  /** The events held for a terminal in seq order (tests, reports, export). */
  events(code: string, afterSeq?: number, limit?: number): Promise<IncomingEvent[]>;
  /**
   * Receipts minus refunds of every terminal, by terminal, business day, tax rate, payment method
   * or user, over a range of business days: each terminal's part gives what its till's own
   * `tpv report sales` gives. Conflict (`server.report_currencies`) when the range holds documents
   * in more than one currency.
   */
  salesReport(by: ServerReportBy, range: SalesRange): Promise<ServerSalesReport>;
  close(): Promise<void>;
}
