/** `tpv receipts list|show`: receipts and refunds. */
import type { Command } from 'commander';
import { documentText, paperColumns } from '../app/documents.js';
import { listReceipts } from '../app/reports.js';
import { receiptByNumber, receiptJson } from '../app/sales.js';
import { formatDateTimeText, formatNumberText } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { dateFlag, intFlag, MAX_LIMIT } from '../cli/flags.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
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
            limit: intFlag(o.limit, '--limit', 1, MAX_LIMIT),
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
          const columns = paperColumns(o.columns);
          const doc = receiptByNumber(app, number);
          cli.out(receiptJson(app, doc), () => documentText(app, doc, { columns, copy: o.copy ?? false }));
        }),
      ),
    'tpv receipts show T01-000001',
    'tpv receipts show T01-000001 --columns 32 --copy',
  );
}
