/** `tpv pos` (and `tpv` alone on a terminal): the cashier terminal. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openApp } from '../app/open.js';
import type { Command } from 'commander';
import { t } from '../i18n/index.js';
import { type Cli, example } from '../cli/runtime.js';
import { createDemo, createStore } from '../cli/setup.js';

/** Opens the terminal on the configured database; a first run sets the store up (the questions of `tpv init`). */
export async function openPos(cli: Cli, opts: { demo?: boolean } = {}): Promise<void> {
  let path = cli.dbPath();
  let hint: string | undefined;
  if (opts.demo) {
    if (!cli.program.opts().db) path = join(dirname(path), 'demo.db');
    if (!existsSync(path)) await createDemo(cli, path);
    hint = t('tui.demo_hint', { path });
  } else if (!existsSync(path)) {
    cli.io.stderr.write(t('tui.first_run', { path }) + '\n');
    await createStore(cli, path);
  }
  // Ink reads CI variables when it loads and then draws nothing until exit: a till is never CI
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runPos } = await import('../tui/run.js');
  const app = await openApp(path, { notice: cli.notice });
  try {
    await runPos(app, { stdin: process.stdin, stdout: process.stdout, ...(hint ? { loginHint: hint } : {}) });
  } finally {
    app.close();
  }
}

export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('pos')
    .description(t('help.pos'))
    .option('--demo', t('help.pos.demo'))
    .action((o: { demo?: boolean }) => openPos(cli, o));
  example(cmd, 'tpv pos', 'tpv --db /srv/tpv/t01.db pos', 'tpv pos --demo');
}
