/**
 * `tpv print NUMBER`: any document again on the printer — a copy, or the original when the paper
 * never saw it (its first print was refused before any byte went out). `--original` prints another
 * original of a document that had one: a supervisor's or manager's permission, recorded in the
 * audit log.
 */
import type { Command } from 'commander';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
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
          const { printDocument, printOriginalAgain } = await import('../app/peripherals.js');
          const printer = o.printer ? { printer: o.printer } : {};
          // a second original is printed by someone, proven by their PIN, allowed, and recorded
          const r = o.original
            ? await (async () => {
                const { actor, approver } = await actors(cli, app);
                return printOriginalAgain(app, actor, doc, { ...printer, ...(approver ? { approver } : {}) });
              })()
            : await printDocument(app, doc, { copy: true, ...printer });
          if (!r.printer) throw new TpvError('not_found', 'printer.none');
          const params = { number: doc.number, printer: r.printer, bytes: r.bytes };
          cli.out({ number: doc.number, ...r }, () => t(r.copy ? 'devices.printed' : 'devices.printed_original', params));
        }),
      ),
    'tpv print T01-000042            # a copy of a receipt, refund or invoice (the original if it never printed)',
    'tpv print T01Z-0003             # the Z report again',
    'tpv print T01-000042 --original --user ana --approver marta   # TPV_PIN=… (ana\'s), TPV_APPROVER_PIN=… (marta\'s)',
  );
}
