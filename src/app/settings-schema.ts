/**
 * Validation of store settings (zod): parses the text a user types (`tpv config set KEY VALUE`,
 * `tpv init`) into the stored value, with a clear error naming the key. Loaded only by the
 * commands that change settings (zod costs ~50 ms of start-up).
 */
import { z } from 'zod';
import { checkLayout } from '../core/barcode.js';
import { TpvError } from '../core/errors.js';
import { currencyExponent, parseDecimal, parseRate, problemError } from '../core/money.js';
import { isMessageKey } from '../i18n/index.js';
import { parseBoolean } from '../core/product.js';
import { resolveProfile, type SettingKey, type Settings } from '../core/profile.js';

const text = (max: number) => z.string().trim().min(1, 'setting.empty').max(max, 'setting.too_long');
const bool = z.preprocess(
  (v) => (typeof v === 'string' ? (parseBoolean(v) ?? v) : v),
  z.boolean({ error: 'setting.boolean' }),
);

export function isCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  const name = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' }).of(code);
  return name !== undefined && name !== code;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

const prefixes = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().regex(/^2[0-9]$/, 'setting.gs1_prefix')),
);

export const SETTINGS: { [K in SettingKey]: z.ZodType<Settings[K], unknown> } = {
  'store.name': text(100),
  'store.legal_name': text(200),
  'store.tax_id': text(40),
  'store.address': text(300),
  'store.country': z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .refine(isCountry, 'setting.country'),
  'store.currency': z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .refine((c) => currencyExponent(c) !== undefined, 'setting.currency'),
  'store.timezone': z.string().trim().refine(isTimeZone, 'setting.timezone'),
  'store.prices_include_tax': bool,
  'store.language': z.enum(['es', 'en'], { error: 'setting.language' }),
  'register.code': z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .refine((s) => /^[A-Z0-9]{1,8}$/.test(s), 'setting.register_code'),
  'barcode.price_prefixes': prefixes,
  'barcode.weight_prefixes': prefixes,
  'barcode.item_digits': z.coerce.number({ error: 'setting.integer' }).int('setting.integer').min(4, 'setting.item_digits').max(6, 'setting.item_digits'),
  'barcode.price_check_digit': bool,
  'sales.discount_limit': z.preprocess(
    (v) => (typeof v === 'string' ? percentBp(v) : v),
    z.number({ error: 'setting.percent' }).int('setting.percent').min(0, 'setting.percent').max(10000, 'setting.percent'),
  ),
  'sales.cash_rounding': z
    .string()
    .trim()
    .transform((s) => s.replace(',', '.'))
    .refine((s) => parseDecimal(s, 4).ok, 'setting.cash_rounding'),
  'sales.tenders': z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : v),
    z.array(z.string().regex(/^[a-z][a-z0-9_]{0,19}$/, 'setting.tender').refine((s) => !['cash', 'card', 'store_credit', 'exchange'].includes(s), 'setting.tender')),
  ),
  'credit.expiry_days': z.coerce
    .number({ error: 'setting.integer' })
    .int('setting.integer')
    .min(0, 'setting.integer')
    .max(36500, 'setting.integer'),
  'refunds.no_receipt_cash': bool,
  'tui.lock_minutes': z.coerce.number({ error: 'setting.integer' }).int('setting.integer').min(0, 'setting.integer').max(1440, 'setting.integer'),
};

/** "10" or "10%" → 1000 basis points (NaN when not a percent, which zod then refuses). */
function percentBp(text: string): number {
  const r = parseRate(text.trim().replace(/%$/, ''));
  return r.ok ? r.value : Number.NaN;
}


/** Parses a user's value for a key; throws an invalid-input error naming the key. */
export function parseSetting<K extends SettingKey>(key: K, value: unknown): Settings[K] {
  const r = SETTINGS[key].safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TpvError('invalid', issue && isMessageKey(issue.message) ? issue.message : 'setting.invalid', {
      key,
      value: String(value),
    });
  }
  return r.data as Settings[K];
}

/** Validates a would-be layout as a whole (after changing one of its keys). */
export function assertLayout(s: Partial<Settings>): void {
  const r = checkLayout(resolveProfile(s).barcodes);
  if (!r.ok) throw problemError('invalid', r.problem, 0);
}
