/** `tpv exchange RECEIPT-NUMBER`: goods returned and others taken, in one transaction. */
import type { Command } from 'commander';
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
    .action(async (number: string, o: RefundFlags) => {
      const request = parseExchangeRequest(await cli.readInput(o.file));
      const input = refundFlags(request.input, { ...o, restoreCredit: true });
      await cli.withApp((app) => {
        const { actor, approver } = actors(cli, app);
        const r = exchange(app, number, { ...input, method: input.method ?? 'cash', sale: request.sale }, actor, approver);
        cli.out({ exchange: { refund: refundJson(app, r), sale: receiptJson(app, r.sale), difference: moneyText(app, r.difference) } }, () =>
          refundText(app, r) + '\n' + documentText(app, r.sale),
        );
      });
    });
  example(
    ex,
    `echo '{"lines":[{"line":1,"reason":"size"}],"sale":{"lines":[{"code":"8410000000029"}],"payments":[{"method":"card","amount":"3.00"}]},"method":"cash"}' | tpv exchange T01-000001 --approver SUP`,
  );
}
