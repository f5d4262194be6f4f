/**
 * Changing store settings: a fixed set of keys (src/core/profile.ts). Reading them is cheap and
 * needs no validation library; writing goes through `settings-schema.ts` (zod), loaded only here.
 */
import { TpvError } from '../core/errors.js';
import type { SettingKey, Settings } from '../core/profile.js';
import { writeSettings } from '../db/settings.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

/**
 * `tpv config set`: one setting changed (store management), validated by its schema (loaded only
 * here), written with its `settings` event; the profile is re-read.
 */
export async function changeSetting<K extends SettingKey>(app: App, actor: UserRow, key: K, text: string, approver?: Approver): Promise<Settings[K]> {
  authorize(app, actor, 'manage_store', approver);
  const { assertLayout, parseSetting } = await import('./settings-schema.js');
  const value = parseSetting(key, text);
  if (key.startsWith('barcode.')) assertLayout({ ...app.settings, [key]: value });
  inTransaction(app, () => {
    if (key === 'store.currency' && value !== app.profile.currency && app.db.prepare('SELECT 1 FROM products LIMIT 1').get()) {
      throw new TpvError('conflict', 'config.currency_locked');
    }
    writeSettings(app.db, { [key]: value });
    appendEvent(app, 'settings', { changes: { [key]: value }, by: actor.code });
  });
  app.reload();
  return value;
}
