/** `tpv init` (store setup) and `tpv demo`. */
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { App } from '../app/context.js';
import { importProducts } from '../app/import.js';
import type { StoreInput } from '../app/store.js';
import { packageFile } from '../assets.js';
import { TpvError } from '../core/errors.js';
import { parseRate } from '../core/money.js';
import { t } from '../i18n/index.js';
import { validateUserCode } from '../app/users.js';
import { ensureParentDir } from '../cli/paths.js';
import { type Cli, example } from '../cli/runtime.js';

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

interface InitFlags {
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
}

export function parseTaxRates(text: string): number[] {
  return text.split(',').map((part) => {
    const r = parseRate(part.trim().replace(/%$/, ''));
    if (!r.ok || r.value > 10000) throw new TpvError('usage', 'init.tax_rates', { value: part.trim() });
    return r.value;
  });
}

async function storeInput(cli: Cli, f: InitFlags): Promise<StoreInput> {
  const { parseSetting } = await import('../app/settings-schema.js');
  /** A flag's value, else (on a terminal) an answer checked as it is typed, asked again while wrong. */
  const ask = async (
    value: string | undefined,
    flag: string,
    question: string,
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
  const taxId = await ask(f.taxId, '--tax-id', 'init.ask.tax_id', undefined, setting('store.tax_id'));
  const address = await ask(f.address, '--address', 'init.ask.address', undefined, setting('store.address'));
  const country = (await ask(f.country, '--country', 'init.ask.country', 'ES', setting('store.country'))).toUpperCase();
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
  if (f.taxRates) input.taxRates = parseTaxRates(f.taxRates);
  return input;
}

/** Creates the demo store at `path` with the fixture catalog. */
export async function createDemo(cli: Cli, path: string): Promise<{ path: string; products: number; pin: string }> {
  ensureParentDir(path);
  const { DEMO_ADMIN, DEMO_STORE, initStore } = await import('../app/store.js');
  const app: App = await initStore(path, { ...DEMO_STORE, admin: DEMO_ADMIN }, { notice: cli.notice });
  try {
    const file = packageFile('fixtures/demo-catalog.csv');
    const report = await importProducts(app, createReadStream(file), statSync(file).size, { source: 'demo-catalog.csv' });
    return { path, products: report.created, pin: DEMO_ADMIN.pin };
  } finally {
    app.close();
  }
}

/** Asks for (or takes from flags) the store's fields and creates it at `path`: `tpv init`, and the terminal's first run. */
export async function createStore(cli: Cli, path: string, f: InitFlags = { pricesIncludeTax: true }): Promise<StoreInput> {
  const input = await storeInput(cli, f);
  ensureParentDir(path);
  const { initStore } = await import('../app/store.js');
  const app = await initStore(path, input, { notice: cli.notice });
  app.close();
  return input;
}

function demoText(d: { path: string; products: number; pin: string }): string {
  return t('demo.created', { path: d.path, products: d.products, pin: d.pin });
}

export function register(program: Command, cli: Cli): void {
  const init = program
    .command('init')
    .description(t('help.init'))
    .option('--demo', t('help.init.demo'))
    .option('--name <text>', t('help.init.name'))
    .option('--legal-name <text>', t('help.init.legal_name'))
    .option('--tax-id <id>', t('help.init.tax_id'))
    .option('--address <text>', t('help.init.address'))
    .option('--country <XX>', t('help.init.country'))
    .option('--currency <XXX>', t('help.init.currency'))
    .option('--timezone <zone>', t('help.init.timezone'))
    .addOption(new Option('--prices-include-tax', t('help.init.prices_include_tax')).default(true))
    .addOption(new Option('--no-prices-include-tax', t('help.init.prices_exclude_tax')))
    .option('--register <code>', t('help.init.register'))
    .option('--language <es|en>', t('help.init.language'))
    .option('--tax-rates <list>', t('help.init.tax_rates'))
    .option('--admin-name <name>', t('help.init.admin_name'))
    .option('--admin-code <code>', t('help.init.admin_code'))
    .option('--admin-pin-stdin', t('help.init.admin_pin_stdin'))
    .action(async (f: InitFlags) => {
      const path = cli.dbPath();
      if (f.demo) {
        const d = await createDemo(cli, path);
        cli.out(d, () => demoText(d));
        return;
      }
      const input = await createStore(cli, path, f);
      const data = {
        path,
        store: input.name,
        country: input.country.toUpperCase(),
        currency: input.currency.toUpperCase(),
        register: input.registerCode.toUpperCase(),
        admin: input.admin.code,
      };
      cli.out(data, () => t('init.done', data));
    });
  example(
    init,
    'echo 4321 | tpv init --name "Ferretería Sol" --legal-name "Ferretería Sol SL" --tax-id B12345674 \\\n      --address "Calle Mayor 1, Madrid" --country ES --admin-pin-stdin',
    'tpv --db /tmp/demo.db init --demo',
  );

  const demo = program
    .command('demo')
    .description(t('help.demo'))
    .action(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tpv-demo-'));
      const d = await createDemo(cli, join(dir, 'tpv.db'));
      cli.out(d, () => demoText(d));
    });
  example(demo, 'tpv demo', 'tpv demo --json');
}
