/** `tpv sale`, `tpv sales import`, `tpv receipts list|show`, `tpv report sales`. */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { App } from '../app/context.js';
import { listReceipts, salesReport, type ReportBy, REPORT_BY } from '../app/reports.js';
import { parseSaleJson, receiptByNumber, receiptJson, sell } from '../app/sales.js';
import { documentText, opensDrawer } from '../app/documents.js';
import type { StoredDocument } from '../db/documents.js';
import { TpvError } from '../core/errors.js';
import { type Columns, COLUMNS } from '../devices/layout.js';
import { formatDateTimeText, formatNumberText } from '../i18n/format.js';
import { errorMessage, t } from '../i18n/index.js';
import { type Cli, example, table } from '../cli/runtime.js';
import { actors } from '../cli/actors.js';


function parseColumns(text: string): Columns {
  const n = Number(text);
  if (!(COLUMNS as readonly number[]).includes(n)) throw new TpvError('usage', 'receipt.columns', { value: text });
  return n as Columns;
}

/** Prints a committed document; the outcome (or the printer's problem) for the result. */
async function printAfterCommit(cli: Cli, app: App, doc: StoredDocument): Promise<{ ok: boolean; printer?: string | null; kicked?: boolean; error?: { code: string; message: string } }> {
  const { printDocument } = await import('../app/peripherals.js');
  try {
    const r = await printDocument(app, doc, { kick: opensDrawer(doc) });
    return { ok: true, printer: r.printer, kicked: r.kicked };
  } catch (e) {
    // whatever went wrong, the sale is committed: the result must carry its number
    const code = e instanceof TpvError ? e.code : 'internal';
    const message = e instanceof TpvError ? errorMessage(e.code, e.params) : e instanceof Error ? e.message : String(e);
    cli.io.stderr.write(t('sale.not_printed', { number: doc.number, message }) + '\n');
    return { ok: false, error: { code, message } };
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function dateFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DATE.test(value) || Number.isNaN(Date.parse(value))) throw new TpvError('usage', 'report.date', { flag, value });
  return value;
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
        const data = { receipt: receiptJson(app.db, r.receipt), duplicate: r.duplicate, ...(print ? { print } : {}) };
        cli.out(data, () => (r.duplicate ? t('sale.duplicate', { id: input.id ?? '', number: r.receipt.number }) + '\n' : '') + documentText(app, r.receipt));
      });
    });
  example(
    sale,
    `echo '{"lines":[{"code":"8490300000015","qty":"3"},{"code":"FRU-001","qty":"0.750","discount":"10%"}],"discount":"5%","payments":[{"method":"cash","amount":"20.00"}]}' | tpv sale --json`,
    'tpv sale --file sale.json --user ana --approver marta   # TPV_APPROVER_PIN=…',
    'tpv sale --file sale.json --print   # prints the receipt and opens the drawer for cash',
  );

  const sales = program.command('sales').description(t('help.sales'));
  example(
    sales
      .command('import <file>')
      .description(t('help.sales.import'))
      .action(async (file: string) => {
        if (file !== '-' && !existsSync(file)) throw new TpvError('not_found', 'file.not_found', { path: file });
        await cli.withApp(async (app) => {
          const { actor, approver } = actors(cli, app);
          const input = file === '-' ? cli.io.stdin : createReadStream(file);
          const lines = createInterface({ input, crlfDelay: Infinity });
          const results: { line: number; ok: boolean; number?: string; duplicate?: boolean; error?: { code: string; message: string; field?: string } }[] = [];
          let n = 0;
          for await (const text of lines) {
            n++;
            if (!text.trim()) continue;
            try {
              const r = sell(app, parseSaleJson(text), actor, approver);
              results.push({ line: n, ok: true, number: r.receipt.number, duplicate: r.duplicate });
            } catch (e) {
              if (!(e instanceof TpvError)) throw e;
              results.push({ line: n, ok: false, error: { code: e.code, message: errorMessage(e.code, e.params), ...(e.params.field ? { field: String(e.params.field) } : {}) } });
            }
          }
          const failed = results.filter((r) => !r.ok).length;
          const data = { sold: results.filter((r) => r.ok && !r.duplicate).length, duplicates: results.filter((r) => r.duplicate).length, failed, results };
          if (failed && !cli.json) for (const r of results) if (!r.ok) cli.io.stderr.write(t('import.row_error', { line: r.line, column: '-', message: r.error!.message }) + '\n');
          // one document either way: the results, or the error carrying them
          if (failed) throw new TpvError('invalid', 'sales.some_failed', { failed, total: results.length }, data);
          cli.out(data, () => t('sales.imported', { sold: data.sold, duplicates: data.duplicates, failed }));
        });
      }),
    'tpv sales import day.jsonl --json',
  );

  const receipts = program.command('receipts').description(t('help.receipts'));
  example(
    receipts
      .command('list')
      .description(t('help.receipts.list'))
      .option('--shift <z-number>', t('help.receipts.shift'))
      .option('--from <date>', t('help.report.from'))
      .option('--to <date>', t('help.report.to'))
      .option('--limit <n>', t('help.products.limit'), '100')
      .action((o: { shift?: string; from?: string; to?: string; limit: string }) =>
        cli.withApp((app) => {
          const rows = listReceipts(app, {
            ...(o.shift ? { shift: o.shift } : {}),
            ...(o.from ? { from: dateFlag(o.from, '--from')! } : {}),
            ...(o.to ? { to: dateFlag(o.to, '--to')! } : {}),
            limit: Number(o.limit) || 100,
          });
          cli.out(rows, () =>
            table(
              [t('receipts.number'), t('receipts.date'), t('receipts.user'), t('receipts.items'), t('receipts.total')],
              rows.map((r) => [r.number, formatDateTimeText(r.created_at), r.user, String(r.lines), formatNumberText(r.total)]),
              ['l', 'l', 'l', 'r', 'r'],
            ),
          );
        }),
      ),
    'tpv receipts list --from 2026-11-01 --to 2026-11-30',
    'tpv receipts list --shift T01Z-0001 --json',
  );
  example(
    receipts
      .command('show <number>')
      .description(t('help.receipts.show'))
      .option('--columns <n>', t('help.receipts.columns'), '42')
      .option('--copy', t('help.receipts.copy'))
      .action((number: string, o: { columns: string; copy?: boolean }) =>
        cli.withApp((app) => {
          const columns = parseColumns(o.columns);
          const doc = receiptByNumber(app, number);
          cli.out(receiptJson(app.db, doc), () => documentText(app, doc, { columns, copy: o.copy ?? false }));
        }),
      ),
    'tpv receipts show T01-000001',
    'tpv receipts show T01-000001 --columns 32 --copy',
  );

  const report = program.command('report').description(t('help.report'));
  example(
    report
      .command('sales')
      .description(t('help.report.sales'))
      .option('--from <date>', t('help.report.from'))
      .option('--to <date>', t('help.report.to'))
      .option('--by <dimension>', t('help.report.by', { values: REPORT_BY.join('|') }), 'day')
      .option('--csv', t('help.report.csv'))
      .option('--chart', t('help.report.chart'))
      .action((o: { from?: string; to?: string; by: string; csv?: boolean; chart?: boolean }) =>
        cli.withApp((app) => {
          if (!(REPORT_BY as readonly string[]).includes(o.by)) throw new TpvError('usage', 'report.by', { value: o.by, values: REPORT_BY.join(', ') });
          const r = salesReport(app, o.by as ReportBy, { ...(o.from ? { from: dateFlag(o.from, '--from')! } : {}), ...(o.to ? { to: dateFlag(o.to, '--to')! } : {}) });
          if (o.csv && !cli.json) {
            cli.io.stdout.write(['key,label,count,quantity,amount', ...r.rows.map((x) => [x.key, x.label, x.count, x.qty ?? '', x.amount].map((c) => csvCell(String(c))).join(','))].join('\n') + '\n');
            return;
          }
          cli.out(r, () => {
            const head = table(
              [t(`report.by.${o.by}`), t('report.count'), t('report.qty'), t('report.amount')],
              [...r.rows.map((x) => [x.label, String(x.count), x.qty === null ? '' : formatNumberText(x.qty), formatNumberText(x.amount)]), ['', '', '', ''], [t('report.total'), String(r.count), '', formatNumberText(r.total)]],
              ['l', 'r', 'r', 'r'],
            );
            if (!o.chart) return head;
            return head + '\n\n' + chart(r.rows.map((x) => [x.label, x.amount]), Math.min(cli.io.stdout.columns ?? 80, 100));
          });
        }),
      ),
    'tpv report sales --from 2026-11-01 --to 2026-11-30 --by day --chart',
    'tpv report sales --by product --csv > products.csv',
  );
}

const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** A horizontal bar chart for the terminal. */
function chart(rows: [string, string][], width: number): string {
  const labelW = Math.min(Math.max(...rows.map(([l]) => l.length), 4), 24);
  const max = Math.max(...rows.map(([, v]) => Math.abs(Number(v))), 0);
  const barW = Math.max(width - labelW - 14, 10);
  return rows
    .map(([label, v]) => {
      // bar lengths only: the figure printed is the exact decimal string
      const len = max === 0 ? 0 : Math.round((Math.abs(Number(v)) / max) * barW);
      return `${label.slice(0, labelW).padEnd(labelW)} ${'█'.repeat(len)}${len === 0 && Number(v) !== 0 ? '▏' : ''} ${formatNumberText(v)}`;
    })
    .join('\n');
}
