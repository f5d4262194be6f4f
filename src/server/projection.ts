/**
 * What the server applies of the events it stores (docs/sync.md, "What the server applies"): the
 * documents they carry, with their lines, taxes and payments; the store-credit movements; the Z
 * figures. Each event is parsed once, with the outbox contract (src/sync/events.ts), into a
 * {@link Projection}, written to the projection tables in the transaction that stores the event.
 * The tables and the SQL are the same in both dialects but for their placeholders; each adapter
 * runs them. No floats: money is integer minor units of the document's currency, store-credit
 * amounts integer ten-thousandths (see {@link CREDIT_SCALE}), rates basis points, quantities
 * thousandths (kg to the gram, units × 1000), as src/core/money.ts parses them; what is not exact
 * makes the event {@link Unappliable}.
 *
 * The projection can be rebuilt from the stored events ({@link rebuildProjections}): a schema
 * upgrade drops the projection tables, creates them anew and re-applies every stored event.
 */
import { ZodError } from 'zod';
import { currencyExponent, parseDecimal, parseRate, QTY_SCALE } from '../core/money.js';
import { type CreditMove, type DocumentPayload, parseEvent } from '../sync/events.js';
import type { IncomingEvent } from './storage.js';

/**
 * The projection tables, identical in both dialects (`int` is the dialect's 64-bit integer type).
 * Created after the adapter's own tables. A flag (`goods`) is an integer 0 or 1 in both.
 * document_lines, twenty rows a sale, has no foreign key to its document and no index but its key:
 * they are written in the same statement batch as their document, and PostgreSQL's per-row check
 * of a foreign key cost almost half of their insert (the sync bench pushes 20-line sales).
 */
export const PROJECTION_SCHEMA = (int: string): string => `
CREATE TABLE IF NOT EXISTS documents (
  terminal text NOT NULL,
  number text NOT NULL,
  type text NOT NULL,
  seq ${int} NOT NULL,
  created_at text NOT NULL,
  business_day text NOT NULL,
  user_code text NOT NULL,
  currency text NOT NULL,
  total ${int} NOT NULL,
  rounding ${int} NOT NULL,
  shift_uid text,
  event_id text NOT NULL,
  PRIMARY KEY (terminal, number)
);
CREATE INDEX IF NOT EXISTS documents_day ON documents (business_day);
CREATE INDEX IF NOT EXISTS documents_series ON documents (terminal, type, substr(business_day, 1, 4), seq);
CREATE TABLE IF NOT EXISTS document_taxes (
  terminal text NOT NULL,
  number text NOT NULL,
  rate ${int} NOT NULL,
  base ${int} NOT NULL,
  tax ${int} NOT NULL,
  FOREIGN KEY (terminal, number) REFERENCES documents (terminal, number)
);
CREATE INDEX IF NOT EXISTS document_taxes_doc ON document_taxes (terminal, number);
CREATE TABLE IF NOT EXISTS document_payments (
  terminal text NOT NULL,
  number text NOT NULL,
  method text NOT NULL,
  amount ${int} NOT NULL,
  FOREIGN KEY (terminal, number) REFERENCES documents (terminal, number)
);
CREATE INDEX IF NOT EXISTS document_payments_doc ON document_payments (terminal, number);
CREATE TABLE IF NOT EXISTS document_lines (
  terminal text NOT NULL,
  number text NOT NULL,
  line ${int} NOT NULL,
  sku text NOT NULL,
  name text NOT NULL,
  unit text NOT NULL,
  qty ${int} NOT NULL,
  unit_price ${int} NOT NULL,
  gross ${int} NOT NULL,
  line_discount ${int} NOT NULL,
  cart_discount ${int} NOT NULL,
  amount ${int} NOT NULL,
  tax_rate ${int} NOT NULL,
  goods ${int} NOT NULL,
  PRIMARY KEY (terminal, number, line)
);
CREATE TABLE IF NOT EXISTS credit_moves (
  terminal text NOT NULL,
  event_id text NOT NULL,
  idx ${int} NOT NULL,
  code text NOT NULL,
  kind text NOT NULL,
  amount ${int} NOT NULL,
  at text NOT NULL,
  ref text,
  origin text,
  expires_at text,
  customer text,
  reason text,
  PRIMARY KEY (event_id, idx)
);
CREATE INDEX IF NOT EXISTS credit_moves_code ON credit_moves (code);
CREATE TABLE IF NOT EXISTS z_reports (
  terminal text NOT NULL,
  number text NOT NULL,
  shift_uid text NOT NULL,
  opened_at text NOT NULL,
  closed_at text,
  float ${int} NOT NULL,
  expected ${int} NOT NULL,
  counted ${int},
  difference ${int},
  receipts_count ${int} NOT NULL,
  receipts_total ${int} NOT NULL,
  refunds_count ${int} NOT NULL,
  refunds_total ${int} NOT NULL,
  cash_in ${int} NOT NULL,
  cash_out ${int} NOT NULL,
  rounding ${int} NOT NULL,
  carts_dropped ${int} NOT NULL,
  PRIMARY KEY (terminal, number),
  FOREIGN KEY (terminal, number) REFERENCES documents (terminal, number)
);
`;

