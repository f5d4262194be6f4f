/** `tpv exchange RECEIPT-NUMBER`: goods returned and others taken, in one transaction. */
import type { Command } from 'commander';
import { issuedJson } from '../app/credit.js';
import { moneyText } from '../app/events.js';
import { exchange, parseExchangeRequest, refundJson, refundText } from '../app/refunds.js';
import { receiptJson } from '../app/sales.js';
import { documentText } from '../app/documents.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type RefundFlags, refundFlags } from '../cli/flags.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const ex = program
    .command('exchange <receipt>')
    .description(t('help.exchange'))
    .option('--file <path>', t('help.sale.file'))
    .option('--method <cash|card|store_credit>', t('help.exchange.method'))
    .option('--no-restock', t('help.refund.no_restock'))
    .option('--reason <text>', t('help.shift.reason'))
    .option('--print', t('help.exchange.print'))
    .action(async (number: string, o: RefundFlags & { print?: boolean }) => {
      const request = parseExchangeRequest(await cli.readInput(o.file));
      const input = refundFlags(request.input, { ...o, restoreCredit: true });
      await cli.withApp(async (app) => {
        const { actor, approver } = await actors(cli, app);
        const r = exchange(app, number, { ...input, method: input.method ?? 'cash', sale: request.sale }, actor, approver);
        cli.committed(t('output.exchange', { refund: r.refund.number, sale: r.sale.number }));
        // committed: a printer problem is reported beside it, never instead of it
        const print = o.print ? await (await import('../app/peripherals.js')).printIssued(app, [r.refund, r.sale], (m) => cli.io.stderr.write(m + '\n')) : undefined;
        const credits = [...issuedJson(app, r.refund.id), ...issuedJson(app, r.sale.id)];
        const data = { refund: refundJson(app, r), sale: receiptJson(app, r.sale), difference: moneyText(app, r.difference), credits };
        cli.out({ exchange: data, ...(print ? { print } : {}) }, () =>
          refundText(app, r) + '\n' + documentText(app, r.sale),
        );
      });
    });
  example(
    ex,
    `echo '{"lines":[{"line":1,"reason":"size"}],"sale":{"lines":[{"code":"8410000000029"}],"payments":[{"method":"card","amount":"3.00"}]},"method":"cash"}' | tpv exchange T01-000001 --approver SUP`,
  );
}
