/**
 * The one connection factory. Every connection gets the pragmas of the design guide:
 * WAL, synchronous=FULL (set on every connection: WAL alone would open with NORMAL),
 * foreign keys, a busy timeout; a new database file is created with mode 0600.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { TpvError } from '../core/errors.js';

export type Sqlite = Database.Database;

let driver: typeof Database | undefined;
/** better-sqlite3 (a native addon) is loaded on first use: `tpv --version` and `--help` never pay for it. */
function sqlite(): typeof Database {
  return (driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database);
}

export const BUSY_TIMEOUT_MS = 5000;

function configure(db: Sqlite): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('temp_store = MEMORY');
}

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs fn in an IMMEDIATE transaction (the write lock taken up front; fn must be synchronous —
 * never await inside). SQLite's lock is not fair: its busy handler sleeps ever longer (up to
 * 100 ms between tries), so a till waiting behind a batch job could miss every short gap the job
 * leaves between its batches. tpv's writers instead try again every millisecond, up to the busy
 * timeout, and catch the first gap.
 */
export function immediate<T>(db: Sqlite, fn: () => T): T {
  const tx = db.transaction(fn);
  const busy = busyPragmas(db);
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  busy.off.get();
  try {
    for (;;) {
      try {
        return tx.immediate();
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || db.inTransaction || Date.now() >= deadline) throw e;
        Atomics.wait(SLEEP, 0, 0, 1);
      }
    }
  } finally {
    busy.on.get();
  }
}

const statementCache = new WeakMap<Sqlite, Map<string, Database.Statement>>();

/** A statement prepared once per connection (hot paths: checkout, lookups). */
export function prepared(db: Sqlite, sql: string): Database.Statement {
  let m = statementCache.get(db);
  if (!m) statementCache.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}

const busyCache = new WeakMap<Sqlite, { off: Database.Statement; on: Database.Statement }>();
function busyPragmas(db: Sqlite): { off: Database.Statement; on: Database.Statement } {
  let p = busyCache.get(db);
  if (!p) {
    p = { off: db.prepare('PRAGMA busy_timeout = 0'), on: db.prepare(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`) };
    busyCache.set(db, p);
  }
  return p;
}

/** Opens (creating when asked, with mode 0600) a database file with the standard pragmas. No migration. */
export function connect(path: string, opts: { create?: boolean; readonly?: boolean } = {}): Sqlite {
  if (!existsSync(path)) {
    if (!opts.create) throw new TpvError('not_found', 'store.missing', { path });
    closeSync(openSync(path, 'wx', 0o600));
  }
  const Driver = sqlite();
  const db = new Driver(path, { readonly: opts.readonly ?? false, fileMustExist: true });
  try {
    configure(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** `tpv.db.bak-20261121T131500Z`: the timestamp of the backup in UTC. */
export function backupPath(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${path}.bak-${stamp}`;
}

/** An online backup of a live database (SQLite's backup API), to a new file with mode 0600. */
export async function backupTo(db: Sqlite, dest: string): Promise<void> {
  closeSync(openSync(dest, 'wx', 0o600));
  await db.backup(dest);
}