/** A cell of a projection row. */
export type Cell = string | number | null;

/**
 * The projection tables in the order they are written (a document before what refers to it), each
 * with its columns after `terminal` (every table's first) and their type: what the adapters build
 * their INSERT statements from ({@link sqliteInsert}, {@link postgresInsert}).
 */
export const PROJECTION_TABLES = {
  documents: { number: 'text', type: 'text', seq: 'int', created_at: 'text', business_day: 'text', user_code: 'text', currency: 'text', total: 'int', rounding: 'int', shift_uid: 'text', event_id: 'text' },
  document_taxes: { number: 'text', rate: 'int', base: 'int', tax: 'int' },
  document_payments: { number: 'text', method: 'text', amount: 'int' },
  document_lines: {
    number: 'text',
    line: 'int',
    sku: 'text',
    name: 'text',
    unit: 'text',
    qty: 'int',
    unit_price: 'int',
    gross: 'int',
    line_discount: 'int',
    cart_discount: 'int',
    amount: 'int',
    tax_rate: 'int',
    goods: 'int',
  },
  credit_moves: { event_id: 'text', idx: 'int', code: 'text', kind: 'text', amount: 'int', at: 'text', ref: 'text', origin: 'text', expires_at: 'text', customer: 'text', reason: 'text' },
  z_reports: {
    number: 'text',
    shift_uid: 'text',
    opened_at: 'text',
    closed_at: 'text',
    float: 'int',
    expected: 'int',
    counted: 'int',
    difference: 'int',
    receipts_count: 'int',
    receipts_total: 'int',
    refunds_count: 'int',
    refunds_total: 'int',
    cash_in: 'int',
    cash_out: 'int',
    rounding: 'int',
    carts_dropped: 'int',
  },
} as const satisfies Record<string, Record<string, 'text' | 'int'>>;

export type ProjectionTable = keyof typeof PROJECTION_TABLES;
export const PROJECTION_TABLE_NAMES = Object.keys(PROJECTION_TABLES) as ProjectionTable[];

/** Drops every projection table (children first): a rebuild creates them anew, in today's shape. */
export const DROP_PROJECTION = [...PROJECTION_TABLE_NAMES].reverse().map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n');

/** SQLite: one row of a table (`?` placeholders; terminal first, then the columns in order). */
export function sqliteInsert(table: ProjectionTable): string {
  const cols = Object.keys(PROJECTION_TABLES[table]);
  return `INSERT INTO ${table} (terminal, ${cols.join(', ')}) VALUES (?${', ?'.repeat(cols.length)})`;
}

/** PostgreSQL: every row of a table at once, `$1` the terminal, then one array per column (unnest). */
export function postgresInsert(table: ProjectionTable): string {
  const cols = Object.entries(PROJECTION_TABLES[table]);
  const arrays = cols.map(([, type], i) => `$${i + 2}::${type === 'int' ? 'bigint' : 'text'}[]`);
  return `INSERT INTO ${table} (terminal, ${cols.map(([c]) => c).join(', ')}) SELECT $1, * FROM unnest(${arrays.join(', ')})`;
}

/** A document line: money in minor units, qty in thousandths, the rate in basis points, goods 1 (a voucher 0). */
export interface ProjectedLine {
  line: number;
  sku: string;
  name: string;
  unit: string;
  qty: number;
  unit_price: number;
  gross: number;
  line_discount: number;
  cart_discount: number;
  amount: number;
  tax_rate: number;
  goods: 0 | 1;
}

