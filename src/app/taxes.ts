/** Tax categories: one per rate. Products refer to a category; imports name the rate in percent. */
import { TpvError } from '../core/errors.js';
import { formatRate } from '../core/money.js';
import { taxLabel } from '../core/profile.js';
import { storedText } from '../core/text.js';
import type { Sqlite } from '../db/connection.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

export interface TaxCategory {
  id: number;
  code: string;
  name: string;
  rate: number; // basis points
}

export function insertTaxCategory(
  db: Sqlite,
  country: string,
  rate: number,
  code?: string,
  name?: string,
): TaxCategory {
  if (!Number.isSafeInteger(rate) || rate < 0 || rate > 10000) {
    throw new TpvError('invalid', 'product.tax_rate_range');
  }
  const label = taxLabel(country);
  const c = (code !== undefined && storedText(code, 'code', '--code')) || `${label}${formatRate(rate).replace('.', '_')}`;
  const n = (name !== undefined && storedText(name, 'name', '--name')) || `${label} ${formatRate(rate)}%`;
  const existing = db.prepare('SELECT code FROM tax_categories WHERE rate = ? OR code = ?').get(rate, c) as
    | { code: string }
    | undefined;
  if (existing) throw new TpvError('conflict', 'tax.exists', { rate: formatRate(rate), code: existing.code });
  const r = db.prepare('INSERT INTO tax_categories (code, name, rate) VALUES (?, ?, ?)').run(c, n, rate);
  return { id: Number(r.lastInsertRowid), code: c, name: n, rate };
}

export function listTaxes(db: Sqlite): TaxCategory[] {
  return db.prepare('SELECT id, code, name, rate FROM tax_categories ORDER BY rate DESC').all() as TaxCategory[];
}

/** `tpv taxes add`: a new rate for the catalog (store management). */
export function addTax(app: App, actor: UserRow, rate: number, opts: { code?: string; name?: string; approver?: Approver } = {}): TaxCategory {
  authorize(app, actor, 'manage_store', opts.approver);
  return inTransaction(app, () => {
    const tax = insertTaxCategory(app.db, app.profile.country, rate, opts.code, opts.name);
    appendEvent(app, 'tax_category', { tax: { code: tax.code, name: tax.name, rate: formatRate(tax.rate) } });
    return tax;
  });
}

/** rate (bp) → category id, for imports and product edits. */
export function taxIdsByRate(db: Sqlite): Map<number, number> {
  return new Map(listTaxes(db).map((t) => [t.rate, t.id]));
}
