/** `tpv sale`: one sale from JSON, printed with `--print`. */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../app/context.js';
import { documentText } from '../app/documents.js';
import { parseSaleJson, receiptJson, sell } from '../app/sales.js';
import type { StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { errorMessage, t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

/** Prints a committed document; the outcome (or the printer's problem) for the result. */
async function printAfterCommit(cli: Cli, app: App, doc: StoredDocument): Promise<{ ok: boolean; printer?: string | null; kicked?: boolean; error?: { code: string; message: string } }> {
  const { printIssued } = await import('../app/peripherals.js');
  const r = await printIssued(app, doc);
  if (r.ok) return { ok: true, printer: r.outcome.printer, kicked: r.outcome.kicked };
  // whatever went wrong, the sale is committed: the result must carry its number
  const e = r.error;
  const code = e instanceof TpvError ? e.code : 'internal';
  const message = e instanceof TpvError ? errorMessage(e.code, e.params) : e instanceof Error ? e.message : String(e);
  cli.io.stderr.write(t('sale.not_printed', { number: doc.number, message }) + '\n');
  return { ok: false, error: { code, message } };
}

export function register(program: Command, cli: Cli): void {
  const sale = program
    .command('sale')
    .description(t('help.sale'))
    .option('--file <path>', t('help.sale.file'))
    .option('--print', t('help.sale.print'))
    .action(async (o: { file?: string; print?: boolean }) => {
      if (o.file && !existsSync(o.file)) throw new TpvError('not_found', 'file.not_found', { path: o.file });
      const text = o.file ? readFileSync(o.file, 'utf8') : await cli.readStdin();
      const input = parseSaleJson(text);
      await cli.withApp(async (app) => {
        const { actor, approver } = actors(cli, app);
        const r = sell(app, input, actor, approver);
        // the sale is committed: a printer problem is reported beside it, never instead of it
        const print = o.print && !r.duplicate ? await printAfterCommit(cli, app, r.receipt) : undefined;
        const data = { receipt: receiptJson(app, r.receipt), duplicate: r.duplicate, ...(print ? { print } : {}) };
        cli.out(data, () => (r.duplicate ? t('sale.duplicate', { id: input.id ?? '', number: r.receipt.number }) + '\n' : '') + documentText(app, r.receipt));
      });
    });
  example(
    sale,
    `echo '{"lines":[{"code":"8490300000015","qty":"3"},{"code":"FRU-001","qty":"0.750","discount":"10%"}],"discount":"5%","payments":[{"method":"cash","amount":"20.00"}]}' | tpv sale --json`,
    'tpv sale --file sale.json --user ana --approver marta   # TPV_APPROVER_PIN=…',
    'tpv sale --file sale.json --print   # prints the receipt and opens the drawer for cash',
  );
}