/** A document as the server keeps it: amounts in minor units of `currency`, rates in basis points. */
export interface ProjectedDocument {
  number: string;
  type: string;
  /** Its place in its series (restarting each year when the series resets yearly). */
  seq: number;
  created_at: string;
  /** The date part of created_at: the till writes it in the store's own offset. */
  business_day: string;
  user_code: string;
  currency: string;
  total: number;
  rounding: number;
  shift_uid: string | null;
  taxes: { rate: number; base: number; tax: number }[];
  payments: { method: string; amount: number }[];
  lines: ProjectedLine[];
}

/**
 * The scale of store-credit amounts: integer ten-thousandths of the currency's unit, whatever the
 * currency. A credit movement does not name its currency (the till writes it in the store's) and an
 * event of its own (credit_issue, credit_void, credit_expire) carries no document to take one from:
 * 10^-4 is exact for every currency tpv knows (none has more than 4 decimals), the same for every
 * row, and needs nothing but the event itself. 12.50 EUR of credit is 125000.
 */
export const CREDIT_SCALE = 4;

/** A movement of a store-credit ledger; `idx` its place in the event's `credits`, from 0. */
export interface ProjectedCredit {
  idx: number;
  code: string;
  kind: string;
  /** Signed, in ten-thousandths ({@link CREDIT_SCALE}). */
  amount: number;
  at: string;
  ref: string | null;
  origin: string | null;
  expires_at: string | null;
  customer: string | null;
  reason: string | null;
}

/** A Z report's figures: money in minor units of its document's currency. */
export interface ProjectedZ {
  number: string;
  shift_uid: string;
  opened_at: string;
  closed_at: string | null;
  float: number;
  expected: number;
  counted: number | null;
  difference: number | null;
  receipts_count: number;
  receipts_total: number;
  refunds_count: number;
  refunds_total: number;
  cash_in: number;
  cash_out: number;
  rounding: number;
  carts_dropped: number;
}

/** All an event applies, from its one parse. */
export interface Projection {
  documents: ProjectedDocument[];
  credits: ProjectedCredit[];
  z: ProjectedZ | null;
}

/** An event the server cannot apply: kept apart (quarantined) with this reason, and acked. */
export class Unappliable extends Error {}

/** Money of a document: exact in its currency's minor unit, else unappliable (naming `what`). */
function moneyIn(currency: string, whatDefault: string): (text: string, what?: string) => number {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new Unappliable(`${whatDefault}: unknown currency ${currency}`);
  return (text, what = whatDefault) => {
    const r = parseDecimal(text, exponent, { allowNegative: true });
    if (!r.ok) throw new Unappliable(`${what}: "${text}" is not an amount in ${currency}`);
    return r.value;
  };
}

function projectDocument(terminal: string, d: DocumentPayload): ProjectedDocument {
  if (d.register !== terminal) throw new Unappliable(`document ${d.number} is register ${d.register}'s, sent by ${terminal}`);
  const money = moneyIn(d.currency, `document ${d.number}`);
  const rate = (text: string, what = `document ${d.number}`): number => {
    const r = parseRate(text);
    if (!r.ok) throw new Unappliable(`${what}: "${text}" is not a tax rate`);
    return r.value;
  };
  const lineNumbers = new Set<number>();
  const lines = d.lines.map((l): ProjectedLine => {
    const what = `document ${d.number} line ${l.line}`;
    if (lineNumbers.has(l.line)) throw new Unappliable(`${what} twice`);
    lineNumbers.add(l.line);
    const qty = parseDecimal(l.qty, QTY_SCALE, { allowNegative: true });
    if (!qty.ok) throw new Unappliable(`${what}: "${l.qty}" is not a quantity`);
    return {
      line: l.line,
      sku: l.sku,
      name: l.name,
      unit: l.unit,
      qty: qty.value,
      unit_price: money(l.unit_price, what),
      gross: money(l.gross, what),
      line_discount: money(l.line_discount, what),
      cart_discount: money(l.cart_discount, what),
      amount: money(l.amount, what),
      tax_rate: rate(l.tax_rate, what),
      goods: l.goods ? 1 : 0,
    };
  });
  return {
    number: d.number,
    type: d.type,
    seq: d.seq,
    created_at: d.created_at,
    business_day: d.created_at.slice(0, 10),
    user_code: d.user,
    currency: d.currency,
    total: money(d.total),
    rounding: money(d.rounding),
    shift_uid: d.shift,
    taxes: d.taxes.map((t) => ({ rate: rate(t.rate), base: money(t.base), tax: money(t.tax) })),
    payments: d.payments.map((m) => ({ method: m.method, amount: money(m.amount) })),
    lines,
  };
}

