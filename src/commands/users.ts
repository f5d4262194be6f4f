/** `tpv users add|list|set-pin|set-role|disable`. */
import type { Command } from 'commander';
import { addUser, disableUser, listUsers, parseRole, setPin, setRole } from '../app/users.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const users = program.command('users').description(t('help.users'));
  /** The new PIN of a user: asked on a terminal, else the first line of stdin (TPV_PIN is the actor's). */
  const readPin = async (code: string): Promise<string> => {
    if (cli.interactive) return cli.prompt(t('users.ask_pin', { code }), { secret: true });
    const line = (await cli.readStdin()).split(/\r?\n/)[0]?.trim();
    if (!line) throw new TpvError('usage', 'users.pin_required');
    return line;
  };
  example(
    users
      .command('add <code>')
      .description(t('help.users.add'))
      .requiredOption('--name <name>', t('help.users.name'))
      .option('--role <role>', t('help.users.role'), 'cashier')
      .action(async (code: string, o: { name: string; role: string }) => {
        const role = parseRole(o.role);
        await cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const u = addUser(app, actor, { code, name: o.name, role, pin: await readPin(code) }, approver);
          cli.out(u, () => t('users.added', { code: u.code, role: u.role }));
        });
      }),
    'echo 2468 | TPV_PIN=1234 tpv users add ana --name "Ana García" --role cashier   # TPV_PIN: the admin\'s PIN',
  );
  example(
    users.command('list').description(t('help.users.list')).action(() =>
      cli.withApp((app) => {
        const rows = listUsers(app);
        cli.out(rows, () => table([t('users.code'), t('users.name'), t('users.role'), t('users.state')], rows.map((u) => [u.code, u.name, u.role, !u.active ? t('users.disabled') : u.locked_until && new Date(u.locked_until) > app.now() ? t('users.locked') : t('users.active')])));
      }),
    ),
    'tpv users list --json',
  );
  example(
    users
      .command('set-pin <code>')
      .description(t('help.users.set_pin'))
      .action((code: string) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const u = setPin(app, actor, code, await readPin(code), approver);
          cli.out(u, () => t('users.pin_set', { code: u.code }));
        }),
      ),
    'echo 1357 | TPV_PIN=2468 tpv users set-pin ana --user ana   # her own PIN: TPV_PIN is the old one',
  );
  example(
    users
      .command('set-role <code> <role>')
      .description(t('help.users.set_role'))
      .action((code: string, role: string) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const u = setRole(app, actor, code, parseRole(role), approver);
          cli.out(u, () => t('users.role_set', { code: u.code, role: u.role }));
        }),
      ),
    'tpv users set-role ana supervisor',
  );
  example(
    users
      .command('disable <code>')
      .description(t('help.users.disable'))
      .action((code: string) =>
        cli.withApp(async (app) => {
          const { actor, approver } = await actors(cli, app);
          const u = disableUser(app, actor, code, approver);
          cli.out(u, () => t('users.disabled_done', { code: u.code }));
        }),
      ),
    'tpv users disable ana',
  );
}
