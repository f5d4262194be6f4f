/**
 * What the server makes of the events it stores: the documents they carry, projected to its own
 * tables (documents, document_taxes, document_payments) in the transaction that stores the event,
 * and the consolidated sales report over them. The SQL is the same in both dialects but for its
 * placeholders; each adapter runs it. Money is stored as integer minor units of the document's
 * currency, rates as integer basis points: never floats.
 */
import { ZodError } from 'zod';
import { TpvError } from '../core/errors.js';
import { currencyExponent, formatDecimal, formatRate, parseDecimal, parseRate } from '../core/money.js';
import { type DocumentPayload, parseEvent } from '../sync/events.js';
import type { IncomingEvent, SalesRange, ServerReportBy, ServerSalesReport, ServerSalesRow } from './storage.js';

/** The projection tables, identical in both dialects (`INTEGER` is a 64-bit integer in each). */
export const PROJECTION_SCHEMA = (int: string): string => `
CREATE TABLE IF NOT EXISTS documents (
  terminal text NOT NULL,
  number text NOT NULL,
  type text NOT NULL,
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
`;

/** A document as the server keeps it: amounts in minor units of `currency`, rates in basis points. */
export interface ProjectedDocument {
  number: string;
  type: string;
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
}

/** An event the server cannot apply: kept apart (quarantined) with this reason, and acked. */
export class Unappliable extends Error {}

/**
 * The documents an event carries (none for events that carry no document), validated with the
 * outbox contract. Throws {@link Unappliable} with the reason when the event does not parse, a
 * document is another register's, or an amount is not exact in its currency.
 */
export function project(terminal: string, e: IncomingEvent): ProjectedDocument[] {
  let parsed;
  try {
    parsed = parseEvent({ seq: e.seq, id: e.id, type: e.type, version: e.version, payload: e.payload, created_at: e.at });
  } catch (err) {
    const issue = err instanceof ZodError ? err.issues[0] : undefined;
    throw new Unappliable(issue ? `${e.type} payload: ${issue.path.join('.') || '(root)'}: ${issue.message}` : `${e.type}: ${(err as Error).message}`);
  }
  let docs: DocumentPayload[];
  switch (parsed.type) {
    case 'sale':
      docs = [parsed.payload.receipt];
      break;
    case 'refund':
      docs = [parsed.payload.refund, ...(parsed.payload.credit_note ? [parsed.payload.credit_note] : [])];
      break;
    case 'exchange':
      docs = [parsed.payload.refund, ...(parsed.payload.credit_note ? [parsed.payload.credit_note] : []), parsed.payload.sale];
      break;
    case 'invoice':
      docs = [parsed.payload.invoice];
      break;
    case 'shift_close':
      docs = [parsed.payload.z];
      break;
    default:
      return [];
  }
  const numbers = new Set<string>();
  return docs.map((d) => {
    if (d.register !== terminal) throw new Unappliable(`document ${d.number} is register ${d.register}'s, sent by ${terminal}`);
    if (numbers.has(d.number)) throw new Unappliable(`document ${d.number} twice in one event`);
    numbers.add(d.number);
    const exponent = currencyExponent(d.currency);
    if (exponent === undefined) throw new Unappliable(`document ${d.number}: unknown currency ${d.currency}`);
    const money = (text: string): number => {
      const r = parseDecimal(text, exponent, { allowNegative: true });
      if (!r.ok) throw new Unappliable(`document ${d.number}: "${text}" is not an amount in ${d.currency}`);
      return r.value;
    };
    const rate = (text: string): number => {
      const r = parseRate(text);
      if (!r.ok) throw new Unappliable(`document ${d.number}: "${text}" is not a tax rate`);
      return r.value;
    };
    return {
      number: d.number,
      type: d.type,
      created_at: d.created_at,
      business_day: d.created_at.slice(0, 10),
      user_code: d.user,
      currency: d.currency,
      total: money(d.total),
      rounding: money(d.rounding),
      shift_uid: d.shift,
      taxes: d.taxes.map((t) => ({ rate: rate(t.rate), base: money(t.base), tax: money(t.tax) })),
      payments: d.payments.map((m) => ({ method: m.method, amount: money(m.amount) })),
    };
  });
}

/** A query's rows as the drivers give them: numbers, or numeric text (PostgreSQL's sums). */
type Raw = Record<string, string | number | null>;

