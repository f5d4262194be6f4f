/** `tpv backup create|verify|restore|list`: backups of the database, taken online, checked, restored in place. */
import type { Command } from 'commander';
import type { BackupFacts, BackupInfo, ScheduledBackup } from '../app/backup.js';
import { SHORT_HASH } from '../app/journal.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

/** The backup code, loaded only by the backup commands (start-up of the others stays small). */
const backups = () => import('../app/backup.js');

export function register(program: Command, cli: Cli): void {
  const backup = program.command('backup').description(t('help.backup'));
  example(
    backup
      .command('create')
      .description(t('help.backup.create'))
      .option('--to <file>', t('help.backup.create.to'))
      .option('--scheduled', t('help.backup.create.scheduled'))
      .action((o: { to?: string; scheduled?: boolean }) =>
        cli.withApp(async (app) => {
          if (o.scheduled) {
            if (o.to !== undefined) throw new TpvError('usage', 'backup.scheduled_to');
            const r = await (await backups()).scheduledBackup(app);
            cli.out(r, () => scheduledText(r));
            return;
          }
          const r = await (await backups()).createBackup(app, o.to !== undefined ? { to: o.to } : {});
          cli.out(r, () => createdText(r));
        }),
      ),
    'tpv backup create',
    'tpv backup create --to /media/usb/tpv-2026-11-21.db',
    'tpv backup create --scheduled   # from cron: only when due, then the oldest beyond backup.keep deleted',
  );
  example(
    backup
      .command('verify')
      .description(t('help.backup.verify'))
      .argument('<file>', t('help.backup.file'))
      .action(async (file: string) => {
        const { backupError, verifyBackup } = await backups();
        const r = await verifyBackup(file);
        if (!r.ok) throw backupError(r);
        const f = r.facts!;
        cli.out(r, () =>
          t('backup.ok', {
            path: r.path,
            checksum: t(r.checksum === 'ok' ? 'backup.checksum.ok' : 'backup.checksum.missing'),
            version: f.schema_version,
            entries: r.audit!.entries,
            ...headParams(f),
          }),
        );
      }),
    'tpv backup verify ~/.local/share/tpv/tpv.db.backups/tpv.db.bak-20261121T131500Z',
    'sha256sum -c tpv.db.bak-20261121T131500Z.sha256   # the checksum, by hand, in its folder',
  );
  example(
    backup
      .command('restore')
      .description(t('help.backup.restore'))
      .argument('<file>', t('help.backup.file'))
      .action(async (file: string) => {
        const r = await (await backups()).restoreBackup(cli.dbPath(), file, (app) => actors(cli, app), { notice: cli.notice });
        cli.out(r, () =>
          [t('backup.restored', { path: r.path, from: r.from, by: r.by, ...headParams(r) }), r.kept ? t('backup.kept', { kept: r.kept.path }) : ''].filter(Boolean).join('\n'),
        );
      }),
    'TPV_PIN=… tpv backup restore ~/.local/share/tpv/tpv.db.backups/tpv.db.bak-20261121T131500Z',
  );
  example(
    backup
      .command('list')
      .description(t('help.backup.list'))
      .action(async () => {
        const r = (await backups()).listBackups(cli.dbPath());
        cli.out(r, () =>
          r.backups.length === 0
            ? t('backup.none', { path: cli.dbPath(), folder: r.folder })
            : table(
                [t('backup.h.taken'), t('backup.h.size'), t('backup.h.kind'), t('backup.h.file')],
                r.backups.map((b) => [b.at.replace('T', ' ').replace(/\.\d+Z$/, ''), sizeText(b.size), t(`backup.kind.${b.kind}`), b.path]),
                ['l', 'r'],
              ),
        );
      }),
    'tpv backup list --json',
  );
}

function headParams(f: BackupFacts): { seq: number; head: string; last: string } {
  return { seq: f.journal.seq, head: f.journal.head.slice(0, SHORT_HASH), last: f.last_document?.number ?? '-' };
}

function createdText(r: BackupInfo): string {
  return t('backup.created', { path: r.path, size: sizeText(r.size), sha256: r.sha256, version: r.schema_version, ...headParams(r) });
}

function scheduledText(r: ScheduledBackup): string {
  if (r.skipped === 'off') return t('backup.schedule_off');
  if (r.skipped === 'not_due') return t('backup.not_due', { every: r.every_hours, next: r.next_due! });
  return [createdText(r.created!), r.pruned.length ? t('backup.pruned', { count: r.pruned.length, keep: r.keep }) : ''].filter(Boolean).join('\n');
}

function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
