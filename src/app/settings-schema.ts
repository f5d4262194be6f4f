/**
 * Validation of store settings (zod): parses the text a user types (`tpv config set KEY VALUE`,
 * `tpv init`) into the stored value, with a clear error naming the key. Loaded only by the
 * commands that change settings (zod costs ~50 ms of start-up).
 */
import { z } from 'zod';
import { checkLayout } from '../core/barcode.js';
import { type MessageKey, type Result, TpvError } from '../core/errors.js';
import { currencyExponent, parseRate, problemError, showParams } from '../core/money.js';
import { isMessageKey, t } from '../i18n/index.js';
import type { Notice } from './context.js';
import { parseBoolean } from '../core/product.js';
import { parseBackupEvery, parseCashRounding, resolveProfile, SETTING_DEFAULTS, type SettingKey, type Settings } from '../core/profile.js';
import { normalizeTaxId, TAX_ID_CHECK_PROBLEMS, type TaxIdInfo, validateTaxId } from '../core/taxid.js';
import type { TaxIdWarning } from './customers.js';
import { FORBIDDEN } from '../core/text.js';

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'setting.empty')
    .max(max, 'setting.too_long')
    .refine((s) => !FORBIDDEN.test(s), 'setting.control');

/** Bounds of every numeric setting, shown in the message of a value outside them. */
const BOUNDS = {
  'barcode.item_digits': [4, 6],
  'credit.expiry_days': [0, 36500],
  'tui.lock_minutes': [0, 1440],
  'tui.confirm_quantity': [0, 9999],
  'tui.confirm_weight': [0, 999],
  'backup.keep': [1, 1000],
} as const satisfies Partial<Record<SettingKey, readonly [number, number]>>;

/** A whole number within its key's bounds ("1e3", "0x10" and "" are not whole numbers here). */
const int = (key: keyof typeof BOUNDS, outside: MessageKey = 'setting.range') =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (/^\s*\d{1,9}\s*$/.test(v) ? Number(v) : Number.NaN) : v),
    z.number({ error: 'setting.integer' }).int('setting.integer').min(BOUNDS[key][0], outside).max(BOUNDS[key][1], outside),
  );

/** A comma-separated list, trimmed, without repeats, of at most `max` items. */
const list = (item: z.ZodType<string>, max: number, lower = false) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? [...new Set(v.split(',').map((s) => (lower ? s.trim().toLowerCase() : s.trim())).filter(Boolean))] : v),
    z.array(item).max(max, 'setting.too_many'),
  );
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

const prefixes = list(z.string().regex(/^2[0-9]$/, 'setting.gs1_prefix'), 10);

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
  'barcode.item_digits': int('barcode.item_digits', 'setting.item_digits'),
  'barcode.price_check_digit': bool,
  'sales.discount_limit': z.preprocess(
    (v) => (typeof v === 'string' ? percentBp(v) : v),
    z.number({ error: 'setting.percent' }).int('setting.percent').min(0, 'setting.percent').max(10000, 'setting.percent'),
  ),
  // its steps depend on the currency: checkSettings gives the canonical text
  'sales.cash_rounding': text(20),
  'sales.tenders': list(
    z.string().regex(/^[a-z][a-z0-9_]{0,19}$/, 'setting.tender').refine((s) => !['cash', 'card', 'store_credit', 'exchange'].includes(s), 'setting.tender'),
    20,
    true,
  ),
  'credit.expiry_days': int('credit.expiry_days'),
  'refunds.no_receipt_cash': bool,
  'tui.lock_minutes': int('tui.lock_minutes'),
  'receipt.journal_head': bool,
  'backup.every': z
    .string()
    .trim()
    .toLowerCase()
    .refine((s) => parseBackupEvery(s) !== null, 'setting.backup_every'),
  'backup.keep': int('backup.keep'),
  'einvoice.scheme': z.enum(['none', 'verifactu'], { error: 'setting.einvoice_scheme' }),
  'einvoice.env': z.enum(['test', 'prod'], { error: 'setting.einvoice_env' }),
  'einvoice.zero_rate': z.enum(['S1', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'N1', 'N2'], { error: 'setting.einvoice_zero_rate' }),
  // the cashier terminal's own (src/app/till.ts): the quantity and weight above which it asks
  // first (0: never), repeated scans merged into one line, the quick items (skus, in the order of
  // their keys), a supervisor to void a whole ticket
  'tui.confirm_quantity': int('tui.confirm_quantity'),
  'tui.confirm_weight': int('tui.confirm_weight'),
  'tui.merge_scans': bool,
  'tui.quick_items': list(
    z
      .string()
      .regex(/^[^\s,]{1,64}$/, 'setting.quick_item')
      .refine((s) => !FORBIDDEN.test(s), 'setting.control'),
    10,
  ),
  'tui.void_approval': bool,
};

/** "10" or "10%" → 1000 basis points (NaN when not a percent, which zod then refuses). */
function percentBp(text: string): number {
  const r = parseRate(text.trim().replace(/%$/, ''));
  return r.ok ? r.value : Number.NaN;
}