export interface ReportQueries {
  rows: { sql: string; params: string[] };
  /** Cash rounding of the range (by payment: recorded cash is the rounded cash due). */
  rounding: { sql: string; params: string[] };
  totals: { sql: string; params: string[] };
  currencies: { sql: string; params: string[] };
}

const SIGN = "CASE d.type WHEN 'refund' THEN -1 ELSE 1 END";

/**
 * The report's SQL, like the till's own `tpv report sales` (src/app/reports.ts): receipts and
 * refunds only, refunds subtracted. `ph(n)` is the dialect's n-th placeholder.
 */
export function reportQueries(by: ServerReportBy, range: SalesRange, ph: (n: number) => string): ReportQueries {
  const params: string[] = [];
  let where = "d.type IN ('receipt', 'refund')";
  if (range.from) {
    params.push(range.from);
    where += ` AND d.business_day >= ${ph(params.length)}`;
  }
  if (range.to) {
    params.push(range.to);
    where += ` AND d.business_day <= ${ph(params.length)}`;
  }
  const docs = (key: string): string =>
    `SELECT ${key} AS key, sum(${SIGN}) AS count, sum(${SIGN} * d.total) AS total FROM documents d WHERE ${where} GROUP BY ${key}`;
  let sql: string;
  switch (by) {
    case 'terminal':
      sql = `${docs('d.terminal')} ORDER BY d.terminal`;
      break;
    case 'day':
      sql = `${docs('d.business_day')} ORDER BY d.business_day`;
      break;
    case 'user':
      sql = `${docs('d.user_code')} ORDER BY total DESC, d.user_code`;
      break;
    case 'payment':
      sql = `SELECT pm.method AS key, count(*) AS count, sum(${SIGN} * pm.amount) AS total FROM documents d
        JOIN document_payments pm ON pm.terminal = d.terminal AND pm.number = d.number WHERE ${where} GROUP BY pm.method ORDER BY total DESC, pm.method`;
      break;
    case 'tax':
      sql = `SELECT tx.rate AS key, count(*) AS count, sum(${SIGN} * (tx.base + tx.tax)) AS total, sum(${SIGN} * tx.base) AS base, sum(${SIGN} * tx.tax) AS tax
        FROM documents d JOIN document_taxes tx ON tx.terminal = d.terminal AND tx.number = d.number WHERE ${where} GROUP BY tx.rate ORDER BY tx.rate DESC`;
      break;
  }
  return {
    rows: { sql, params },
    rounding: { sql: `SELECT count(*) AS count, coalesce(sum(${SIGN} * d.rounding), 0) AS total FROM documents d WHERE ${where} AND d.rounding <> 0`, params },
    totals: { sql: `SELECT coalesce(sum(${SIGN}), 0) AS count, coalesce(sum(${SIGN} * d.total), 0) AS total FROM documents d WHERE ${where}`, params },
    currencies: { sql: `SELECT DISTINCT d.currency AS currency FROM documents d WHERE ${where} ORDER BY d.currency`, params },
  };
}

/** The report from its queries' rows: amounts printed in the range's one currency. */
export function salesReportOf(by: ServerReportBy, range: SalesRange, r: { rows: Raw[]; rounding: Raw; totals: Raw; currencies: Raw[] }): ServerSalesReport {
  const currencies = r.currencies.map((c) => String(c.currency));
  if (currencies.length > 1) throw new TpvError('conflict', 'server.report_currencies', { currencies: currencies.join(', ') });
  const currency = currencies[0] ?? null;
  const exponent = currency === null ? 2 : currencyExponent(currency)!;
  const m = (v: string | number | null | undefined): string => formatDecimal(Number(v ?? 0), exponent);
  const rows: ServerSalesRow[] = r.rows.map((x) => ({
    key: by === 'tax' ? formatRate(Number(x.key)) : String(x.key),
    count: Number(x.count),
    total: m(x.total),
    ...(by === 'tax' ? { base: m(x.base), tax: m(x.tax) } : {}),
  }));
  if (by === 'payment' && Number(r.rounding.total) !== 0) rows.push({ key: 'rounding', count: Number(r.rounding.count), total: m(-Number(r.rounding.total)) });
  return { by, from: range.from ?? null, to: range.to ?? null, currency, rows, count: Number(r.totals.count), total: m(r.totals.total) };
}
