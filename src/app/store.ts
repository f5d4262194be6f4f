/** Store setup: `tpv init` (and the demo store). */
import { createReadStream, statSync } from 'node:fs';
import { packageFile } from '../assets.js';
import { TpvError } from '../core/errors.js';
import { formatRate } from '../core/money.js';
import { defaultTaxRates, type Settings } from '../core/profile.js';
import { actingUser } from './auth.js';
import { type App, inTransaction } from './context.js';
import { importProducts } from './import.js';
import { openApp, type OpenOptions } from './open.js';
import { appendEvent } from './outbox.js';
import { writeSettings } from '../db/settings.js';
import { checkSettings, parseSetting, taxIdWarningNotice } from './settings-schema.js';
import { insertTaxCategory } from './taxes.js';
import { insertUser, type NewUser } from './users.js';

export interface StoreInput {
  name: string;
  legalName: string;
  taxId: string;
  address: string;
  country: string;
  currency: string;
  timezone: string;
  pricesIncludeTax: boolean;
  registerCode: string;
  language?: string;
  /** Keep a tax id whose check digit fails (issued so by the tax office); a wrong shape is refused. */
  acceptTaxId?: boolean;
  /** Tax rates in basis points; default: the country's usual rates. */
  taxRates?: number[];
  admin: Omit<NewUser, 'role'>;
}

/**
 * Validates every field first (naming the first bad one), then writes the store in one
 * transaction. A tax id kept unverified (`acceptTaxId`, or a Mexican RFC whose check digit fails)
 * is said as a notice after the commit, as for a customer's (`storeTaxIdWarning` says it again).
 */
export async function initStore(path: string, input: StoreInput, opts: OpenOptions = {}): Promise<App> {
  const parsed: Partial<Settings> = {
    'store.name': parseSetting('store.name', input.name),
    'store.legal_name': parseSetting('store.legal_name', input.legalName),
    'store.tax_id': parseSetting('store.tax_id', input.taxId),
    'store.address': parseSetting('store.address', input.address),
    'store.country': parseSetting('store.country', input.country),
    'store.currency': parseSetting('store.currency', input.currency),
    'store.timezone': parseSetting('store.timezone', input.timezone),
    'store.prices_include_tax': parseSetting('store.prices_include_tax', input.pricesIncludeTax),
    'register.code': parseSetting('register.code', input.registerCode),
  };
  if (input.language !== undefined) parsed['store.language'] = parseSetting('store.language', input.language);
  // the tax id checked for the country, like a customer's
  const { changes: values, taxIdWarning } = checkSettings({}, parsed, { acceptTaxId: input.acceptTaxId ?? false });
  const country = values['store.country']!;
  const rates = input.taxRates ?? defaultTaxRates(country);

  const app = await openApp(path, { ...opts, create: true, allowEmpty: true });
  try {
    inTransaction(app, () => {
      // checked inside the transaction: two inits at once cannot both create the store
      const existing = app.db.prepare("SELECT value FROM settings WHERE key = 'store.name'").pluck().get() as string | undefined;
      if (existing !== undefined) throw new TpvError('conflict', 'store.exists', { path, name: JSON.parse(existing) as string });
      writeSettings(app.db, values);
      const taxes = [...new Set(rates)].map((rate) => insertTaxCategory(app.db, country, rate));
      insertUser(app.db, { ...input.admin, role: 'admin' }, app.now());
      appendEvent(app, 'store_init', {
        settings: values,
        taxes: taxes.map((x) => ({ code: x.code, name: x.name, rate: formatRate(x.rate) })),
        admin: { code: input.admin.code.trim(), name: input.admin.name.trim(), role: 'admin', active: true },
      });
    });
    app.reload();
    if (taxIdWarning) app.notice(taxIdWarningNotice(values['store.tax_id']!, taxIdWarning));
    return app;
  } catch (e) {
    app.close();
    throw e;
  }
}

export const DEMO_STORE: Omit<StoreInput, 'admin'> = {
  name: 'Ultramarinos La Esquina',
  legalName: 'La Esquina Alimentación SL',
  taxId: 'B12345674',
  address: 'Calle Mayor 12, 28013 Madrid',
  country: 'ES',
  currency: 'EUR',
  timezone: 'Europe/Madrid',
  pricesIncludeTax: true,
  registerCode: 'T01',
  language: 'es',
};
export const DEMO_ADMIN: Omit<NewUser, 'role'> = { code: 'admin', name: 'Admin', pin: '1234' };

/** The demo store at `path`: the Spanish grocery of the README with its 300-product catalog. */
export async function createDemoStore(path: string, opts: OpenOptions = {}): Promise<{ path: string; products: number; pin: string }> {
  const app = await initStore(path, { ...DEMO_STORE, admin: DEMO_ADMIN }, opts);
  try {
    const file = packageFile('fixtures/demo-catalog.csv');
    const admin = actingUser(app.db, DEMO_ADMIN.code);
    const report = await importProducts(app, admin, createReadStream(file), statSync(file).size, { source: 'demo-catalog.csv' });
    return { path, products: report.created, pin: DEMO_ADMIN.pin };
  } finally {
    app.close();
  }
}
