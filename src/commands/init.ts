/** `tpv init`: a new store (its identity, its register, its first admin), or the demo store. */
import { Option, type Command } from 'commander';
import { t } from '../i18n/index.js';
import { createDemo, createStore, demoText, type InitFlags } from '../cli/setup.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const init = program
    .command('init')
    .description(t('help.init'))
    .option('--demo', t('help.init.demo'))
    .option('--name <text>', t('help.init.name'))
    .option('--legal-name <text>', t('help.init.legal_name'))
    .option('--tax-id <id>', t('help.init.tax_id'))
    .option('--accept-tax-id', t('help.customers.accept_tax_id'))
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
      const { input, taxIdWarning } = await createStore(cli, path, f);
      const data = {
        path,
        store: input.name,
        country: input.country.toUpperCase(),
        currency: input.currency.toUpperCase(),
        register: input.registerCode.toUpperCase(),
        admin: input.admin.code,
      };
      // a tax id kept unverified (--accept-tax-id, an RFC the SAT issued so): the notice on stderr says why
      cli.out({ ...data, tax_id_warning: taxIdWarning }, () => t('init.done', data));
    });
  example(
    init,
    'echo 4321 | tpv init --name "Ferretería Sol" --legal-name "Ferretería Sol SL" --tax-id B12345674 \\\n      --address "Calle Mayor 1, Madrid" --country ES --admin-pin-stdin',
    'tpv --db /tmp/demo.db init --demo',
  );
}