/** Parses a user's value for a key (its syntax and bounds); throws an invalid-input error naming the key. */
export function parseSetting<K extends SettingKey>(key: K, value: unknown): Settings[K] {
  const r = SETTINGS[key].safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const bounds = (BOUNDS as Partial<Record<SettingKey, readonly [number, number]>>)[key];
    throw new TpvError('invalid', issue && isMessageKey(issue.message) ? issue.message : 'setting.invalid', {
      key,
      value: String(value),
      ...(bounds ? { min: bounds[0], max: bounds[1] } : {}),
    });
  }
  return r.data as Settings[K];
}

/** Settings checked together: what to write, and why the store's tax id is kept unverified (if it is). */
export interface CheckedSettings {
  /** The changes, in canonical form. */
  changes: Partial<Settings>;
  /**
   * The problem of a store tax id kept without being verified (a Mexican RFC whose check digit
   * fails, a check digit overridden with `acceptTaxId`), as `tax_id_warning` of a customer; null
   * when the tax id was verified or not checked.
   */
  taxIdWarning: TaxIdWarning | null;
}

/**
 * Checks parsed changes together with the settings they depend on — the cash rounding with the
 * currency, the store's tax id with its country (the rules customers' tax ids follow), the barcode
 * layout as a whole — and returns what to write: the changes, in canonical form. A rule is checked
 * only when one of its keys changes (a value stored before the rule existed does not block others).
 * `acceptTaxId` keeps a tax id whose check digit fails (issued so: some Ecuadorian company RUCs),
 * as `tpv customers add --accept-tax-id` does; a wrong shape is never kept. A tax id kept
 * unverified comes back with its `taxIdWarning`, for the caller to say so.
 */
export function checkSettings(stored: Partial<Settings>, changes: Partial<Settings>, opts: { acceptTaxId?: boolean } = {}): CheckedSettings {
  const next: Settings = { ...SETTING_DEFAULTS, ...stored, ...changes };
  const out: Partial<Settings> = { ...changes };
  let taxIdWarning: TaxIdWarning | null = null;
  const changed = (...keys: SettingKey[]): boolean => keys.some((k) => k in changes);
  if (changed('sales.cash_rounding', 'store.currency')) {
    const currency = next['store.currency'];
    const exponent = currencyExponent(currency) ?? 2;
    const rounding = next['sales.cash_rounding'];
    const r = parseCashRounding(rounding, exponent);
    if (!r.ok) {
      if (changed('sales.cash_rounding')) throw problemError('invalid', r.problem, exponent, { key: 'sales.cash_rounding', value: rounding, currency });
      throw new TpvError('invalid', 'setting.currency_rounding', { key: 'store.currency', value: currency, rounding, ...showParams(r.problem.params, exponent) });
    }
    if (r.value !== rounding || changed('sales.cash_rounding')) out['sales.cash_rounding'] = r.value;
  }
  const taxId = next['store.tax_id'];
  if (changed('store.tax_id', 'store.country') && taxId !== '') {
    const country = next['store.country'];
    const r = validateTaxId(country, taxId);
    if (!r.ok && !(opts.acceptTaxId && TAX_ID_CHECK_PROBLEMS.includes(r.problem.code))) {
      if (changed('store.tax_id')) throw problemError('invalid', r.problem, 0, { key: 'store.tax_id', field: 'store.tax_id', value: taxId });
      throw new TpvError('invalid', 'setting.tax_id_country', { key: 'store.country', value: country, tax_id: taxId, reason: t(r.problem.code, showParams(r.problem.params, 0)) });
    }
    // kept, but unverified: its check digit overridden, or (an RFC) one the SAT issued so
    taxIdWarning = warningOf(r);
    // kept as written (its receipts print it), without spaces, dots or dashes
    const normalized = normalizeTaxId(taxId);
    if (normalized !== taxId || changed('store.tax_id')) out['store.tax_id'] = normalized;
  }
  if ((Object.keys(changes) as SettingKey[]).some((k) => k.startsWith('barcode.'))) {
    const layout = checkLayout(resolveProfile(next).barcodes);
    if (!layout.ok) throw problemError('invalid', layout.problem, 0);
  }
  return { changes: out, taxIdWarning };
}

/** The warning of a tax id kept unverified: the problem it fails (a check problem, or an RFC's warning); null when verified. */
function warningOf(r: Result<TaxIdInfo>): TaxIdWarning | null {
  const p = r.ok ? r.value.warning : r.problem;
  return p ? { code: p.code, params: showParams(p.params, 0) } : null;
}

/**
 * Why the store's tax id, as stored, is unverified under its country's rules (what `tpv init` and
 * `tpv config set` said when they kept it); null when it is verified, or there is none.
 */
export function storeTaxIdWarning(settings: Partial<Settings>): TaxIdWarning | null {
  const taxId = settings['store.tax_id'];
  if (!taxId) return null;
  return warningOf(validateTaxId(settings['store.country'] ?? SETTING_DEFAULTS['store.country'], taxId));
}

/** Tells the user (stderr in the CLI) that the store's tax id was kept without being verified, and why. */
export function taxIdWarningNotice(taxId: string, warning: TaxIdWarning): Notice {
  return { code: 'setting.tax_id_unverified', params: { key: 'store.tax_id', tax_id: taxId, reason: t(warning.code, warning.params) } };
}
