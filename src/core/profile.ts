import { DEFAULT_VARIABLE_MEASURE_LAYOUT, type VariableMeasureLayout } from './barcode.js';
import { fail, ok, type Result } from './errors.js';
import { currencyExponent, formatDecimal, parseDecimal } from './money.js';

/**
 * The store's settings (a fixed set of keys, stored as JSON values) and the one resolved view of
 * them every layer reads: the store profile. Every default lives here, once.
 */
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
  /** Units above which the cashier terminal asks before selling a typed quantity; 0 = never. */
  'tui.confirm_quantity': number;
  /** Kilograms above which the cashier terminal asks before selling a typed weight; 0 = never. */
  'tui.confirm_weight': number;
  /** The same item scanned again adds to its line at the till instead of a new line. */
  'tui.merge_scans': boolean;
  /** SKUs of the till's quick items (no barcode: bags, bread), in the order of their keys. */
  'tui.quick_items': string[];
  /** Voiding a whole ticket at the till needs a supervisor (for a cashier). */
  'tui.void_approval': boolean;
  /** Receipts print the journal head after their own entry (an anchor outside the file). */
  'receipt.journal_head': boolean;
  /** How often the cashier terminal takes a backup: "off", or hours ("12h") or days ("1d"). */
  'backup.every': string;
  /** How many scheduled backups are kept (the oldest are deleted). */
  'backup.keep': number;
  /** The e-invoicing scheme whose records every fiscal document gets (docs/einvoice.md): none, verifactu (Spain). */
  'einvoice.scheme': 'none' | 'verifactu';
  /** The tax agency's environment the records go to: test (pruebas) or prod. */
  'einvoice.env': 'test' | 'prod';
  /**
   * What a 0 % tax rate is in the records (VERI*FACTU): S1 taxed at 0 %, E1–E6 an exempt operation
   * (its article of the LIVA: E1 art. 20, E2 21, E3 22, E4 23–24, E5 25, E6 other), N1/N2 not subject.
   */
  'einvoice.zero_rate': 'S1' | 'E1' | 'E2' | 'E3' | 'E4' | 'E5' | 'E6' | 'N1' | 'N2';
}

export type SettingKey = keyof Settings;

/** Every setting's default. The store's identity (name, tax id…) is asked by `tpv init`. */
export const SETTING_DEFAULTS: Readonly<Settings> = Object.freeze({
  'store.name': '',
  'store.legal_name': '',
  'store.tax_id': '',
  'store.address': '',
  'store.country': '',
  'store.currency': 'EUR',
  'store.timezone': 'UTC',
  'store.prices_include_tax': true,
  'store.language': 'es',
  'register.code': 'T01',
  'barcode.price_prefixes': DEFAULT_VARIABLE_MEASURE_LAYOUT.pricePrefixes,
  'barcode.weight_prefixes': DEFAULT_VARIABLE_MEASURE_LAYOUT.weightPrefixes,
  'barcode.item_digits': DEFAULT_VARIABLE_MEASURE_LAYOUT.itemDigits,
  'barcode.price_check_digit': DEFAULT_VARIABLE_MEASURE_LAYOUT.priceCheckDigit,
  'sales.discount_limit': 1000,
  'sales.cash_rounding': '0',
  'sales.tenders': [],
  'credit.expiry_days': 365,
  'refunds.no_receipt_cash': false,
  'tui.lock_minutes': 5,
  'tui.confirm_quantity': 99,
  'tui.confirm_weight': 10,
  'tui.merge_scans': false,
  'tui.quick_items': [],
  'tui.void_approval': false,
  'receipt.journal_head': false,
  'backup.every': '1d',
  'backup.keep': 7,
  'einvoice.scheme': 'none',
  'einvoice.env': 'test',
  'einvoice.zero_rate': 'S1',
} satisfies Settings);

export const SETTING_KEYS = Object.freeze(Object.keys(SETTING_DEFAULTS) as SettingKey[]);

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTING_DEFAULTS, key);
}

/** The tenders every store takes; `sales.tenders` adds the shop's own after them. */
export const BUILT_IN_TENDERS = Object.freeze(['cash', 'card', 'store_credit'] as const);

