/** `tpv migrate [status]`: the database schema against this program's migrations. */
import type { Command } from 'commander';
import { migrate, migrationReport } from '../app/migrate.js';
import { t } from '../i18n/index.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('migrate')
    .description(t('help.migrate'))
    .action(async () => {
      const data = await migrate(cli.dbPath());
      cli.out(data, () =>
        data.applied.length
          ? t('migrate.applied', { count: data.applied.length, tags: data.applied.join(', '), backup: data.backup ?? '-' })
          : t('migrate.up_to_date', { version: data.version }),
      );
    });
  example(cmd, 'tpv migrate', 'tpv migrate status --json');
  cmd
    .command('status')
    .description(t('help.migrate.status'))
    .action(() => {
      const r = migrationReport(cli.dbPath());
      const data = { path: r.path, version: r.version, known: r.known, newer: r.newer, migrations: r.migrations };
      cli.out(data, () =>
        table(
          [t('migrate.tag'), t('migrate.state'), t('migrate.applied_at')],
          data.migrations.map((m) => [m.tag, t(`migrate.${m.state}`) + (m.modified ? ' (!)' : ''), m.applied_at ?? '']),
        ) + (data.newer ? '\n' + t('store.newer', { path: r.path, version: r.version, known: r.known, theirs: r.writtenBy ?? '?', ours: r.ours }) : ''),
      );
    });
}
