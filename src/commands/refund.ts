/** `tpv refund RECEIPT-NUMBER`: a return against a receipt. */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { exchange, refund, type RefundInput, type RefundResult } from '../app/refunds.js';
import { parseSaleJson, receiptJson } from '../app/sales.js';
import { formatCreditCode } from '../core/credit.js';
import { TpvError } from '../core/errors.js';
import { formatDecimal } from '../core/money.js';
import { documentText } from '../app/documents.js';
import { type App, storeMoney } from '../app/context.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

function parseObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TpvError('invalid', 'sale.json', { detail: (e as Error).message, field: '-' });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TpvError('invalid', 'sale.json_object', { field: '-' });
  return v as Record<string, unknown>;
}

/** Checks the refund fields of a request: lines by receipt line number (or by product code without a receipt). */
function checkRefundInput(o: Record<string, unknown>, withReceipt: boolean): RefundInput {
  if (o.lines !== undefined && !Array.isArray(o.lines)) throw new TpvError('invalid', 'sale.field_array', { field: 'lines' });
  (o.lines as unknown[] | undefined)?.forEach((l, i) => {
    if (typeof l !== 'object' || l === null) throw new TpvError('invalid', 'sale.json_object', { field: `lines[${i}]` });
    const line = l as { line?: unknown; code?: unknown };
    if (withReceipt && typeof line.line !== 'number') throw new TpvError('invalid', 'refund.line_number', { field: `lines[${i}].line` });
    if (!withReceipt && typeof line.code !== 'string') throw new TpvError('invalid', 'refund.code_missing', { field: `lines[${i}].code` });
  });
  if (o.method !== undefined && typeof o.method !== 'string') throw new TpvError('invalid', 'sale.field_string', { field: 'method' });
  if (o.customer !== undefined && typeof o.customer !== 'string' && typeof o.customer !== 'number') {
    throw new TpvError('invalid', 'sale.field_string', { field: 'customer' });
  }
  return o as unknown as RefundInput;
}

interface RefundFlags {
  file?: string;
  all?: boolean;
  method?: string;
  restock: boolean;
  reason?: string;
  withoutReceipt?: boolean;
  customer?: string;
  restoreCredit: boolean;
}

async function readRequest(cli: Cli, file: string | undefined): Promise<Record<string, unknown>> {
  if (file && !existsSync(file)) throw new TpvError('not_found', 'file.not_found', { path: file });
  return parseObject(file ? readFileSync(file, 'utf8') : await cli.readStdin());
}

/** Flags override the request's fields. */
function withFlags(input: RefundInput, o: RefundFlags): RefundInput {
  return {
    ...input,
    ...(o.method ? { method: o.method } : {}),
    ...(o.customer ? { customer: o.customer } : {}),
    ...(o.restock ? {} : { restock: false }),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.restoreCredit ? {} : { restore_credit: false }),
  };
}

function refundData(app: App, r: RefundResult) {
  const { exponent } = storeMoney(app);
  const m = (n: number): string => formatDecimal(n, exponent);
  return {
    ...receiptJson(app.db, r.refund),
    receipt: r.receipt?.number ?? null,
    ...(r.credit ? { store_credit: { code: formatCreditCode(r.credit.code), amount: m(r.credit.amount) } } : {}),
    ...(r.restored.length ? { restored_credit: r.restored.map((c) => ({ code: formatCreditCode(c.code), amount: m(c.amount) })) } : {}),
    ...(r.creditNote ? { credit_note: r.creditNote.number } : {}),
  };
}

function refundText(app: App, r: RefundResult): string {
  const { exponent } = storeMoney(app);
  const m = (n: number): string => formatDecimal(n, exponent);
  return (
    documentText(app, r.refund) +
    r.restored.map((c) => t('refund.credit_restored', { code: formatCreditCode(c.code), amount: m(c.amount) })).join('') +
    (r.credit ? t('refund.credit_issued', { code: formatCreditCode(r.credit.code), amount: m(r.credit.amount) }) : '')
  );
}

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
    .action(async (number: string | undefined, o: RefundFlags) => {
      if (o.withoutReceipt && number) throw new TpvError('invalid', 'refund.receipt_and_without', { field: '--without-receipt', receipt: number });
      if (!o.withoutReceipt && !number) throw new TpvError('invalid', 'refund.receipt_missing', { field: 'receipt' });
      let input: RefundInput;
      if (o.all) input = withFlags({ all: true, method: cli.required(o.method, '--method') }, o);
      else {
        input = withFlags(checkRefundInput(await readRequest(cli, o.file), !o.withoutReceipt), o);
        if (typeof input.method !== 'string') throw new TpvError('invalid', 'sale.field_string', { field: 'method' });
      }
      await cli.withApp((app) => {
        const { actor, approver } = actors(cli, app);
        const r = refund(app, o.withoutReceipt ? null : number!, input, actor, approver);
        cli.out({ refund: refundData(app, r) }, () => refundText(app, r));
      });
    });
  example(
    cmd,
    `echo '{"lines":[{"line":1,"qty":"1","restock":true,"reason":"defective"}],"method":"cash"}' | tpv refund T01-000001 --json`,
    'tpv refund T01-000001 --all --method store_credit',
    `echo '{"lines":[{"code":"8410000000012","qty":"1"}],"method":"store_credit"}' | tpv refund --without-receipt --approver SUP`,
  );

  const ex = program
    .command('exchange <receipt>')
    .description(t('help.exchange'))
    .option('--file <path>', t('help.sale.file'))
    .option('--method <cash|card|store_credit>', t('help.exchange.method'))
    .option('--no-restock', t('help.refund.no_restock'))
    .option('--reason <text>', t('help.shift.reason'))
    .action(async (number: string, o: RefundFlags) => {
      const request = await readRequest(cli, o.file);
      const input = withFlags(checkRefundInput(request, true), { ...o, restoreCredit: true });
      if (typeof request.sale !== 'object' || request.sale === null) throw new TpvError('invalid', 'sale.json_object', { field: 'sale' });
      const sale = parseSaleJson(JSON.stringify({ payments: [], ...request.sale }), 'sale');
      await cli.withApp((app) => {
        const { actor, approver } = actors(cli, app);
        const r = exchange(app, number, { ...input, method: input.method ?? 'cash', sale }, actor, approver);
        const { exponent } = storeMoney(app);
        cli.out({ exchange: { refund: refundData(app, r), sale: receiptJson(app.db, r.sale), difference: formatDecimal(r.difference, exponent) } }, () =>
          refundText(app, r) + '\n' + documentText(app, r.sale),
        );
      });
    });
  example(
    ex,
    `echo '{"lines":[{"line":1,"reason":"size"}],"sale":{"lines":[{"code":"8410000000029"}],"payments":[{"method":"card","amount":"3.00"}]},"method":"cash"}' | tpv exchange T01-000001 --approver SUP`,
  );
}
