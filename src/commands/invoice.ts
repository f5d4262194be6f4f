/** `tpv invoice create|show`: full invoices from receipts. */
import type { Command } from 'commander';
import { createInvoice, invoiceByNumber, type InvoiceResult } from '../app/invoices.js';
import { receiptJson } from '../app/sales.js';
import type { App } from '../app/context.js';
import { TpvError } from '../core/errors.js';
import { documentText } from '../app/documents.js';
import { errorMessage, t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

function invoiceJson(app: App, r: InvoiceResult) {
  return {
    ...receiptJson(app, r.invoice),
    receipt: r.receipt.number,
    customer: { id: r.customer.id, name: r.customer.name, tax_id: r.customer.tax_id, country: r.customer.country, address: r.customer.address },
    duplicate: r.duplicate,
  };
}

function invoiceText(app: App, r: InvoiceResult): string {
  return documentText(app, r.invoice);
}

export function register(program: Command, cli: Cli): void {
  const invoice = program.command('invoice').description(t('help.invoice'));
  example(
    invoice
      .command('create')
      .description(t('help.invoice.create'))
      .option('--receipt <number>', t('help.invoice.receipt'))
      .option('--customer <tax-id|id>', t('help.invoice.customer'))
      .option('--from <file.jsonl>', t('help.invoice.from'))
      .action(async (o: { receipt?: string; customer?: string; from?: string }) => {
        if (o.from) {
          const lines = (await cli.readInput(o.from)).split(/\r?\n/);
          await cli.withApp(async (app) => {
            const { actor } = await actors(cli, app);
            type Line = { line: number; ok: boolean; number?: string; receipt?: string; duplicate?: boolean; error?: { code: string; message: string } };
            const results = lines.flatMap((text, i): Line[] => {
              if (!text.trim()) return [];
              try {
                const req = JSON.parse(text) as { id?: string; receipt?: string; customer?: string };
                if (typeof req.receipt !== 'string' || typeof req.customer !== 'string') throw new TpvError('invalid', 'invoice.request', { field: 'receipt/customer' });
                const r = createInvoice(app, req.receipt, req.customer, actor, req.id);
                return [{ line: i + 1, ok: true, number: r.invoice.number, receipt: r.receipt.number, duplicate: r.duplicate }];
              } catch (e) {
                if (e instanceof SyntaxError) return [{ line: i + 1, ok: false, error: { code: 'sale.json', message: t('sale.json', { detail: e.message }) } }];
                if (!(e instanceof TpvError)) throw e;
                return [{ line: i + 1, ok: false, error: { code: e.code, message: errorMessage(e.code, e.params) } }];
              }
            });
            const failed = results.filter((r) => !r.ok).length;
            const data = { created: results.filter((r) => r.ok && !r.duplicate).length, existing: results.filter((r) => r.ok && r.duplicate).length, failed, results };
            if (failed) throw new TpvError('invalid', 'invoice.some_failed', { failed, total: results.length }, data);
            cli.out(data, () => t('invoice.batch', { created: data.created, existing: data.existing }));
          });
          return;
        }
        const receipt = cli.required(o.receipt, '--receipt');
        const customer = cli.required(o.customer, '--customer');
        await cli.withApp(async (app) => {
          const r = createInvoice(app, receipt, customer, (await actors(cli, app)).actor);
          cli.out(invoiceJson(app, r), () => invoiceText(app, r));
        });
      }),
    'tpv invoice create --receipt T01-000042 --customer B12345674',
    'tpv invoice create --from invoices.jsonl --json   # {"id":"…","receipt":"T01-000042","customer":"B12345674"} per line',
  );
  example(
    invoice
      .command('show <number>')
      .description(t('help.invoice.show'))
      .action((number: string) =>
        cli.withApp((app) => {
          const r = invoiceByNumber(app, number);
          cli.out(invoiceJson(app, r), () => invoiceText(app, r));
        }),
      ),
    'tpv invoice show T01F-000001',
  );
}
