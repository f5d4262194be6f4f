/** `tpv sale`: one sale from JSON, printed with `--print`. */
import type { Command } from 'commander';
import { issuedJson } from '../app/credit.js';
import { documentText } from '../app/documents.js';
import { parseSaleJson, receiptJson, sell } from '../app/sales.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const sale = program
    .command('sale')
    .description(t('help.sale'))
    .option('--file <path>', t('help.sale.file'))
    .option('--print', t('help.sale.print'))
    .action(async (o: { file?: string; print?: boolean }) => {
      const text = await cli.readInput(o.file);
      const input = parseSaleJson(text);
      await cli.withApp(async (app) => {
        const { actor, approver } = await actors(cli, app);
        const r = sell(app, input, actor, approver);
        cli.committed(t('output.sale', { number: r.receipt.number }));
        // the sale is committed: a printer problem is reported beside it, never instead of it
        const print = o.print && !r.duplicate ? await (await import('../app/peripherals.js')).printIssued(app, [r.receipt], (m) => cli.io.stderr.write(m + '\n')) : undefined;
        // the codes of the gift vouchers sold (also on their lines): a script learns them here
        const data = { receipt: receiptJson(app, r.receipt), credits: issuedJson(app, r.receipt.id), duplicate: r.duplicate, ...(print ? { print } : {}) };
        cli.out(data, () => (r.duplicate ? t('sale.duplicate', { id: input.id ?? '', number: r.receipt.number }) + '\n' : '') + documentText(app, r.receipt));
      });
    });
  example(
    sale,
    `echo '{"lines":[{"code":"8490300000015","qty":"3"},{"code":"FRU-001","qty":"0.750","discount":"10%"}],"discount":"5%","payments":[{"method":"cash","amount":"20.00"}]}' | tpv sale --json`,
    'tpv sale --file sale.json --user ana --approver marta   # TPV_PIN=… (ana\'s), TPV_APPROVER_PIN=… (marta\'s)',
    'tpv sale --file sale.json --print   # prints the receipt and opens the drawer for cash',
  );
}
