/**
 * Changing store settings: a fixed set of keys (src/core/profile.ts). Reading them is cheap and
 * needs no validation library; writing goes through `settings-schema.ts` (zod), loaded only here.
 */
import { TpvError } from '../core/errors.js';
import { SETTING_DEFAULTS, type SettingKey, type Settings } from '../core/profile.js';
import { loadSettings, writeSettings } from '../db/settings.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import type { TaxIdWarning } from './customers.js';
import { appendEvent } from './outbox.js';

/** What `changeSettings` wrote, and why the store's tax id is kept unverified (if it is). */
export interface SettingsChange {
  /** The settings written, in canonical form. */
  changes: Partial<Settings>;
  /** The problem of a store tax id kept without being verified (also told as a notice); else null. */
  taxIdWarning: TaxIdWarning | null;
}

/**
 * `tpv config set`: settings changed together (store management), each validated by its schema
 * (loaded only here), then with the settings they depend on (`checkSettings`); written with one
 * `settings` event. Returns what was written (canonical values). The profile is re-read. A store
 * tax id kept unverified (`acceptTaxId`, or a Mexican RFC whose check digit fails) is said as a
 * notice after the commit, as for a customer's.
 */
export async function changeSettings(
  app: App,
  actor: UserRow,
  texts: Partial<Record<SettingKey, string>>,
  approver?: Approver,
  opts: { acceptTaxId?: boolean } = {},
): Promise<SettingsChange> {
  authorize(app, actor, 'manage_store', approver);
  const { checkSettings, parseSetting, taxIdWarningNotice } = await import('./settings-schema.js');
  const parsed = Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, parseSetting(k as SettingKey, v)])) as Partial<Settings>;
  const written = inTransaction(app, () => {
    const stored = loadSettings(app.db);
    const checked = checkSettings(stored, parsed, opts);
    const changes = checked.changes;
    const currency = changes['store.currency'];
    if (currency !== undefined && currency !== (stored['store.currency'] ?? SETTING_DEFAULTS['store.currency']) && app.db.prepare('SELECT 1 FROM products LIMIT 1').get()) {
      throw new TpvError('conflict', 'config.currency_locked');
    }
    writeSettings(app.db, changes);
    appendEvent(app, 'settings', { changes, by: actor.code });
    return checked;
  });
  app.reload();
  const taxId = app.settings['store.tax_id'];
  if (written.taxIdWarning && taxId) app.notice(taxIdWarningNotice(taxId, written.taxIdWarning));
  return written;
}

/** One setting changed (see {@link changeSettings}); returns its stored value. */
export async function changeSetting<K extends SettingKey>(app: App, actor: UserRow, key: K, text: string, approver?: Approver): Promise<Settings[K]> {
  const { changes } = await changeSettings(app, actor, { [key]: text }, approver);
  return changes[key] as Settings[K];
}
