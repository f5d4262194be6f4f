/** Receipt lists and sales reports: set-based SQL over the documents (refunds count negative). */
import { TpvError } from '../core/errors.js';
import { formatDecimal, formatQuantity, formatRate } from '../core/money.js';
import { documentIdByNumber } from '../db/documents.js';
import { type App } from './context.js';

export interface ReceiptRow {
  number: string;
  type: string;
  created_at: string;
  user: string;
  lines: number;
  total: string;
}

export interface Period {
  /** Local dates, inclusive: "2026-11-01". */
  from?: string;
  to?: string;
}

/** created_at is local time with offset, so its first 10 characters are the shop's date. */
function periodSql(p: Period, column = 'd.created_at'): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (p.from) {
    parts.push(`${column} >= ?`);
    params.push(p.from);
  }
  if (p.to) {
    parts.push(`${column} < ?`);
    params.push(nextDay(p.to));
  }
  return { sql: parts.length ? ' AND ' + parts.join(' AND ') : '', params };
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function listReceipts(app: App, opts: Period & { shift?: string; limit?: number }): ReceiptRow[] {
  const { exponent } = app.profile;
  const where: string[] = ["d.type IN ('receipt', 'refund')"];
  const params: (string | number)[] = [];
  if (opts.shift) {
    const z = documentIdByNumber(app.db, opts.shift);
    const shiftId = z === undefined ? undefined : (app.db.prepare("SELECT shift_id FROM documents WHERE id = ? AND type = 'z_report'").pluck().get(z) as number | undefined);
    if (shiftId === undefined) throw new TpvError('not_found', 'shift.z_not_found', { number: opts.shift });
    where.push('d.shift_id = ?');
    params.push(shiftId);
  }
  const period = periodSql(opts);
  const rows = app.db
    .prepare(`SELECT d.number, d.type, d.created_at, u.code AS user, (SELECT count(*) FROM document_lines l WHERE l.document_id = d.id) AS lines, d.total
      FROM documents d JOIN users u ON u.id = d.user_id WHERE ${where.join(' AND ')}${period.sql} ORDER BY d.id LIMIT ?`)
    .all(...params, ...period.params, opts.limit ?? 100) as (Omit<ReceiptRow, 'total'> & { total: number })[];
  return rows.map((r) => ({ ...r, total: formatDecimal(r.type === 'refund' ? -r.total : r.total, exponent) }));
}

export const REPORT_BY = ['day', 'hour', 'product', 'category', 'tender', 'user', 'tax'] as const;
export type ReportBy = (typeof REPORT_BY)[number];

export interface ReportRow {
  key: string;
  label: string;
  /** Documents (or lines for products/categories) counted. */
  count: number;
  /** Quantity sold, for products. */
  qty: string | null;
  amount: string;
}

export interface SalesReport {
  by: ReportBy;
  from: string | null;
  to: string | null;
  rows: ReportRow[];
  /** Receipts minus refunds in the period. */
  count: number;
  total: string;
}

const SIGN = "CASE d.type WHEN 'refund' THEN -1 ELSE 1 END";

