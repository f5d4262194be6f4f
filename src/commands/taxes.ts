/** `tpv taxes list|add`: the tax rates products may use. */
import type { Command } from 'commander';
import { addTax, listTaxes } from '../app/taxes.js';
import { TpvError } from '../core/errors.js';
import { formatRate, parseRate } from '../core/money.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const taxes = program.command('taxes').description(t('help.taxes'));
  example(
    taxes.command('list').description(t('help.taxes.list')).action(() =>
      cli.withApp((app) => {
        const rows = listTaxes(app.db).map((x) => ({ code: x.code, name: x.name, rate: formatRate(x.rate) }));
        cli.out(rows, () => table([t('taxes.code'), t('taxes.name'), t('taxes.rate')], rows.map((r) => [r.code, r.name, r.rate + ' %']), ['l', 'l', 'r']));
      }),
    ),
    'tpv taxes list --json',
  );
  example(
    taxes
      .command('add <rate>')
      .description(t('help.taxes.add'))
      .option('--code <code>', t('help.taxes.code'))
      .option('--name <name>', t('help.taxes.name'))
      .action((rateText: string, o: { code?: string; name?: string }) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const r = parseRate(rateText.replace(/%$/, ''));
          if (!r.ok) throw new TpvError('usage', 'init.tax_rates', { value: rateText });
          const x = addTax(app, actor, r.value, { ...(o.code ? { code: o.code } : {}), ...(o.name ? { name: o.name } : {}), ...(approver ? { approver } : {}) });
          const data = { code: x.code, name: x.name, rate: formatRate(x.rate) };
          cli.out(data, () => t('taxes.added', data));
        }),
      ),
    'tpv taxes add 5 --name "IVA 5% (temporal)"',
  );
}
