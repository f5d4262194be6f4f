/**
 * Setting a store up from the command line: the questions of `tpv init` (asked on a terminal, or
 * taken from flags), also asked by `tpv pos` on a first run, and the demo store.
 */
import type { TaxIdWarning } from '../app/customers.js';
import type { StoreInput } from '../app/store.js';
import { validateUserCode } from '../app/users.js';
import { type MessageKey, TpvError } from '../core/errors.js';
import { parseRate } from '../core/money.js';
import { t } from '../i18n/index.js';
import { ensureParentDir } from './paths.js';
import type { Cli } from './runtime.js';

/** Sensible defaults by country for what a shop owner would otherwise have to look up. */
const COUNTRY_DEFAULTS: Record<string, { currency: string; timezone: string }> = {
  ES: { currency: 'EUR', timezone: 'Europe/Madrid' },
  PT: { currency: 'EUR', timezone: 'Europe/Lisbon' },
  FR: { currency: 'EUR', timezone: 'Europe/Paris' },
  DE: { currency: 'EUR', timezone: 'Europe/Berlin' },
  IT: { currency: 'EUR', timezone: 'Europe/Rome' },
  EC: { currency: 'USD', timezone: 'America/Guayaquil' },
  MX: { currency: 'MXN', timezone: 'America/Mexico_City' },
  AR: { currency: 'ARS', timezone: 'America/Argentina/Buenos_Aires' },
  CO: { currency: 'COP', timezone: 'America/Bogota' },
  CL: { currency: 'CLP', timezone: 'America/Santiago' },
  PE: { currency: 'PEN', timezone: 'America/Lima' },
  GB: { currency: 'GBP', timezone: 'Europe/London' },
  US: { currency: 'USD', timezone: 'America/New_York' },
};

export interface InitFlags {
  demo?: boolean;
  name?: string;
  legalName?: string;
  taxId?: string;
  address?: string;
  country?: string;
  currency?: string;
  timezone?: string;
  pricesIncludeTax: boolean;
  register?: string;
  language?: string;
  taxRates?: string;
  adminName?: string;
  adminCode?: string;
  adminPinStdin?: boolean;
  acceptTaxId?: boolean;
}

export function parseTaxRates(text: string): number[] {
  return text.split(',').map((part) => {
    const r = parseRate(part.trim().replace(/%$/, ''));
    if (!r.ok || r.value > 10000) throw new TpvError('usage', 'init.tax_rates', { value: part.trim() });
    return r.value;
  });
}

async function storeInput(cli: Cli, f: InitFlags): Promise<StoreInput> {
  const { checkSettings, parseSetting } = await import('../app/settings-schema.js');
  /** A flag's value, else (on a terminal) an answer checked as it is typed, asked again while wrong. */
  const ask = async (
    value: string | undefined,
    flag: string,
    question: MessageKey,
    def: string | undefined,
    check: (v: string) => unknown,
  ): Promise<string> => {
    if (value !== undefined && value !== '') return value;
    if (!cli.interactive) {
      if (def !== undefined) return def;
      return cli.required(value, flag);
    }
    for (;;) {
      const answer = await cli.prompt(t(question), def !== undefined ? { default: def } : {});
      try {
        check(answer);
        return answer;
      } catch (e) {
        if (!(e instanceof TpvError)) throw e;
        cli.io.stderr.write(`${t(e.code, e.params)}\n`);
      }
    }
  };
  const setting = (key: Parameters<typeof parseSetting>[0]) => (v: string) => parseSetting(key, v);
  const name = await ask(f.name, '--name', 'init.ask.name', undefined, setting('store.name'));
  const legalName = await ask(f.legalName, '--legal-name', 'init.ask.legal_name', name, setting('store.legal_name'));
  const country = (await ask(f.country, '--country', 'init.ask.country', 'ES', setting('store.country'))).toUpperCase();
  // the tax id follows its country's rules (tpv init checks the flags the same way)
  const taxId = await ask(f.taxId, '--tax-id', 'init.ask.tax_id', undefined, (v) =>
    checkSettings({}, { 'store.country': country, 'store.tax_id': parseSetting('store.tax_id', v) }, { acceptTaxId: f.acceptTaxId ?? false }),
  );
  const address = await ask(f.address, '--address', 'init.ask.address', undefined, setting('store.address'));
  const defaults = COUNTRY_DEFAULTS[country];
  const currency = await ask(f.currency, '--currency', 'init.ask.currency', defaults?.currency, setting('store.currency'));
  const timezone = await ask(f.timezone, '--timezone', 'init.ask.timezone', defaults?.timezone, setting('store.timezone'));
  const registerCode = await ask(f.register, '--register', 'init.ask.register', 'T01', setting('register.code'));
  const adminName = await ask(f.adminName, '--admin-name', 'init.ask.admin_name', 'Admin', () => undefined);
  const adminCode = await ask(f.adminCode, '--admin-code', 'init.ask.admin_code', 'admin', validateUserCode);
  let pin: string | undefined;
  if (f.adminPinStdin) pin = (await cli.readStdin()).split(/\r?\n/)[0]!.trim();
  else if (cli.io.env.TPV_ADMIN_PIN) pin = cli.io.env.TPV_ADMIN_PIN;
  else if (cli.interactive) {
    for (;;) {
      pin = await cli.prompt(t('init.ask.pin'), { secret: true });
      const again = await cli.prompt(t('init.ask.pin_again'), { secret: true });
      const problem = !/^[0-9]{4,8}$/.test(pin) ? 'user.pin_format' : again !== pin ? 'init.pin_mismatch' : null;
      if (!problem) break;
      cli.io.stderr.write(`${t(problem)}\n`);
    }
  } else throw new TpvError('usage', 'init.pin_required');
  const input: StoreInput = {
    name,
    legalName,
    taxId,
    address,
    country,
    currency,
    timezone,
    pricesIncludeTax: f.pricesIncludeTax,
    registerCode,
    admin: { name: adminName, code: adminCode, pin },
  };
  if (f.language) input.language = f.language;
  if (f.acceptTaxId) input.acceptTaxId = true;
  if (f.taxRates) input.taxRates = parseTaxRates(f.taxRates);
  return input;
}

/** Creates the demo store at `path` with the fixture catalog. */
export async function createDemo(cli: Cli, path: string): Promise<{ path: string; products: number; pin: string }> {
  ensureParentDir(path);
  const { createDemoStore } = await import('../app/store.js');
  return createDemoStore(path, { notice: cli.notice });
}

/**
 * Asks for (or takes from flags) the store's fields and creates it at `path`: `tpv init`, and the
 * terminal's first run. Returns what was asked, and why the tax id was kept unverified (if it was:
 * a notice said so already).
 */
export async function createStore(cli: Cli, path: string, f: InitFlags = { pricesIncludeTax: true }): Promise<{ input: StoreInput; taxIdWarning: TaxIdWarning | null }> {
  const input = await storeInput(cli, f);
  ensureParentDir(path);
  const { initStore } = await import('../app/store.js');
  const { storeTaxIdWarning } = await import('../app/settings-schema.js');
  const app = await initStore(path, input, { notice: cli.notice });
  try {
    return { input, taxIdWarning: storeTaxIdWarning(app.settings) };
  } finally {
    app.close();
  }
}

export function demoText(d: { path: string; products: number; pin: string }): string {
  return t('demo.created', { path: d.path, products: d.products, pin: d.pin });
}
