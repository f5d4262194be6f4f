/** Opening a store: the database (migrated when older), interrupted bulk loads recovered, outbox rows from before the contract upgraded. */
import { TpvError } from '../core/errors.js';
import { recoverBulkLoads } from '../db/catalog.js';
import { openDatabase } from '../db/migrate.js';
import { type App, appOn, type Notice, processAlive } from './context.js';
import { upgradeLegacyEvents } from './outbox.js';

export interface OpenOptions {
  now?: () => Date;
  notice?: (n: Notice) => void;
  /** Allow a database without a store (only `init` needs this). */
  allowEmpty?: boolean;
  create?: boolean;
}

export async function openApp(path: string, opts: OpenOptions = {}): Promise<App> {
  const now = opts.now ?? (() => new Date());
  const notice = opts.notice ?? (() => {});
  const { db, migrated } = await openDatabase(path, { create: opts.create ?? false, now });
  if (migrated && migrated.backup) {
    notice({ code: 'store.migrated', params: { tags: migrated.tags.join(', '), backup: migrated.backup } });
  }
  if (recoverBulkLoads(db, processAlive)) notice({ code: 'import.recovered', params: { path } });
  const app = appOn(db, path, now, notice);
  if (!opts.allowEmpty && app.settings['store.name'] === undefined) {
    db.close();
    throw new TpvError('not_found', 'store.not_initialized', { path });
  }
  upgradeLegacyEvents(app);
  return app;
}

