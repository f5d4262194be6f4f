/** `tpv demo`: a throw-away demo store for trying the CLI. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { t } from '../i18n/index.js';
import { createDemo, demoText } from '../cli/setup.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const demo = program
    .command('demo')
    .description(t('help.demo'))
    .action(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tpv-demo-'));
      const d = await createDemo(cli, join(dir, 'tpv.db'));
      cli.out(d, () => demoText(d));
    });
  example(demo, 'tpv demo', 'tpv demo --json');
}
