/**
 * Store settings: a fixed set of keys stored as JSON in the settings table. Reading them is
 * cheap and needs no validation library; writing goes through `settings-schema.ts` (zod),
 * which only the commands that change settings load.
 */
import type { VariableMeasureLayout } from '../core/barcode.js';
import type { Sqlite } from '../db/connection.js';

export interface Settings {
  'store.name': string;
  'store.legal_name': string;
  'store.tax_id': string;
  'store.address': string;
  'store.country': string;
  'store.currency': string;
  'store.timezone': string;
  'store.prices_include_tax': boolean;
  'store.language': 'es' | 'en';
  'register.code': string;
  'barcode.price_prefixes': string[];
  'barcode.weight_prefixes': string[];
  'barcode.item_digits': number;
  'barcode.price_check_digit': boolean;
  /** Largest discount a cashier gives without approval, in basis points of what it applies to. */
  'sales.discount_limit': number;
  /** Cash is settled to a multiple of this amount ("0.05"); "0" = no rounding. */
  'sales.cash_rounding': string;
  /** Tenders besides cash and card (e.g. bizum, transfer). */
  'sales.tenders': string[];
  /** Days a new store credit or voucher stays valid; 0 = no expiry. */
  'credit.expiry_days': number;
  /** Refunds without a receipt may be paid in cash (otherwise store credit only). */
  'refunds.no_receipt_cash': boolean;
  /** Minutes without a key before the cashier terminal locks; 0 = never. */
  'tui.lock_minutes': number;
}

export type SettingKey = keyof Settings;
export const SETTING_KEYS: readonly SettingKey[] = [
  'store.name',
  'store.legal_name',
  'store.tax_id',
  'store.address',
  'store.country',
  'store.currency',
  'store.timezone',
  'store.prices_include_tax',
  'store.language',
  'register.code',
  'barcode.price_prefixes',
  'barcode.weight_prefixes',
  'barcode.item_digits',
  'barcode.price_check_digit',
  'sales.discount_limit',
  'sales.cash_rounding',
  'sales.tenders',
  'credit.expiry_days',
  'refunds.no_receipt_cash',
  'tui.lock_minutes',
];


/** Defaults for keys `tpv init` does not ask for. */
export const SETTING_DEFAULTS: Partial<Settings> = {
  'store.prices_include_tax': true,
  'store.language': 'es',
  'register.code': 'T01',
  'barcode.price_prefixes': ['20', '21', '22', '23', '24'],
  'barcode.weight_prefixes': ['25', '26', '27', '28', '29'],
  'barcode.item_digits': 5,
  'barcode.price_check_digit': false,
  'sales.discount_limit': 1000,
  'sales.cash_rounding': '0',
  'sales.tenders': [],
  'credit.expiry_days': 365,
  'refunds.no_receipt_cash': false,
  'tui.lock_minutes': 5,
};

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

export function loadSettings(db: Sqlite): Partial<Settings> {
  const out: Record<string, unknown> = { ...SETTING_DEFAULTS };
  for (const row of db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]) {
    if (isSettingKey(row.key)) out[row.key] = JSON.parse(row.value);
  }
  return out as Partial<Settings>;
}

/** Writes validated values (inside the caller's transaction when there is one). */
export function writeSettings(db: Sqlite, values: Partial<Settings>): void {
  const stmt = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  for (const [k, v] of Object.entries(values)) stmt.run(k, JSON.stringify(v));
}

export function variableMeasureLayout(s: Partial<Settings>): VariableMeasureLayout {
  const layout: VariableMeasureLayout = {
    pricePrefixes: s['barcode.price_prefixes'] ?? [],
    weightPrefixes: s['barcode.weight_prefixes'] ?? [],
    itemDigits: s['barcode.item_digits'] ?? 5,
    priceCheckDigit: s['barcode.price_check_digit'] ?? false,
  };
  return layout;
}
