/** Who runs a CLI action: `--user` (default the store's admin), `--approver` with TPV_APPROVER_PIN. */
import { actingUser, type Approver, type UserRow } from '../app/auth.js';
import type { App } from '../app/context.js';
import { TpvError } from '../core/errors.js';
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
