/** `tpv print NUMBER`: any document again on the printer (a copy unless `--original`). */
import type { Command } from 'commander';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { auditLog } from '../app/auth.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  example(
    program
      .command('print <number>')
      .description(t('help.print'))
      .option('--original', t('help.print.original'))
      .option('--printer <name>', t('help.print.printer'))
      .action((number: string, o: { original?: boolean; printer?: string }) =>
        cli.withApp(async (app) => {
          const { documentByNumber } = await import('../app/documents.js');
          const doc = documentByNumber(app, number);
          // a second original is printed by someone, proven by their PIN, and recorded
          const by = o.original ? (await actors(cli, app)).actor : null;
          const { printDocument } = await import('../app/peripherals.js');
          const r = await printDocument(app, doc, { copy: !o.original, ...(o.printer ? { printer: o.printer } : {}) });
          if (!r.printer) throw new TpvError('not_found', 'printer.none');
          if (by) auditLog(app.db, app.now(), by.id, 'print_original', { number: doc.number, printer: r.printer });
          cli.out({ number: doc.number, ...r }, () => t('devices.printed', { number: doc.number, printer: r.printer ?? '', bytes: r.bytes }));
        }),
      ),
    'tpv print T01-000042            # a copy of a receipt, refund or invoice',
    'tpv print T01Z-0003             # the Z report again',
  );
}
