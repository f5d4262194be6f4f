/** Tax categories: one per rate. Products refer to a category; imports name the rate in percent. */
import { TpvError } from '../core/errors.js';
import { formatRate } from '../core/money.js';
import type { Sqlite } from '../db/connection.js';
import { type App, inTransaction } from './context.js';

export interface TaxCategory {
  id: number;
  code: string;
  name: string;
  rate: number; // basis points
}

/** The usual rates of a country, for a new store (basis points). */
const COUNTRY_RATES: Record<string, { rates: number[]; label: string }> = {
  ES: { rates: [2100, 1000, 400, 0], label: 'IVA' },
  EC: { rates: [1500, 500, 0], label: 'IVA' },
  MX: { rates: [1600, 800, 0], label: 'IVA' },
  PT: { rates: [2300, 1300, 600, 0], label: 'IVA' },
  FR: { rates: [2000, 1000, 550, 210, 0], label: 'TVA' },
  DE: { rates: [1900, 700, 0], label: 'MwSt' },
  IT: { rates: [2200, 1000, 500, 400, 0], label: 'IVA' },
  AR: { rates: [2100, 1050, 0], label: 'IVA' },
  CO: { rates: [1900, 500, 0], label: 'IVA' },
  CL: { rates: [1900, 0], label: 'IVA' },
  PE: { rates: [1800, 0], label: 'IGV' },
};

export function defaultTaxRates(country: string): number[] {
  return COUNTRY_RATES[country]?.rates ?? [];
}

/** The name of the tax on receipts: IVA, TVA, MwSt, IGV… */
export function taxLabel(country: string): string {
  return COUNTRY_RATES[country]?.label ?? 'TAX';
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
  const c = code ?? `${label}${formatRate(rate).replace('.', '_')}`;
  const n = name ?? `${label} ${formatRate(rate)}%`;
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

export function addTax(app: App, rate: number, code?: string, name?: string): TaxCategory {
  return inTransaction(app, () =>
    insertTaxCategory(app.db, app.settings['store.country'] ?? '', rate, code, name),
  );
}

/** rate (bp) → category id, for imports and product edits. */
export function taxIdsByRate(db: Sqlite): Map<number, number> {
  return new Map(listTaxes(db).map((t) => [t.rate, t.id]));
}
