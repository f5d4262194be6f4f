/**
 * tpv's migration runner over the SQL that drizzle-kit generates into `migrations/`
 * (`meta/_journal.json` + `NNNN_tag.sql`, statements split on `--> statement-breakpoint`).
 * tpv runs them itself rather than through drizzle's migrator because it must list
 * applied/pending migrations, back up before applying, and refuse a database from a newer tpv.
 * `PRAGMA user_version` holds the number of applied migrations; `schema_migrations` their hashes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { packageFile } from '../assets.js';
import { backupPath, backupTo, connect, immediate, type Sqlite } from './connection.js';
import { TpvError } from '../core/errors.js';
import { VERSION } from '../version.js';

export interface Migration {
  idx: number;
  tag: string;
  /** The SQL text is read only when the migration is applied or checked. */
  sql: () => string;
  hash: () => string;
}

let cachedMigrations: Migration[] | undefined;

export function knownMigrations(): Migration[] {
  if (cachedMigrations) return cachedMigrations;
  const dir = packageFile('migrations');
  const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  cachedMigrations = journal.entries.map((e) => {
    let text: string | undefined;
    const sql = (): string => (text ??= readFileSync(join(dir, `${e.tag}.sql`), 'utf8'));
    return { idx: e.idx, tag: e.tag, sql, hash: () => createHash('sha256').update(sql()).digest('hex') };
  });
  return cachedMigrations;
}

export const schemaVersion = (db: Database.Database): number =>
  db.pragma('user_version', { simple: true }) as number;

export interface MigrationStatus {
  tag: string;
  idx: number;
  state: 'applied' | 'pending';
  appliedAt: string | null;
  /** An applied migration whose file changed since (it must never be edited once released). */
  modified: boolean;
}

export function migrationStatus(db: Database.Database): MigrationStatus[] {
  const version = schemaVersion(db);
  const applied = new Map<number, { hash: string; applied_at: string }>();
  if (version > 0) {
    for (const r of db.prepare('SELECT idx, hash, applied_at FROM schema_migrations').all() as {
      idx: number;
      hash: string;
      applied_at: string;
    }[])
      applied.set(r.idx, r);
  }
  return knownMigrations().map((m) => {
    const a = applied.get(m.idx);
    return {
      tag: m.tag,
      idx: m.idx,
      state: a ? 'applied' : 'pending',
      appliedAt: a?.applied_at ?? null,
      modified: a ? a.hash !== m.hash() : false,
    };
  });
}

/** Applies the pending migrations, each in its own immediate transaction. Returns the tags applied. */
export function applyPending(db: Database.Database, now: () => Date): string[] {
  const version = schemaVersion(db);
  const pending = knownMigrations().slice(version);
  const done: string[] = [];
  for (const m of pending) {
    const statements = m
      .sql()
      .split('--> statement-breakpoint')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    immediate(db, () => {
      for (const s of statements) db.exec(s);
      db.prepare(
        'INSERT INTO schema_migrations (idx, tag, hash, applied_at, tpv_version) VALUES (?, ?, ?, ?, ?)',
      ).run(m.idx, m.tag, m.hash(), now().toISOString(), VERSION);
      db.pragma(`user_version = ${m.idx + 1}`);
    });
    done.push(m.tag);
  }
  return done;
}

/** The tpv version that applied the newest migration of a database (null when unknown). */
export function writtenBy(db: Database.Database): string | null {
  try {
    const r = db.prepare('SELECT tpv_version FROM schema_migrations ORDER BY idx DESC LIMIT 1').get() as
      | { tpv_version: string }
      | undefined;
    return r?.tpv_version ?? null;
  } catch {
    return null;
  }
}

export interface OpenResult {
  db: Sqlite;
  /** Migrations applied while opening, and the backup taken first (null for a new database). */
  migrated: { tags: string[]; backup: string | null } | null;
}

/**
 * Opens a register's database ready for use: refuses one written by a newer tpv (exit 5),
 * migrates an older one after a backup. `create` makes a new, empty, migrated database.
 */
export async function openDatabase(
  path: string,
  opts: { create?: boolean; now?: () => Date } = {},
): Promise<OpenResult> {
  const now = opts.now ?? (() => new Date());
  const db = connect(path, { create: opts.create ?? false });
  try {
    const migrated = await migrateIfNeeded(db, path, now);
    return { db, migrated };
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * The schema version must be what tpv recorded: one `schema_migrations` row per migration applied
 * (so a newer tpv's database names its migrations). Anything else — another program's database, a
 * version edited by hand — is refused (exit 3) before a migration runs on it.
 */
function checkRecorded(db: Sqlite, path: string, version: number): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
  if (tables.length === 0 && version === 0) return; // a new, empty database
  if (!tables.includes('schema_migrations')) throw new TpvError('invalid', 'store.not_database', { path });
  const r = db.prepare('SELECT count(*) AS n, max(idx) AS last FROM schema_migrations').get() as { n: number; last: number | null };
  if (version < 0 || r.n !== version || (r.last ?? -1) !== version - 1) throw new TpvError('invalid', 'store.schema_unknown', { path, version });
}

export async function migrateIfNeeded(
  db: Sqlite,
  path: string,
  now: () => Date,
): Promise<{ tags: string[]; backup: string | null } | null> {
  const version = schemaVersion(db);
  const known = knownMigrations().length;
  checkRecorded(db, path, version);
  if (version > known) {
    throw new TpvError('conflict', 'store.newer', {
      path,
      version,
      known,
      theirs: writtenBy(db) ?? '?',
      ours: VERSION,
    });
  }
  if (version === known) return null;
  let backup: string | null = null;
  if (version > 0) {
    backup = backupPath(path, now());
    await backupTo(db, backup);
  }
  const tags = applyPending(db, now);
  return { tags, backup };
}