/** The credit movements of an event; `currency`, when the event carries documents, must fit them too. */
function projectCredits(credits: CreditMove[], currency: string | undefined): ProjectedCredit[] {
  const inCurrency = currency === undefined ? undefined : moneyIn(currency, 'credit');
  return credits.map((c, idx) => {
    const amount = parseDecimal(c.amount, CREDIT_SCALE, { allowNegative: true });
    if (!amount.ok) throw new Unappliable(`credit ${c.code}: "${c.amount}" is not an amount`);
    inCurrency?.(c.amount, `credit ${c.code}`);
    return {
      idx,
      code: c.code,
      kind: c.kind,
      amount: amount.value,
      at: c.at,
      ref: c.ref,
      origin: c.origin ?? null,
      expires_at: c.expires_at ?? null,
      customer: c.customer ?? null,
      reason: c.reason ?? null,
    };
  });
}

function projectZ(z: DocumentPayload, shift: string, cartsDropped: number): ProjectedZ {
  const f = z.figures;
  if (!f) throw new Unappliable(`Z ${z.number} carries no figures`);
  if (f.shift !== shift) throw new Unappliable(`Z ${z.number}: its figures are shift ${f.shift}'s, not ${shift}'s`);
  if (f.register !== z.register) throw new Unappliable(`Z ${z.number}: its figures are register ${f.register}'s`);
  const money = moneyIn(z.currency, `Z ${z.number}`);
  const nullable = (text: string | null): number | null => (text === null ? null : money(text));
  return {
    number: z.number,
    shift_uid: shift,
    opened_at: f.opened_at,
    closed_at: f.closed_at,
    float: money(f.cash.float),
    expected: money(f.cash.expected),
    counted: nullable(f.cash.counted),
    difference: nullable(f.cash.difference),
    receipts_count: f.receipts.count,
    receipts_total: money(f.receipts.total),
    refunds_count: f.refunds.count,
    refunds_total: money(f.refunds.total),
    cash_in: money(f.cash.in),
    cash_out: money(f.cash.out),
    rounding: money(f.cash.rounding),
    carts_dropped: cartsDropped,
  };
}

const NOTHING: Projection = Object.freeze({ documents: [], credits: [], z: null }) as Projection;

/**
 * What an event applies (nothing for the events that carry neither document, credit nor Z), from
 * one parse with the outbox contract. Throws {@link Unappliable} with the reason when the event
 * does not parse, a document is another register's or comes twice, or an amount, quantity or rate
 * is not exact. Whether a document number is held already is the caller's to check.
 */
export function project(terminal: string, e: IncomingEvent): Projection {
  let parsed;
  try {
    parsed = parseEvent({ seq: e.seq, id: e.id, type: e.type, version: e.version, payload: e.payload, created_at: e.at });
  } catch (err) {
    const issue = err instanceof ZodError ? err.issues[0] : undefined;
    throw new Unappliable(issue ? `${e.type} payload: ${issue.path.join('.') || '(root)'}: ${issue.message}` : `${e.type}: ${(err as Error).message}`);
  }
  let docs: DocumentPayload[] = [];
  let credits: CreditMove[] = [];
  switch (parsed.type) {
    case 'sale':
      docs = [parsed.payload.receipt];
      credits = parsed.payload.credits;
      break;
    case 'refund':
      docs = [parsed.payload.refund, ...(parsed.payload.credit_note ? [parsed.payload.credit_note] : [])];
      credits = parsed.payload.credits;
      break;
    case 'exchange':
      docs = [parsed.payload.refund, ...(parsed.payload.credit_note ? [parsed.payload.credit_note] : []), parsed.payload.sale];
      credits = parsed.payload.credits;
      break;
    case 'invoice':
      docs = [parsed.payload.invoice];
      break;
    case 'shift_close':
      docs = [parsed.payload.z];
      break;
    case 'credit_issue':
    case 'credit_void':
    case 'credit_expire':
      credits = parsed.payload.credits;
      break;
    default:
      return NOTHING;
  }
  const numbers = new Set<string>();
  const documents = docs.map((d) => {
    if (numbers.has(d.number)) throw new Unappliable(`document ${d.number} twice in one event`);
    numbers.add(d.number);
    return projectDocument(terminal, d);
  });
  const z = parsed.type === 'shift_close' ? projectZ(parsed.payload.z, parsed.payload.shift, parsed.payload.carts_dropped) : null;
  return { documents, credits: projectCredits(credits, docs[0]?.currency), z };
}

