/** `tpv users add|list|set-pin|set-role|disable`. */
import type { Command } from 'commander';
import { addUser, disableUser, listUsers, parseRole, setPin, setRole } from '../app/users.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import { actors } from '../cli/actors.js';
import { type Cli, example, table } from '../cli/runtime.js';

export function register(program: Command, cli: Cli): void {
  const users = program.command('users').description(t('help.users'));
  const readPin = async (flag: string): Promise<string> => {
    const env = cli.io.env.TPV_PIN;
    if (env) return env;
    if (cli.interactive) return cli.prompt(t('users.ask_pin'), { secret: true });
    const line = (await cli.readStdin()).split(/\r?\n/)[0]?.trim();
    if (!line) throw new TpvError('usage', 'users.pin_required', { flag });
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
        const pin = await readPin('stdin');
        await cli.withApp((app) => {
          const { actor, approver } = actors(cli, app);
          const u = addUser(app, actor, { code, name: o.name, role, pin }, approver);
          cli.out(u, () => t('users.added', { code: u.code, role: u.role }));
        });
      }),
    'echo 2468 | tpv users add ana --name "Ana García" --role cashier',
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
      .action(async (code: string) => {
        const pin = await readPin('stdin');
        await cli.withApp((app) => {
          const { actor, approver } = actors(cli, app);
          const u = setPin(app, actor, code, pin, approver);
          cli.out(u, () => t('users.pin_set', { code: u.code }));
        });
      }),
    'echo 1357 | tpv users set-pin ana',
  );
  example(
    users
      .command('set-role <code> <role>')
      .description(t('help.users.set_role'))
      .action((code: string, role: string) =>
        cli.withApp((app) => {
          const { actor, approver } = actors(cli, app);
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
        cli.withApp((app) => {
          const { actor, approver } = actors(cli, app);
          const u = disableUser(app, actor, code, approver);
          cli.out(u, () => t('users.disabled_done', { code: u.code }));
        }),
      ),
    'tpv users disable ana',
  );
}
