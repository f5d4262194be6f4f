/**
 * Changing store settings: a fixed set of keys (src/core/profile.ts). Reading them is cheap and
 * needs no validation library; writing goes through `settings-schema.ts` (zod), loaded only here.
 */
import { TpvError } from '../core/errors.js';
import { SETTING_DEFAULTS, type SettingKey, type Settings } from '../core/profile.js';
import { loadSettings, writeSettings } from '../db/settings.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

/**
 * `tpv config set`: settings changed together (store management), each validated by its schema
 * (loaded only here), then with the settings they depend on (`checkSettings`); written with one
 * `settings` event. Returns what was written (canonical values). The profile is re-read.
 */
export async function changeSettings(
  app: App,
  actor: UserRow,
  texts: Partial<Record<SettingKey, string>>,
  approver?: Approver,
  opts: { acceptTaxId?: boolean } = {},
): Promise<Partial<Settings>> {
  authorize(app, actor, 'manage_store', approver);
  const { checkSettings, parseSetting } = await import('./settings-schema.js');
  const parsed = Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, parseSetting(k as SettingKey, v)])) as Partial<Settings>;
  const written = inTransaction(app, () => {
    const stored = loadSettings(app.db);
    const changes = checkSettings(stored, parsed, opts);
    const currency = changes['store.currency'];
    if (currency !== undefined && currency !== (stored['store.currency'] ?? SETTING_DEFAULTS['store.currency']) && app.db.prepare('SELECT 1 FROM products LIMIT 1').get()) {
      throw new TpvError('conflict', 'config.currency_locked');
    }
    writeSettings(app.db, changes);
    appendEvent(app, 'settings', { changes, by: actor.code });
    return changes;
  });
  app.reload();
  return written;
}

/** One setting changed (see {@link changeSettings}); returns its stored value. */
export async function changeSetting<K extends SettingKey>(app: App, actor: UserRow, key: K, text: string, approver?: Approver): Promise<Settings[K]> {
  const written = await changeSettings(app, actor, { [key]: text }, approver);
  return written[key] as Settings[K];
}
