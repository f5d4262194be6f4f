/** `tpv report sales`: sales by day, hour, product, category, tender, user or tax rate. */
import type { Command } from 'commander';
import { type ReportBy, REPORT_BY, type ReportRow, salesReport } from '../app/reports.js';
import { csvLine } from '../core/csv.js';
import { TpvError } from '../core/errors.js';
import { formatNumberText } from '../i18n/format.js';
import { t, tOr } from '../i18n/index.js';
import { dateFlag } from '../cli/flags.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
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
            cli.io.stdout.write(csvLine(['key', 'label', 'count', 'quantity', 'amount']) + r.rows.map((x) => csvLine([x.key, x.label, String(x.count), x.qty ?? '', x.amount], CSV_NUMERIC)).join(''));
            return;
          }
          cli.out(r, () => {
            const head = table(
              [t(`report.by.${o.by as ReportBy}`), t('report.count'), t('report.qty'), t('report.amount')],
              [...r.rows.map((x) => [labelOf(r.by, x), String(x.count), x.qty === null ? '' : formatNumberText(x.qty), formatNumberText(x.amount)]), ['', '', '', ''], [t('report.total'), String(r.count), '', formatNumberText(r.total)]],
              ['l', 'r', 'r', 'r'],
            );
            if (!o.chart) return head;
            return head + '\n\n' + chart(r.rows.map((x) => [labelOf(r.by, x), x.amount]), Math.min(cli.io.stdout.columns ?? 80, 100));
          });
        }),
      ),
    'tpv report sales --from 2026-11-01 --to 2026-11-30 --by day --chart',
    'tpv report sales --by product --csv > products.csv',
  );
}

/**
 * A row's label on the screen, in the language: a tender by its name ("Efectivo"), the cash
 * rounding and the gift vouchers (no tax) by theirs, a rate with the locale's decimals ("5,5 %").
 * JSON and CSV keep the locale-free key and label.
 */
function labelOf(by: ReportBy, row: ReportRow): string {
  if (row.key === 'rounding' && by === 'tender') return t('report.rounding');
  if (row.key === 'vouchers' && by === 'tax') return t('report.vouchers');
  if (by === 'tender') return tOr(`tender.${row.key}`, row.label);
  if (by === 'tax') return `${formatNumberText(row.key)} %`;
  return row.label;
}

/** count, quantity and amount are numbers (`-1.09` stays one); key and label are text, neutralised. */
const CSV_NUMERIC = [false, false, true, true, true];

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
