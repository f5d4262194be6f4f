/** `tpv doctor`: what a technician checks first — the database, the journal, the disk, the clock, each device, the ports. */
import type { Command } from 'commander';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  example(
    program
      .command('doctor')
      .description(t('help.doctor'))
      .action(async () => {
        const { runDoctor } = await import('../app/doctor.js');
        const r = await runDoctor(cli.dbPath(), new Date());
        const failed = r.checks.filter((c) => c.status === 'fail').length;
        const checks = r.checks.map((c) => ({
          id: c.id,
          status: c.status,
          message: t(c.message.code, c.message.params),
          fix: c.fix ? t(c.fix.code, c.fix.params) : null,
        }));
        const data = { ok: r.ok, path: r.path, checks };
        if (!cli.json) {
          const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
          cli.io.stdout.write(checks.map((c) => `${mark[c.status]}  ${c.message}${c.fix ? `\n      → ${c.fix}` : ''}`).join('\n') + '\n');
        }
        if (failed) throw new TpvError('device', 'doctor.failed', { failed, total: checks.length }, data);
        if (cli.json) cli.out(data, () => '');
        else cli.io.stdout.write(t('doctor.all_ok', { total: checks.length }) + '\n');
      }),
    'tpv doctor',
    'tpv doctor --json   # exit 0 only when nothing fails',
  );
}
