/**
 * Opening a store: the database (migrated when older), interrupted bulk loads recovered, imports
 * cut short named, outbox rows from before the contract upgraded.
 */
import { TpvError } from '../core/errors.js';
import { isoWithOffset } from '../core/time.js';
import { recoverBulkLoads, unfinishedImports } from '../db/catalog.js';
import { openDatabase } from '../db/migrate.js';
import { type App, appOn, type Notice, processAlive } from './context.js';
import { einvoiceHook } from './einvoice.js';
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
  // whatever fails from here (a read-only file refusing the recovery writes…) closes the database
  try {
    if (migrated && migrated.backup) {
      notice({ code: 'store.migrated', params: { tags: migrated.tags.join(', '), backup: migrated.backup } });
    }
    if (recoverBulkLoads(db, processAlive)) notice({ code: 'import.recovered', params: { path } });
    const app = appOn(db, path, now, notice);
    // every document gets its e-invoicing record (nothing unless the store's scheme is on)
    app.documentHooks.push(einvoiceHook);
    if (!opts.allowEmpty && app.settings['store.name'] === undefined) throw new TpvError('not_found', 'store.not_initialized', { path });
    upgradeLegacyEvents(app);
    for (const n of unfinishedImportNotices(app)) notice(n);
    return app;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * An import that stopped part-way (killed, or failed on a full disk…) and was not run again to
 * its end: "the import of prices.csv stopped after 19251 of 200000 rows at …; run it again".
 */
export function unfinishedImportNotices(app: App): Notice[] {
  return unfinishedImports(app.db, processAlive).map((r) => ({
    code: 'import.unfinished',
    params: {
      kind: r.kind,
      source: r.source,
      applied: r.applied,
      rows: r.rows,
      at: isoWithOffset(new Date(r.ended_at ?? r.started_at), app.profile.timezone).slice(0, 16).replace('T', ' '),
    },
  }));
}

