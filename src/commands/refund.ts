/** `tpv refund RECEIPT-NUMBER`: a return against a receipt (or without one). */
import type { Command } from 'commander';
import { issuedJson } from '../app/credit.js';
import { parseRefundRequest, refund, type RefundInput, refundJson, refundText } from '../app/refunds.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type RefundFlags, refundFlags } from '../cli/flags.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('refund [receipt]')
    .description(t('help.refund'))
    .option('--file <path>', t('help.sale.file'))
    .option('--all', t('help.refund.all'))
    .option('--method <cash|card|store_credit>', t('help.refund.method'))
    .option('--no-restock', t('help.refund.no_restock'))
    .option('--reason <text>', t('help.shift.reason'))
    .option('--without-receipt', t('help.refund.without_receipt'))
    .option('--customer <taxid|id>', t('help.refund.customer'))
    .option('--no-restore-credit', t('help.refund.no_restore_credit'))
    .option('--print', t('help.refund.print'))
    .action(async (number: string | undefined, o: RefundFlags & { print?: boolean }) => {
      if (o.withoutReceipt && number) throw new TpvError('invalid', 'refund.receipt_and_without', { field: '--without-receipt', receipt: number });
      if (!o.withoutReceipt && !number) throw new TpvError('invalid', 'refund.receipt_missing', { field: 'receipt' });
      let input: RefundInput;
      if (o.all) input = refundFlags({ all: true, method: cli.required(o.method, '--method') }, o);
      else {
        input = refundFlags(parseRefundRequest(await cli.readInput(o.file), !o.withoutReceipt), o);
        if (typeof input.method !== 'string') throw new TpvError('invalid', 'sale.field_string', { field: 'method' });
      }
      await cli.withApp(async (app) => {
        const { actor, approver } = await actors(cli, app);
        const r = refund(app, o.withoutReceipt ? null : number!, input, actor, approver);
        cli.committed(t('output.refund', { number: r.refund.number }));
        // the refund is committed: a printer problem is reported beside it, never instead of it
        const print = o.print ? await (await import('../app/peripherals.js')).printIssued(app, [r.refund], (m) => cli.io.stderr.write(m + '\n')) : undefined;
        cli.out({ refund: refundJson(app, r), credits: issuedJson(app, r.refund.id), ...(print ? { print } : {}) }, () => refundText(app, r));
      });
    });
  example(
    cmd,
    `echo '{"lines":[{"line":1,"qty":"1","restock":true,"reason":"defective"}],"method":"cash"}' | tpv refund T01-000001 --json`,
    'tpv refund T01-000001 --all --method store_credit --print   # the refund and the credit slip on paper',
    `echo '{"lines":[{"code":"8410000000012","qty":"1"}],"method":"store_credit"}' | tpv refund --without-receipt --approver SUP`,
  );
}