export function salesReport(app: App, by: ReportBy, period: Period = {}): SalesReport {
  const { exponent } = app.profile;
  const p = periodSql(period);
  const base = `FROM documents d WHERE d.type IN ('receipt', 'refund')${p.sql}`;
  let sql: string;
  switch (by) {
    case 'day':
      sql = `SELECT substr(d.created_at, 1, 10) AS key, substr(d.created_at, 1, 10) AS label, sum(${SIGN}) AS count, NULL AS qty, sum(${SIGN} * d.total) AS amount ${base} GROUP BY key ORDER BY key`;
      break;
    case 'hour':
      sql = `SELECT substr(d.created_at, 12, 2) AS key, substr(d.created_at, 12, 2) || ':00' AS label, sum(${SIGN}) AS count, NULL AS qty, sum(${SIGN} * d.total) AS amount ${base} GROUP BY key ORDER BY key`;
      break;
    case 'user':
      sql = `SELECT u.code AS key, u.name AS label, sum(${SIGN}) AS count, NULL AS qty, sum(${SIGN} * d.total) AS amount FROM documents d JOIN users u ON u.id = d.user_id WHERE d.type IN ('receipt', 'refund')${p.sql} GROUP BY u.id ORDER BY amount DESC`;
      break;
    case 'tender':
      sql = `SELECT pm.method AS key, pm.method AS label, count(*) AS count, NULL AS qty, sum(${SIGN} * pm.amount) AS amount FROM documents d JOIN document_payments pm ON pm.document_id = d.id WHERE d.type IN ('receipt', 'refund')${p.sql} GROUP BY pm.method ORDER BY amount DESC`;
      break;
    case 'tax':
      sql = `SELECT tx.rate AS key, tx.rate AS label, count(*) AS count, NULL AS qty, sum(${SIGN} * (tx.base + tx.tax)) AS amount, sum(${SIGN} * tx.base) AS base, sum(${SIGN} * tx.tax) AS tax FROM documents d JOIN document_taxes tx ON tx.document_id = d.id WHERE d.type IN ('receipt', 'refund')${p.sql} GROUP BY tx.rate ORDER BY tx.rate DESC`;
      break;
    case 'product':
      sql = `SELECT l.sku AS key, l.name AS label, count(*) AS count, sum(${SIGN} * l.qty) AS qty, sum(${SIGN} * l.amount) AS amount FROM documents d JOIN document_lines l ON l.document_id = d.id WHERE d.type IN ('receipt', 'refund')${p.sql} GROUP BY l.sku ORDER BY amount DESC`;
      break;
    case 'category':
      sql = `SELECT coalesce(c.name, '-') AS key, coalesce(c.name, '-') AS label, count(*) AS count, NULL AS qty, sum(${SIGN} * l.amount) AS amount FROM documents d JOIN document_lines l ON l.document_id = d.id LEFT JOIN categories c ON c.id = l.category_id WHERE d.type IN ('receipt', 'refund')${p.sql} GROUP BY c.id ORDER BY amount DESC`;
      break;
  }
  const raw = app.db.prepare(sql).all(...p.params) as { key: string | number; label: string | number; count: number; qty: number | null; amount: number }[];
  if (by === 'tender') {
    // recorded cash is the rounded cash due: the rounding row makes the tenders add up to the sales
    const r = app.db.prepare(`SELECT count(*) AS n, coalesce(sum(${SIGN} * d.rounding), 0) AS rounding ${base} AND d.rounding != 0`).get(...p.params) as { n: number; rounding: number };
    if (r.rounding !== 0) raw.push({ key: 'rounding', label: 'rounding', count: r.n, qty: null, amount: -r.rounding });
  }
  if (by === 'tax') {
    // gift vouchers sold carry no tax: their row makes the rates add up to the sales
    const v = app.db
      .prepare(`SELECT count(*) AS n, coalesce(sum(${SIGN} * l.amount), 0) AS amount FROM documents d JOIN document_lines l ON l.document_id = d.id
        WHERE d.type IN ('receipt', 'refund') AND l.product_id IS NULL AND l.sku = 'VOUCHER'${p.sql}`)
      .get(...p.params) as { n: number; amount: number };
    if (v.amount !== 0) raw.push({ key: 'vouchers', label: 'vouchers', count: v.n, qty: null, amount: v.amount });
  }
  const totals = app.db.prepare(`SELECT coalesce(sum(${SIGN}), 0) AS count, coalesce(sum(${SIGN} * d.total), 0) AS total ${base}`).get(...p.params) as { count: number; total: number };
  return {
    by,
    from: period.from ?? null,
    to: period.to ?? null,
    rows: raw.map((r) => ({
      key: by === 'tax' && r.key !== 'vouchers' ? formatRate(Number(r.key)) : String(r.key),
      label: by === 'tax' && r.key !== 'vouchers' ? `${formatRate(Number(r.label))} %` : String(r.label),
      count: r.count,
      qty: r.qty === null ? null : formatQuantity(r.qty),
      amount: formatDecimal(r.amount, exponent),
    })),
    count: totals.count,
    total: formatDecimal(totals.total, exponent),
  };
}
