/** `tpv refund RECEIPT-NUMBER`: a return against a receipt. */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { refund, type RefundInput } from '../app/refunds.js';
import { receiptJson } from '../app/sales.js';
import { formatCreditCode } from '../core/credit.js';
import { TpvError } from '../core/errors.js';
import { formatDecimal } from '../core/money.js';
import { renderText } from '../devices/layout.js';
import { layoutReceipt } from '../devices/receipt.js';
import { storeMoney } from '../app/context.js';
import { userById } from '../app/users.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

function parseInput(text: string): RefundInput {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TpvError('invalid', 'sale.json', { detail: (e as Error).message, field: '-' });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TpvError('invalid', 'sale.json_object', { field: '-' });
  const o = v as Record<string, unknown>;
  if (o.lines !== undefined && !Array.isArray(o.lines)) throw new TpvError('invalid', 'sale.field_array', { field: 'lines' });
  (o.lines as unknown[] | undefined)?.forEach((l, i) => {
    if (typeof l !== 'object' || l === null || typeof (l as { line?: unknown }).line !== 'number') {
      throw new TpvError('invalid', 'refund.line_number', { field: `lines[${i}].line` });
    }
  });
  if (typeof o.method !== 'string') throw new TpvError('invalid', 'sale.field_string', { field: 'method' });
  return o as unknown as RefundInput;
}

export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('refund <receipt>')
    .description(t('help.refund'))
    .option('--file <path>', t('help.sale.file'))
    .option('--all', t('help.refund.all'))
    .option('--method <cash|card|store_credit>', t('help.refund.method'))
    .option('--no-restock', t('help.refund.no_restock'))
    .option('--reason <text>', t('help.shift.reason'))
    .action(async (number: string, o: { file?: string; all?: boolean; method?: string; restock: boolean; reason?: string }) => {
      let input: RefundInput;
      if (o.all) {
        input = { all: true, method: cli.required(o.method, '--method'), restock: o.restock, ...(o.reason ? { reason: o.reason } : {}) };
      } else {
        if (o.file && !existsSync(o.file)) throw new TpvError('not_found', 'file.not_found', { path: o.file });
        input = parseInput(o.file ? readFileSync(o.file, 'utf8') : await cli.readStdin());
        if (o.method) input.method = o.method;
      }
      await cli.withApp((app) => {
        const { actor, approver } = actors(cli, app);
        const r = refund(app, number, input, actor, approver);
        const json = receiptJson(app.db, r.refund);
        const { exponent } = storeMoney(app);
        const data = {
          refund: {
            ...json,
            receipt: r.receipt.number,
            ...(r.credit ? { store_credit: { code: formatCreditCode(r.credit.code), amount: formatDecimal(r.credit.amount, exponent) } } : {}),
            ...(r.creditNote ? { credit_note: r.creditNote.number } : {}),
          },
        };
        cli.out(data, () =>
          renderText(layoutReceipt(app, r.refund, { userName: userById(app.db, r.refund.userId)?.name ?? '' }), 42) +
          (r.credit ? t('refund.credit_issued', { code: formatCreditCode(r.credit.code), amount: formatDecimal(r.credit.amount, exponent) }) : ''),
        );
      });
    });
  example(
    cmd,
    `echo '{"lines":[{"line":1,"qty":"1","restock":true,"reason":"defective"}],"method":"cash"}' | tpv refund T01-000001 --json`,
    'tpv refund T01-000001 --all --method store_credit',
  );
}
