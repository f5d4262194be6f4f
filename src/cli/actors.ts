/**
 * Who runs a CLI action, proven by their PIN: `--user CODE` (default the store's first active
 * admin) with the PIN in TPV_PIN, else asked on a terminal, else a usage error naming TPV_PIN.
 * `--approver CODE` with TPV_APPROVER_PIN. Every command that acts as a user goes through here;
 * read-only commands do not (the file's permissions guard what they read).
 */
import { type Approver, firstAdmin, type UserRow, verifyPin } from '../app/auth.js';
import type { App } from '../app/context.js';
import { TpvError } from '../core/errors.js';
import { t } from '../i18n/index.js';
import type { Cli } from './runtime.js';

/** The user of a CLI action, their PIN checked (and counted), and the approver, if any. */
export async function actors(cli: Cli, app: App): Promise<{ actor: UserRow; approver?: Approver }> {
  const o = cli.program.opts() as { user?: string; approver?: string };
  const approverPin = cli.io.env.TPV_APPROVER_PIN;
  if (o.approver && !approverPin) throw new TpvError('usage', 'permission.approver_pin');
  const code = o.user?.trim() || firstAdmin(app.db)?.code || 'admin';
  const pin = cli.io.env.TPV_PIN || (cli.interactive ? await cli.prompt(t('user.ask_pin', { code }), { secret: true }) : '');
  if (!pin) throw new TpvError('usage', 'user.pin_needed', { code });
  const actor = verifyPin(app, code, pin);
  return o.approver ? { actor, approver: { code: o.approver, pin: approverPin! } } : { actor };
}
