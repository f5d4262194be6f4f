/**
 * The embedded storage of the store server: one SQLite file, `<dataDir>/server.db` (WAL,
 * synchronous=FULL through the one connection factory: a server that acked must not lose the
 * event on power loss), its own schema (PRAGMA user_version).
 *
 * One server process per data dir: the server holds an exclusive SQLite lock on
 * `<dataDir>/server.lock` for its whole life (the system drops it when the process dies, so a
 * crash leaves nothing stale) and a second server fails at once. Admin commands (`tpv server
 * terminals …`) open the database beside a running server without that lock.
 *
 * The server never waits for a lock on its event loop: its connection has busy_timeout 0, and a
 * write that finds the database busy (an admin command's short transaction) is tried again after
 * a timer, not in a spin.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';
import { BUSY_TIMEOUT_MS, connect, openFile, prepared, type Sqlite } from '../db/connection.js';
import {
  addRows,
  DROP_PROJECTION,
  emptyRows,
  PROJECTION_SCHEMA,
  PROJECTION_TABLE_NAMES,
  type Projection,
  projectOrReason,
  type ProjectionRows,
  rebuildProjections,
  sqliteInsert,
} from './projection.js';
import { lastNumberSql, lastNumbersOf, reportQueries, salesReportOf } from './report.js';
import type { IncomingEvent, IngestResult, LastNumber, SalesRange, ServerReportBy, ServerSalesReport, ServerStorage, TerminalRecord } from './storage.js';

/**
 * The schema this program writes (PRAGMA user_version of server.db): 1 the events (part 1), 2
 * documents with their taxes and payments, 3 their place in their series, lines, store-credit
 * movements and Z figures. Opening an older one rebuilds what the server applies from its events.
 */
const SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS terminals (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  enrol_hash TEXT UNIQUE,
  enrol_expires TEXT,
  token_hash TEXT,
  revoked_at TEXT,
  hwm INTEGER NOT NULL DEFAULT 0,
  diverged INTEGER NOT NULL DEFAULT 0,
  last_seen_at TEXT,
  heartbeat TEXT,
  last_event_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  terminal TEXT NOT NULL REFERENCES terminals(code),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  version INTEGER NOT NULL,
  at TEXT NOT NULL,
  payload TEXT NOT NULL,
  hash TEXT NOT NULL,
  received_at TEXT NOT NULL,
  UNIQUE (terminal, seq)
);
CREATE TABLE IF NOT EXISTS quarantine (
  qid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  terminal TEXT NOT NULL REFERENCES terminals(code),
  seq INTEGER NOT NULL,
  reason TEXT NOT NULL,
  payload TEXT NOT NULL,
  hash TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_terminal ON quarantine (terminal, id);
${PROJECTION_SCHEMA('INTEGER')}`;

const TABLES = ['terminals', 'events', 'quarantine', ...PROJECTION_TABLE_NAMES];

export interface SqliteStorageOptions {
  /**
   * An admin command beside a running server: no server lock, and SQLite's own busy timeout
   * (a short-lived CLI may wait). Default: the server itself.
   */
  beside?: boolean;
  /** Create the data dir and its database when missing (default true); else not found. */
  create?: boolean;
}

/** Opens (creating when missing) the server's storage in `dataDir`. */
export async function openSqliteStorage(dataDir: string, opts: SqliteStorageOptions = {}): Promise<ServerStorage> {
  const path = join(dataDir, 'server.db');
  if (opts.create === false && !existsSync(path)) throw new TpvError('not_found', 'server.no_data', { path: dataDir });
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw systemError(e, dataDir) ?? e;
  }
  const lock = opts.beside ? undefined : takeLock(dataDir);
  let db: Sqlite | undefined;
  try {
    db = connect(path, { create: true });
    if (!opts.beside) db.pragma('busy_timeout = 0');
    await migrate(db, path);
    return new SqliteStorage(db, dataDir, lock);
  } catch (e) {
    db?.close();
    if (lock) releaseLock(lock, dataDir);
    throw e;
  }
}

/**
 * The server's lock: an exclusive SQLite lock (locking_mode=EXCLUSIVE, held after the first
 * write until the connection closes) on `server.lock`; the holder's pid in `server.pid`, for the
 * message a second server gets.
 */
function takeLock(dataDir: string): Sqlite {
  const path = join(dataDir, 'server.lock');
  let db: Sqlite | undefined;
  try {
    closeSync(openSync(path, 'a', 0o600));
    db = openFile(path);
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec(`CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder; INSERT INTO holder VALUES (${process.pid}); COMMIT`);
    writeFileSync(join(dataDir, 'server.pid'), `${process.pid}\n`, { mode: 0o600 });
    return db;
  } catch (e) {
    db?.close();
    if (isBusy(e)) throw new TpvError('conflict', 'server.data_locked', { path: dataDir, pid: holderPid(dataDir) });
    throw systemError(e, path) ?? e;
  }
}

function holderPid(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'server.pid'), 'utf8').trim() || '?';
  } catch {
    return '?';
  }
}

function releaseLock(lock: Sqlite, dataDir: string): void {
  rmSync(join(dataDir, 'server.pid'), { force: true });
  lock.close();
}

const isBusy = (e: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code ?? ''));

/**
 * Brings server.db to {@link SCHEMA_VERSION} in one transaction. A database of an older version
 * (or none: a new file) gets its projection tables dropped and created anew, and every stored event
 * applied to them again (src/server/projection.ts: what no longer applies stays stored, unapplied).
 */
async function migrate(db: Sqlite, path: string): Promise<void> {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw new TpvError('conflict', 'server.schema_newer', { path, version, known: SCHEMA_VERSION });
  if (version === SCHEMA_VERSION) return;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.some((t) => !TABLES.includes(t))) throw new TpvError('invalid', 'server.not_server_db', { path });
  // by hand, not db.transaction(): the rebuild is the adapters' shared (async) code; nothing else
  // uses this connection until it is returned
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(DROP_PROJECTION);
    db.exec(SCHEMA);
    await rebuildProjections({
      terminals: async () => prepared(db, 'SELECT DISTINCT terminal FROM events ORDER BY terminal').pluck().all() as string[],
      events: async (terminal, after, limit) =>
        prepared(db, 'SELECT id, seq, type, version, at, payload, hash FROM events WHERE terminal = ? AND seq > ? ORDER BY seq LIMIT ?').all(terminal, after, limit) as IncomingEvent[],
      write: async (terminal, rows) => writeRows(db, terminal, rows),
    });
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

const INSERTS = PROJECTION_TABLE_NAMES.map((table) => [table, sqliteInsert(table)] as const);

/** Writes projection rows: one prepared statement per table, run once per row. */
function writeRows(db: Sqlite, terminal: string, rows: ProjectionRows): void {
  for (const [table, sql] of INSERTS) {
    const list = rows[table];
    if (list.length === 0) continue;
    const st = prepared(db, sql);
    for (const row of list) st.run(terminal, ...row);
  }
}

interface TerminalRow {
  code: string;
  name: string;
  token_hash: string | null;
  revoked_at: string | null;
  hwm: number;
  diverged: number;
  last_seen_at: string | null;
  heartbeat: string | null;
  last_event_at: string | null;
  quarantined: number;
}

const TERMINAL = `SELECT code, name, token_hash, revoked_at, hwm, diverged, last_seen_at, heartbeat, last_event_at,
  (SELECT count(*) FROM quarantine q WHERE q.terminal = t.code) AS quarantined FROM terminals t`;

function record(r: TerminalRow): TerminalRecord {
  return {
    code: r.code,
    name: r.name,
    enrolled: r.token_hash !== null,
    revokedAt: r.revoked_at,
    hwm: r.hwm,
    diverged: r.diverged === 1,
    lastSeenAt: r.last_seen_at,
    heartbeat: r.heartbeat === null ? null : (JSON.parse(r.heartbeat) as TerminalRecord['heartbeat']),
    lastEventAt: r.last_event_at,
    quarantined: r.quarantined,
  };
}

/** Thrown inside a batch's savepoint to undo it: a known seq came with another id. */
class Diverged extends Error {}

class SqliteStorage implements ServerStorage {
  constructor(
    private readonly db: Sqlite,
    private readonly dataDir: string,
    private readonly lock: Sqlite | undefined,
  ) {}

  /**
   * Runs fn in an IMMEDIATE transaction. The server's connection does not wait for a busy
   * database (busy_timeout 0): it tries again after a timer, so other sockets are served meanwhile.
   */
  private async write<T>(fn: () => T): Promise<T> {
    const tx = this.db.transaction(fn);
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        return tx.immediate();
      } catch (e) {
        if (!isBusy(e) || this.db.inTransaction) throw systemError(e, join(this.dataDir, 'server.db')) ?? e;
        if (Date.now() >= deadline) throw new TpvError('conflict', 'store.busy', { path: join(this.dataDir, 'server.db') });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private terminal(code: string): TerminalRow | undefined {
    return prepared(this.db, `${TERMINAL} WHERE code = ?`).get(code) as TerminalRow | undefined;
  }

  async addTerminal(code: string, name: string, enrolHash: string, expiresAt: string, _now: string): Promise<void> {
    await this.write(() => {
      const t = this.terminal(code);
      if (!t) {
        prepared(this.db, 'INSERT INTO terminals (code, name, enrol_hash, enrol_expires) VALUES (?, ?, ?, ?)').run(code, name, enrolHash, expiresAt);
        return;
      }
      if (t.token_hash !== null && t.revoked_at === null) throw new TpvError('conflict', 'server.terminal_enrolled', { code });
      // a new code for a till not enrolled yet, or the re-enrolment of a revoked one: its events
      // stay; a divergence still there is found again at its first batch
      prepared(this.db, 'UPDATE terminals SET name = ?, enrol_hash = ?, enrol_expires = ?, token_hash = NULL, revoked_at = NULL WHERE code = ?')
        .run(name, enrolHash, expiresAt, code);
    });
  }

  async enrol(enrolHash: string, register: string, tokenHash: string, now: string): Promise<TerminalRecord | 'unknown' | 'expired' | 'used' | 'wrong_register'> {
    return this.write(() => {
      const row = prepared(this.db, 'SELECT code, token_hash, enrol_expires, revoked_at FROM terminals WHERE enrol_hash = ?').get(enrolHash) as
        | { code: string; token_hash: string | null; enrol_expires: string; revoked_at: string | null }
        | undefined;
      if (!row) return 'unknown';
      if (row.token_hash !== null) return 'used';
      // a code revoked before it was used is spent as if expired
      if (row.revoked_at !== null || Date.parse(row.enrol_expires) <= Date.parse(now)) return 'expired';
      if (row.code !== register) return 'wrong_register';
      prepared(this.db, 'UPDATE terminals SET token_hash = ?, diverged = 0 WHERE code = ?').run(tokenHash, row.code);
      return record(this.terminal(row.code)!);
    });
  }

  async credentials(code: string): Promise<{ terminal: TerminalRecord; tokenHash: string | null } | undefined> {
    const row = this.terminal(code);
    return row && { terminal: record(row), tokenHash: row.token_hash };
  }

  async revoke(code: string, now: string): Promise<boolean> {
    return this.write(() => prepared(this.db, 'UPDATE terminals SET revoked_at = coalesce(revoked_at, ?) WHERE code = ?').run(now, code).changes > 0);
  }

  async listTerminals(): Promise<TerminalRecord[]> {
    return (prepared(this.db, `${TERMINAL} ORDER BY code`).all() as TerminalRow[]).map(record);
  }

  async heartbeat(code: string, beat: NonNullable<TerminalRecord['heartbeat']>): Promise<void> {
    await this.write(() => {
      prepared(this.db, 'UPDATE terminals SET heartbeat = ?, last_seen_at = ? WHERE code = ?').run(JSON.stringify(beat), beat.at, code);
    });
  }

  async ingest(code: string, events: IncomingEvent[], now: string): Promise<IngestResult> {
    const db = this.db;
    const byId = prepared(db, 'SELECT 1 FROM events WHERE id = ?');
    const atSeq = prepared(db, 'SELECT id, hash FROM events WHERE terminal = ? AND seq = ?');
    const insert = prepared(db, 'INSERT INTO events (id, terminal, seq, type, version, at, payload, hash, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const apartAt = prepared(db, 'SELECT hash, reason FROM quarantine WHERE terminal = ? AND id = ? AND seq = ?');
    const quarantine = prepared(db, 'INSERT INTO quarantine (id, terminal, seq, reason, payload, hash, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const docHeld = prepared(db, 'SELECT 1 FROM documents WHERE terminal = ? AND number = ?');
    /** What the event applies, or the reason it cannot be applied (rule 3: kept apart, acked). */
    const projectionOf = (e: IncomingEvent): Projection | string => {
      const p = projectOrReason(code, e);
      if (typeof p === 'string') return p;
      const held = p.documents.find((d) => docHeld.get(code, d.number));
      return held ? `document ${held.number} already held` : p;
    };
    const sorted = [...events].sort((a, b) => a.seq - b.seq);
    return this.write(() => {
      const t = this.terminal(code);
      if (!t) throw new TpvError('not_found', 'server.terminal_unknown', { code });
      const result: IngestResult = { hwm: t.hwm, stored: 0, duplicates: 0, quarantined: [], gap: false, diverged: t.diverged === 1 };
      if (result.diverged) return result;
      let lastAt: string | null = null;
      // the original is never overwritten; a resend of the same bad event is not kept twice
      const keepApart = (e: IncomingEvent, reason: string): void => {
        if (!(apartAt.all(code, e.id, e.seq) as { hash: string }[]).some((q) => q.hash === e.hash)) quarantine.run(e.id, code, e.seq, reason, e.payload, e.hash, now);
        result.quarantined.push({ id: e.id, reason });
      };
      const batch = db.transaction(() => {
        for (const e of sorted) {
          if (e.seq > result.hwm + 1) {
            result.gap = true;
            break;
          }
          if (e.seq <= result.hwm) {
            // a known seq: the same event again (a duplicate, or the same id with another body), or another event (diverged)
            const held = atSeq.get(code, e.seq) as { id: string; hash: string } | undefined;
            if (held ? held.id !== e.id : (apartAt.all(code, e.id, e.seq) as unknown[]).length === 0) throw new Diverged();
            if (held && held.hash === e.hash) result.duplicates++;
            else keepApart(e, (apartAt.get(code, e.id, e.seq) as { reason: string } | undefined)?.reason ?? 'same id, another body');
            continue;
          }
          // the next seq: stored, or kept apart when its id is held already (another seq or terminal)
          result.hwm++;
          if (byId.get(e.id)) {
            keepApart(e, 'same id as a held event, another seq or terminal');
            continue;
          }
          const p = projectionOf(e);
          if (typeof p === 'string') {
            keepApart(e, p);
            continue;
          }
          insert.run(e.id, code, e.seq, e.type, e.version, e.at, e.payload, e.hash, now);
          const rows = emptyRows();
          addRows(rows, e.id, p);
          writeRows(db, code, rows);
          result.stored++;
          lastAt = e.at;
        }
      });
      try {
        batch(); // a savepoint: a divergence undoes the whole batch, then marks the terminal
      } catch (e) {
        if (!(e instanceof Diverged)) throw e;
        prepared(db, 'UPDATE terminals SET diverged = 1, last_seen_at = ? WHERE code = ?').run(now, code);
        return { hwm: t.hwm, stored: 0, duplicates: 0, quarantined: [], gap: false, diverged: true };
      }
      prepared(db, 'UPDATE terminals SET hwm = ?, last_seen_at = ?, last_event_at = coalesce(?, last_event_at) WHERE code = ?').run(result.hwm, now, lastAt, code);
      return result;
    });
  }

  async resolve(code: string): Promise<void> {
    await this.write(() => prepared(this.db, 'UPDATE terminals SET diverged = 0 WHERE code = ?').run(code));
  }

  async lastNumbers(code: string): Promise<LastNumber[]> {
    const q = prepared(this.db, lastNumberSql(() => '?'));
    return lastNumbersOf(async (type) => q.get(code, type) as Record<string, string | number> | undefined);
  }

  async events(code: string, afterSeq = 0, limit = -1): Promise<IncomingEvent[]> {
    return prepared(this.db, 'SELECT id, seq, type, version, at, payload, hash FROM events WHERE terminal = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(code, afterSeq, limit) as IncomingEvent[];
  }

  async salesReport(by: ServerReportBy, range: SalesRange): Promise<ServerSalesReport> {
    const q = reportQueries(by, range, () => '?');
    const all = (x: { sql: string; params: string[] }): Record<string, number | string | null>[] => this.db.prepare(x.sql).all(...x.params) as Record<string, number | string | null>[];
    return salesReportOf(by, range, { rows: all(q.rows), rounding: all(q.rounding)[0]!, totals: all(q.totals)[0]!, currencies: all(q.currencies) });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.db.close();
    if (this.lock) releaseLock(this.lock, this.dataDir);
  }
}
