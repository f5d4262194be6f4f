/** `tpv audit verify`: the hash-chained journal of fiscal documents. */
import type { Command } from 'commander';
import { verifyJournal } from '../app/journal.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const audit = program.command('audit').description(t('help.audit'));
  example(
    audit.command('verify').description(t('help.audit.verify')).action(() =>
      cli.withApp((app) => {
        const r = verifyJournal(app.db);
        if (!r.ok) {
          throw new TpvError('conflict', `audit.${r.broken!.reason}`, { number: r.broken!.number ?? '?', seq: r.broken!.seq }, r);
        }
        cli.out(r, () => t('audit.ok', { entries: r.entries, head: r.head.slice(0, 16) }));
      }),
    ),
    'tpv audit verify --json',
  );
}
