/**
 * The one connection factory. Every connection gets the pragmas of the design guide:
 * WAL, synchronous=FULL (set on every connection: WAL alone would open with NORMAL),
 * foreign keys, a busy timeout; a new database file is created with mode 0600.
 */
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';

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

/**
 * Opens (creating when asked, with mode 0600) a database file with the standard pragmas. No
 * migration. What cannot be a database is refused before SQLite sees it (a folder, /dev/null: SQLite
 * would write a journal beside a device); the system's refusals come back naming the path.
 */
export function connect(path: string, opts: { create?: boolean; readonly?: boolean } = {}): Sqlite {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) {
      if (!opts.create) throw new TpvError('not_found', 'store.missing', { path });
      closeSync(openSync(path, 'wx', 0o600));
    } else if (st.isDirectory()) throw new TpvError('invalid', 'io.directory', { path });
    else if (!st.isFile()) throw new TpvError('invalid', 'store.not_file', { path });
  } catch (e) {
    throw openError(e, path);
  }
  let db: Sqlite | undefined;
  try {
    db = new (sqlite())(path, { readonly: opts.readonly ?? false, fileMustExist: true });
    configure(db);
    return db;
  } catch (e) {
    db?.close();
    throw openError(e, path);
  }
}

/** Why a database could not be opened, naming it (a bug stays what it was). */
function openError(e: unknown, path: string): unknown {
  return e instanceof TpvError ? e : (systemError(e, path) ?? e);
}

/** `20261121T131500Z`: a moment in UTC, to the second, as backups are named. */
export function fileStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** `tpv.db.bak-20261121T131500Z`: the timestamp of the backup in UTC. */
export function backupPath(path: string, now: Date): string {
  return `${path}.bak-${fileStamp(now)}`;
}

/**
 * A connection with none of the pragmas above, to a file that is not opened as the store: a backup
 * read-only (WAL would need -wal/-shm files beside it), or a database locked for a restore.
 */
export function openFile(path: string, opts: { readonly?: boolean } = {}): Sqlite {
  return new (sqlite())(path, { readonly: opts.readonly ?? false, fileMustExist: true });
}

/**
 * Copies a database with SQLite's backup API in steps (the event loop runs between them): a
 * consistent snapshot however the source changes. A write by another connection restarts the copy
 * (one through `src` itself is copied along); each restart copies four times as many pages per
 * step, so writers that never stop cannot starve it — at worst one step copies everything in one
 * read transaction, which under WAL blocks no writer. A destination locked by another connection
 * (SQLite then answers busy at each step) fails after the busy timeout.
 */
export async function copyDatabase(src: Sqlite, dest: string): Promise<void> {
  let rate = 100;
  let left = Infinity;
  let moved = Date.now();
  await src.backup(dest, {
    progress: ({ remainingPages }) => {
      if (remainingPages < left) moved = Date.now();
      else if (Date.now() - moved > BUSY_TIMEOUT_MS) throw new TpvError('conflict', 'store.busy', { path: dest });
      else rate = Math.min(rate * 4, 0x7fffffff);
      left = remainingPages;
      return rate;
    },
  });
}

/**
 * An online backup of a live database, to a new file with mode 0600, as one self-contained file in
 * rollback-journal mode (it opens read-only without -wal/-shm files). Nothing is left on failure.
 */
export async function backupTo(db: Sqlite, dest: string): Promise<void> {
  closeSync(openSync(dest, 'wx', 0o600));
  try {
    await copyDatabase(db, dest);
    const copy = openFile(dest);
    try {
      copy.pragma('locking_mode = EXCLUSIVE'); // no -shm for the moment it is in WAL mode
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
  } catch (e) {
    rmSync(dest, { force: true });
    throw e;
  }
}