/** The country's usual VAT rates (basis points) and the tax's name on receipts. */
const COUNTRY_TAXES: Record<string, { rates: number[]; label: string }> = {
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

/** The usual rates of a country, for a new store (basis points). */
export function defaultTaxRates(country: string): number[] {
  return COUNTRY_TAXES[country]?.rates ?? [];
}

/** The name of the tax on receipts: IVA, TVA, MwSt, IGV… */
export function taxLabel(country: string): string {
  return COUNTRY_TAXES[country]?.label ?? 'TAX';
}

/**
 * The steps cash may be rounded to, in minor units: 1, 2, 5, 10, 20, 25, 50… up to one unit of
 * the currency (0.01 … 1.00 EUR), or up to 1000 for a currency without decimals (CLP 10, COP 50).
 */
export function cashRoundingSteps(exponent: number): number[] {
  const max = exponent === 0 ? 1000 : 10 ** exponent;
  const steps: number[] = [];
  for (let p = 1; p <= max; p *= 10) steps.push(...[1, 2, 5, 25].map((d) => d * p).filter((v) => v <= max));
  return steps.sort((a, b) => a - b);
}

/** Whether `minor` is a cash rounding step of a currency with this exponent (0 = none is not a step). */
export function isCashRoundingStep(minor: number, exponent: number): boolean {
  return cashRoundingSteps(exponent).includes(minor);
}

/**
 * A cash rounding setting ("0.05", "0,1", "off") as stored for a currency: its canonical text
 * ("0.05", "0.10", "0" for none). Problems: `setting.cash_rounding` {steps}, and
 * `setting.cash_rounding_minor` {steps, suggestion} when a whole number was meant in minor units
 * ("5" in EUR: did you mean 0.05?).
 */
export function parseCashRounding(text: string, exponent: number): Result<string> {
  const t = text.trim().toLowerCase().replace(',', '.').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  if (['0', 'off', 'none', 'no'].includes(t)) return ok('0');
  const steps = cashRoundingSteps(exponent);
  const list = steps.map((v) => formatDecimal(v, exponent)).join(', ');
  const value = /^\d{1,7}(\.\d{1,7})?$/.test(t) ? parseDecimal(t, exponent) : null;
  if (value?.ok && steps.includes(value.value)) return ok(formatDecimal(value.value, exponent));
  const minor = /^\d{1,7}$/.test(t) ? Number(t) : 0;
  if (exponent > 0 && steps.includes(minor)) return fail('setting.cash_rounding_minor', { steps: list, suggestion: formatDecimal(minor, exponent) });
  return fail('setting.cash_rounding', { steps: list });
}

/** What every layer needs to know about the store, resolved once from its settings. */
export interface StoreProfile {
  name: string;
  legalName: string;
  taxId: string;
  address: string;
  country: string;
  currency: string;
  /** Minor-unit digits of the currency (EUR 2, CLP 0). */
  exponent: number;
  timezone: string;
  pricesIncludeTax: boolean;
  /** The receipts' language. */
  language: 'es' | 'en';
  /** The tax's name on receipts (IVA, TVA…). */
  taxLabel: string;
  register: string;
  barcodes: VariableMeasureLayout;
  /** Basis points of what a discount applies to; above it a supervisor approves. */
  discountLimit: number;
  /** Cash is settled to a multiple of this many minor units (1 = no rounding). */
  cashIncrement: number;
  /** Every tender the store takes: cash, card, store credit, then its own. */
  tenders: string[];
  creditExpiryDays: number;
  noReceiptRefundCash: boolean;
  lockMinutes: number;
  receiptJournalHead: boolean;
  /** Hours between scheduled backups; 0 = off. */
  backupEveryHours: number;
  backupKeep: number;
  einvoiceScheme: 'none' | 'verifactu';
  einvoiceEnv: 'test' | 'prod';
  einvoiceZeroRate: Settings['einvoice.zero_rate'];
}

/** The profile of stored settings (missing keys take their default). */
export function resolveProfile(stored: Partial<Settings>): StoreProfile {
  const s: Settings = { ...SETTING_DEFAULTS, ...stored };
  const exponent = currencyExponent(s['store.currency']) ?? 2;
  const step = parseDecimal(s['sales.cash_rounding'], exponent);
  // a step that is not one of the currency's (a value stored before it was checked) never rounds
  const increment = step.ok && isCashRoundingStep(step.value, exponent) ? step.value : 1;
  return {
    name: s['store.name'],
    legalName: s['store.legal_name'],
    taxId: s['store.tax_id'],
    address: s['store.address'],
    country: s['store.country'],
    currency: s['store.currency'],
    exponent,
    timezone: s['store.timezone'],
    pricesIncludeTax: s['store.prices_include_tax'],
    language: s['store.language'],
    taxLabel: taxLabel(s['store.country']),
    register: s['register.code'],
    barcodes: {
      pricePrefixes: s['barcode.price_prefixes'],
      weightPrefixes: s['barcode.weight_prefixes'],
      itemDigits: s['barcode.item_digits'],
      priceCheckDigit: s['barcode.price_check_digit'],
    },
    discountLimit: s['sales.discount_limit'],
    cashIncrement: increment,
    tenders: [...BUILT_IN_TENDERS, ...s['sales.tenders']],
    creditExpiryDays: s['credit.expiry_days'],
    noReceiptRefundCash: s['refunds.no_receipt_cash'],
    lockMinutes: s['tui.lock_minutes'],
    receiptJournalHead: s['receipt.journal_head'],
    backupEveryHours: backupHours(s['backup.every']),
    backupKeep: s['backup.keep'],
    einvoiceScheme: s['einvoice.scheme'],
    einvoiceEnv: s['einvoice.env'],
    einvoiceZeroRate: s['einvoice.zero_rate'],
  };
}

/** "12h" → 12, "1d" → 24, "off" → 0 (the schedule of `backup.every`); null when not a schedule. */
export function parseBackupEvery(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '0') return 0;
  const m = /^(\d{1,3})\s*([hd])$/.exec(t);
  if (!m) return null;
  const hours = Number(m[1]) * (m[2] === 'd' ? 24 : 1);
  return hours >= 1 && hours <= 24 * 365 ? hours : null;
}

function backupHours(text: string): number {
  return parseBackupEvery(text) ?? 24;
}
