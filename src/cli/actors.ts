/** Who runs a CLI action: `--user` (default the store's admin), `--approver` with TPV_APPROVER_PIN. */
import { type Approver, authorize } from '../app/auth.js';
import type { App } from '../app/context.js';
import { actingUser, type UserRow } from '../app/users.js';
import { TpvError } from '../core/errors.js';
import type { Action } from '../core/permissions.js';
import type { Cli } from './runtime.js';

/** The user of a CLI action (`--user`, default the store's admin) and the approver, if any. */
export function actors(cli: Cli, app: App): { actor: UserRow; approver?: Approver } {
  const o = cli.program.opts() as { user?: string; approver?: string };
  const actor = actingUser(app.db, o.user);
  if (!o.approver) return { actor };
  const pin = cli.io.env.TPV_APPROVER_PIN;
  if (!pin) throw new TpvError('usage', 'permission.approver_pin');
  return { actor, approver: { code: o.approver, pin } };
}

/** Refuses (exit 5) unless the acting user, or the approver, may do `action`. */
export function allow(cli: Cli, app: App, action: Action): void {
  const { actor, approver } = actors(cli, app);
  authorize(app, actor, action, approver);
}
