/** `tpv sync register|status|push|run|resolve`: this till and the store server (docs/sync.md). */
import type { Command } from 'commander';
import type { SyncStatus } from '../app/sync.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

/** The sync client (ws, zod), loaded only by these commands. */
const client = () => import('../app/sync.js');

export function register(program: Command, cli: Cli): void {
  const sync = program.command('sync').description(t('help.sync'));
  example(
    sync
      .command('register')
      .description(t('help.sync.register'))
      .option('--server <url>', t('help.sync.server'))
      .option('--code <code>', t('help.sync.code'))
      .action((o: { server?: string; code?: string }) =>
        cli.withApp(async (app) => {
          const server = cli.required(o.server, '--server');
          const code = cli.required(o.code, '--code');
          const { actor, approver } = await actors(cli, app);
          const r = await (await client()).registerTill(app, actor, approver, { server, code });
          cli.out(r, () => t('sync.registered', { ...r }));
        }),
      ),
    'TPV_PIN=… tpv sync register --server ws://192.168.1.10:8787 --code CODE   # the code `tpv server terminals add T01` printed',
  );
  example(
    sync
      .command('status')
      .description(t('help.sync.status'))
      .action(() =>
        cli.withApp(async (app) => {
          const s = await (await client()).syncStatus(app);
          cli.out(s, () => statusText(s));
        }),
      ),
    'tpv sync status',
    'tpv sync status --json',
  );
  example(
    sync
      .command('push')
      .description(t('help.sync.push'))
      .action(() =>
        cli.withApp(async (app) => {
          const { pushOutbox, requireLink } = await client();
          const r = await pushOutbox(app, requireLink(app.path), cli.notice);
          cli.out(r, () => t('sync.pushed', { ...r }));
        }),
      ),
    'tpv sync push && echo "the server holds every event"',
  );
  example(
    sync
      .command('run')
      .description(t('help.sync.run'))
      .action(() =>
        cli.withApp(async (app) => {
          const { requireLink, runSync } = await client();
          const link = requireLink(app.path);
          const stop = new AbortController();
          const onSignal = (): void => stop.abort();
          process.on('SIGTERM', onSignal);
          process.on('SIGINT', onSignal);
          try {
            cli.notice({ code: 'sync.log.started', params: { server: link.server, terminal: link.terminal } });
            await runSync(app, link, stop.signal, cli.notice);
            cli.notice({ code: 'sync.log.stopped' });
          } finally {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
          }
          cli.out({ server: link.server, terminal: link.terminal, hwm: link.state.hwm }, () => '');
        }),
      ),
    'tpv sync run   # in a systemd unit: ExecStart=/usr/bin/tpv sync run',
  );
  example(
    sync
      .command('resolve')
      .description(t('help.sync.resolve'))
      .action(() =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const r = await (await client()).resolveDivergence(app, actor, approver, cli.notice);
          cli.out(r, () => t(r.moved > 0 ? 'sync.resolved_moved' : 'sync.resolved', { ...r, from: r.from ?? '-', to: (r.from ?? 0) + r.moved - 1 }));
        }),
      ),
    'TPV_PIN=… tpv sync resolve && tpv sync push   # a till restored from an old backup (push said: diverged)',
  );
}

function statusText(s: SyncStatus): string {
  if (!s.registered) return t('sync.status.unregistered', { backlog: s.backlog });
  const never = t('sync.status.never');
  const reach = s.reachable ? t('sync.status.reachable', { hwm: s.server_hwm ?? 0 }) : t('sync.status.unreachable');
  const rows: [string, string][] = [
    [t('sync.status.server'), `${s.server} — ${reach}`],
    [t('sync.status.terminal'), s.terminal ?? ''],
    [t('sync.status.outbox'), t('sync.status.outbox_value', { last: s.last_seq, backlog: s.backlog })],
    [t('sync.status.last_ack'), s.last_ack_at ?? never],
    [t('sync.status.last_heartbeat'), s.last_heartbeat_at ?? never],
  ];
  if (s.last_error) rows.push([t('sync.status.last_error'), `${s.last_error.at} ${s.last_error.message}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
