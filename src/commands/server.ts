/**
 * `tpv server`: the store server in the foreground (until SIGINT/SIGTERM); `tpv server terminals
 * add|list|revoke`: the tills it accepts; `tpv server report sales`: every till's sales. Every one of them takes the same `--data DIR` (embedded
 * SQLite, default beside the till's database) or `--database URL` (PostgreSQL). The server code is
 * loaded only by these commands.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { csvLine } from '../core/csv.js';
import { TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';
import { terminalText } from '../core/text.js';
import { formatNumberText } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { dateFlag, intFlag } from '../cli/flags.js';
import { type Cli, example, table } from '../cli/runtime.js';
import { SERVER_REPORT_BY, type ServerReportBy, type ServerSalesRow, type ServerStorage } from '../server/storage.js';
import { redactedUrl } from '../server/url.js';

interface Where {
  data?: string;
  database?: string;
}

export function register(program: Command, cli: Cli): void {
  /** The data dir: --data, else `server/` beside the till's database. */
  const dataDir = (o: Where): string => (o.data ? resolve(o.data) : join(dirname(cli.dbPath()), 'server'));
  const where = (o: Where): string => (o.database ? redactedUrl(o.database) : dataDir(o));

  /** The storage the options name: the server's own (locked), or an admin command's beside it. */
  const storage = async (o: Where, use: 'server' | 'add' | 'read'): Promise<ServerStorage> => {
    if (o.data && o.database) throw new TpvError('usage', 'server.data_or_database');
    if (o.database) return (await import('../server/postgres.js')).openPostgresStorage(o.database);
    const { openSqliteStorage } = await import('../server/sqlite.js');
    return openSqliteStorage(dataDir(o), use === 'server' ? {} : { beside: true, create: use === 'add' });
  };
  const withStorage = async <T>(cmd: Command, use: 'add' | 'read', fn: (s: ServerStorage) => Promise<T>): Promise<T> => {
    const s = await storage(cmd.optsWithGlobals<Where>(), use);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  const server = program
    .command('server')
    .description(t('help.server'))
    .option('--listen <host:port>', t('help.server.listen'), '0.0.0.0:8787')
    .option('--data <dir>', t('help.server.data'))
    .option('--database <url>', t('help.server.database'))
    .option('--tls-cert <file>', t('help.server.tls_cert'))
    .option('--tls-key <file>', t('help.server.tls_key'))
    .option('--log-file <file>', t('help.server.log_file'))
    .option('--no-log-file', t('help.server.no_log_file'))
    .option('--log-size <MiB>', t('help.server.log_size'), '10')
    .option('--log-keep <n>', t('help.server.log_keep'), '10')
    .action(async (o: Where & { listen: string; tlsCert?: string; tlsKey?: string; logFile?: string | false; logSize: string; logKeep: string }) => {
      const { parseListen, startServer } = await import('../server/server.js');
      parseListen(o.listen); // a typo is a usage error before anything is opened
      if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new TpvError('usage', 'server.tls_pair');
      const size = intFlag(o.logSize, '--log-size', 1, 1024) * 1024 * 1024;
      const keep = intFlag(o.logKeep, '--log-keep', 1, 100);
      const tls = o.tlsCert && o.tlsKey ? { cert: readFile(o.tlsCert), key: readFile(o.tlsKey) } : undefined;
      const s = await storage(o, 'server');
      const stderr = (line: string): void => void cli.io.stderr.write(line + '\n');
      try {
        // every line goes to stderr and to the log file: server.log in the data dir unless --log-file or --no-log-file
        const logPath = o.logFile === false ? undefined : resolve(o.logFile ?? join(dataDir(o), 'server.log'));
        const file = logPath
          ? await (await import('../server/log.js')).openServerLog(logPath, {
              size,
              keep,
              // told once, in the server's own line format, until the file takes lines again
              onError: (e) => stderr(`${new Date().toISOString()} error where=log_file file=${terminalText(JSON.stringify(logPath))} message=${terminalText(JSON.stringify(e.message))}`),
            })
          : undefined;
        const log = (line: string): void => {
          stderr(line);
          file?.write(line);
        };
        try {
          const running = await startServer({ listen: o.listen, storage: s, log, ...(tls ? { tls } : {}) });
          const stop = signalled(); // before saying it listens: a SIGTERM right after that stops it cleanly
          cli.io.stderr.write(t('server.listening', { url: running.url, data: where(o) }) + '\n');
          await stop;
          await running.close();
        } finally {
          await file?.close();
        }
      } finally {
        await s.close();
      }
    });
  example(
    server,
    'tpv server --listen 0.0.0.0:8787 --data /srv/tpv-server',
    'tpv server --tls-cert /etc/tpv/cert.pem --tls-key /etc/tpv/key.pem   # wss://',
    'tpv server --database postgres://tpv@db.example/tpv   # a chain: several servers may share it',
    'tpv server --log-file /var/log/tpv/server.log --log-size 50 --log-keep 20   # also --no-log-file',
  );

  // --data and --database are the server's options: each terminals command shows them in its help
  const terminals = server.command('terminals').description(t('help.server.terminals')).configureHelp({ showGlobalOptions: true });
  example(
    terminals
      .command('add <code>')
      .description(t('help.server.terminals.add'))
      .option('--name <name>', t('help.server.terminals.name'))
      .action(async (code: string, o: { name?: string }, cmd: Command) => {
        const { addTerminal } = await import('../server/admin.js');
        const r = await withStorage(cmd, 'add', (s) => addTerminal(s, code, o.name ?? '', new Date()));
        cli.out(r, () => t('server.terminal_added', { code: r.code, name: r.name, enrol: r.enrol_code, expires: shortTime(r.expires_at) }));
      }),
    'tpv server terminals add T02 --name "Caja 2"',
    'tpv server terminals add T02 --json   # {"ok":true,"data":{"code":"T02","enrol_code":"…",…}}',
  );
  example(
    terminals
      .command('list')
      .description(t('help.server.terminals.list'))
      .action(async (_o: unknown, cmd: Command) => {
        const { terminalView } = await import('../server/admin.js');
        const rows = await withStorage(cmd, 'read', (s) => s.listTerminals());
        const now = new Date();
        const shown = rows.map((r) => terminalView(r, now));
        cli.out({ terminals: shown }, () =>
          shown.length === 0
            ? t('server.no_terminals')
            : table(
                [
                  t('server.h.code'),
                  t('server.h.name'),
                  t('server.h.state'),
                  t('server.h.version'),
                  t('server.h.backlog'),
                  t('server.h.hwm'),
                  t('server.h.last_event'),
                  t('server.h.last_z'),
                  t('server.h.skew'),
                  t('server.h.diverged'),
                  t('server.h.quarantined'),
                ],
                shown.map((v) => [
                  v.code,
                  v.name,
                  t(`server.state.${v.state}`),
                  v.version ?? '-',
                  v.backlog === null ? '-' : String(v.backlog),
                  String(v.hwm),
                  v.last_event_at ? shortTime(v.last_event_at) : '-',
                  v.last_z ?? '-',
                  v.skew_ms === null ? '-' : `${(v.skew_ms / 1000).toFixed(1)} s`,
                  v.diverged ? t('yes') : t('no'),
                  String(v.quarantined),
                ]),
                ['l', 'l', 'l', 'l', 'r', 'r', 'l', 'l', 'r', 'l', 'r'],
              ),
        );
      }),
    'tpv server terminals list',
    'tpv server terminals list --json --data /srv/tpv-server',
  );
  example(
    terminals
      .command('revoke <code>')
      .description(t('help.server.terminals.revoke'))
      .action(async (code: string, _o: unknown, cmd: Command) => {
        const done = await withStorage(cmd, 'read', (s) => s.revoke(code, new Date().toISOString()));
        if (!done) throw new TpvError('not_found', 'server.terminal_unknown', { code });
        cli.out({ code, revoked: true }, () => t('server.terminal_revoked', { code }));
      }),
    'tpv server terminals revoke T02',
  );

  const report = server.command('report').description(t('help.server.report')).configureHelp({ showGlobalOptions: true });
  example(
    report
      .command('sales')
      .description(t('help.server.report.sales'))
      .option('--by <dimension>', t('help.report.by', { values: SERVER_REPORT_BY.join('|') }), 'terminal')
      .option('--from <date>', t('help.report.from'))
      .option('--to <date>', t('help.report.to'))
      .option('--csv', t('help.report.csv'))
      .action(async (o: { by: string; from?: string; to?: string; csv?: boolean }, cmd: Command) => {
        if (!(SERVER_REPORT_BY as readonly string[]).includes(o.by)) throw new TpvError('usage', 'report.by', { value: o.by, values: SERVER_REPORT_BY.join(', ') });
        const by = o.by as ServerReportBy;
        const range = { ...(o.from ? { from: dateFlag(o.from, '--from')! } : {}), ...(o.to ? { to: dateFlag(o.to, '--to')! } : {}) };
        const r = await withStorage(cmd, 'read', (s) => s.salesReport(by, range));
        const taxes = by === 'tax';
        if (o.csv && !cli.json) {
          const head = taxes ? ['key', 'count', 'base', 'tax', 'total'] : ['key', 'count', 'total'];
          const numeric = taxes ? [false, true, true, true, true] : [false, true, true];
          const line = (x: ServerSalesRow): string[] => (taxes ? [x.key, String(x.count), x.base!, x.tax!, x.total] : [x.key, String(x.count), x.total]);
          cli.io.stdout.write(csvLine(head) + r.rows.map((x) => csvLine(line(x), numeric)).join(''));
          return;
        }
        cli.out(r, () =>
          table(
            [t(`server.report.h.${by}`), t('report.count'), ...(taxes ? [t('server.report.h.base'), t('server.report.h.tax_amount')] : []), t('report.amount')],
            [
              ...r.rows.map((x) => [taxes ? `${x.key} %` : x.key, String(x.count), ...(taxes ? [formatNumberText(x.base!), formatNumberText(x.tax!)] : []), formatNumberText(x.total)]),
              taxes ? ['', '', '', '', ''] : ['', '', ''],
              [t('report.total'), String(r.count), ...(taxes ? ['', ''] : []), formatNumberText(r.total)],
            ],
            taxes ? ['l', 'r', 'r', 'r', 'r'] : ['l', 'r', 'r'],
          ),
        );
      }),
    'tpv server report sales --by terminal --from 2026-11-01 --to 2026-11-30',
    'tpv server report sales --by tax --csv > taxes.csv',
    'tpv server report sales --by day --json --database postgres://tpv@db.example/tpv',
  );
}

/** `2026-11-21 10:15:00Z`: a stored time, to the second. */
const shortTime = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw systemError(e, path) ?? e;
  }
}

/** Resolves at the first SIGINT or SIGTERM: the server then closes cleanly. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