/** {@link project}, or the reason the event cannot be applied. */
export function projectOrReason(terminal: string, e: IncomingEvent): Projection | string {
  try {
    return project(terminal, e);
  } catch (err) {
    if (err instanceof Unappliable) return err.message;
    throw err;
  }
}

/** Rows to write, by table (each row's cells in {@link PROJECTION_TABLES} order, the terminal left out). */
export type ProjectionRows = Record<ProjectionTable, Cell[][]>;

export function emptyRows(): ProjectionRows {
  return { documents: [], document_taxes: [], document_payments: [], document_lines: [], credit_moves: [], z_reports: [] };
}

/** Adds the rows of one event's projection. */
export function addRows(rows: ProjectionRows, eventId: string, p: Projection): void {
  for (const d of p.documents) {
    rows.documents.push([d.number, d.type, d.seq, d.created_at, d.business_day, d.user_code, d.currency, d.total, d.rounding, d.shift_uid, eventId]);
    for (const t of d.taxes) rows.document_taxes.push([d.number, t.rate, t.base, t.tax]);
    for (const m of d.payments) rows.document_payments.push([d.number, m.method, m.amount]);
    for (const l of d.lines) {
      rows.document_lines.push([d.number, l.line, l.sku, l.name, l.unit, l.qty, l.unit_price, l.gross, l.line_discount, l.cart_discount, l.amount, l.tax_rate, l.goods]);
    }
  }
  for (const c of p.credits) rows.credit_moves.push([eventId, c.idx, c.code, c.kind, c.amount, c.at, c.ref, c.origin, c.expires_at, c.customer, c.reason]);
  const z = p.z;
  if (z) {
    rows.z_reports.push([
      z.number,
      z.shift_uid,
      z.opened_at,
      z.closed_at,
      z.float,
      z.expected,
      z.counted,
      z.difference,
      z.receipts_count,
      z.receipts_total,
      z.refunds_count,
      z.refunds_total,
      z.cash_in,
      z.cash_out,
      z.rounding,
      z.carts_dropped,
    ]);
  }
}

/** What a rebuild reads and writes, in the adapter's open transaction. */
export interface ProjectionStore {
  /** The terminals holding events. */
  terminals(): Promise<string[]>;
  /** Up to `limit` of a terminal's stored events after seq `after`, in seq order. */
  events(terminal: string, after: number, limit: number): Promise<IncomingEvent[]>;
  /** Writes the rows of some of a terminal's events. */
  write(terminal: string, rows: ProjectionRows): Promise<void>;
}

/** Events read (and written) at a time by a rebuild. */
const REBUILD_PAGE = 1000;

/**
 * Re-applies every stored event, each terminal's in seq order, to projection tables the caller
 * has just created empty — inside the caller's transaction (a schema upgrade: docs/sync.md). An
 * event that does not apply by today's rules (one a server stored before it applied events: it
 * does not parse, or carries a document number an earlier event of its terminal holds) stays stored
 * as it is, and is not applied: it was acked long ago, and the till will never send it again.
 */
export async function rebuildProjections(store: ProjectionStore): Promise<{ applied: number; skipped: number }> {
  let applied = 0;
  let skipped = 0;
  for (const terminal of await store.terminals()) {
    const held = new Set<string>();
    for (let after = 0; ; ) {
      const page = await store.events(terminal, after, REBUILD_PAGE);
      if (page.length === 0) break;
      const rows = emptyRows();
      for (const e of page) {
        after = e.seq;
        const p = projectOrReason(terminal, e);
        if (typeof p === 'string' || p.documents.some((d) => held.has(d.number))) {
          skipped++;
          continue;
        }
        for (const d of p.documents) held.add(d.number);
        addRows(rows, e.id, p);
        applied++;
      }
      await store.write(terminal, rows);
    }
  }
  return { applied, skipped };
}
