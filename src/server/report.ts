/**
 * The server's queries over what it applied of the events (src/server/projection.ts): the last
 * document of each of a terminal's series, and the consolidated sales report. The SQL is the same
 * in both dialects but for its placeholders; each adapter runs it. Money is integer minor units of
 * the document's currency, rates integer basis points: never floats.
 */
import { TpvError } from '../core/errors.js';
import { DOC_TYPES } from '../core/numbering.js';
import { currencyExponent, formatDecimal, formatRate } from '../core/money.js';
import type { LastNumber, SalesRange, ServerReportBy, ServerSalesReport, ServerSalesRow } from './storage.js';

/**
 * The last document of a terminal's series of one type: the greatest seq of its latest year (a
 * series may restart each year), found through the documents_series index. `ph(n)` as below.
 */
export const lastNumberSql = (ph: (n: number) => string): string =>
  `SELECT seq, number, business_day FROM documents WHERE terminal = ${ph(1)} AND type = ${ph(2)} ORDER BY substr(business_day, 1, 4) DESC, seq DESC LIMIT 1`;

/** The rows of {@link lastNumberSql}, one query per series type, as {@link LastNumber}s. */
export async function lastNumbersOf(query: (type: string) => Promise<Raw | undefined>): Promise<LastNumber[]> {
  const out: LastNumber[] = [];
  for (const type of DOC_TYPES) {
    const r = await query(type);
    if (r) out.push({ type, year: Number(String(r.business_day).slice(0, 4)), seq: Number(r.seq), number: String(r.number) });
  }
  return out;
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
