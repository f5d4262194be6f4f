/** `tpv drawer open`: the cash drawer without a sale (recorded, with a reason). */
import type { Command } from 'commander';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const drawer = program.command('drawer').description(t('help.drawer'));
  example(
    drawer
      .command('open')
      .description(t('help.drawer.open'))
      .option('--reason <text>', t('help.drawer.reason'))
      .action((o: { reason?: string }) =>
        cli.withApp(async (app) => {
          const reason = cli.required(o.reason, '--reason');
          const { actor, approver } = await actors(cli, app);
          const { openDrawer } = await import('../app/peripherals.js');
          const r = await openDrawer(app, actor, reason, approver);
          cli.out(r, () => t('devices.drawer_opened', { name: r.drawer }));
        }),
      ),
    'tpv drawer open --reason "cambio para el banco" --user ana --approver marta   # TPV_PIN=… (ana\'s), TPV_APPROVER_PIN=… (marta\'s)',
  );
}
