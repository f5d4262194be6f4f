/**
 * Backups of a register's database. Taken online with SQLite's backup API (a consistent snapshot
 * while tills sell), checked like the store itself (`tpv audit verify`'s checks), restored INTO the
 * database through SQLite (never a file copied over a live database, whose WAL would undo it), and
 * kept on the store's schedule (`backup.every`, `backup.keep`).
 *
 * A backup is one file in rollback-journal mode, mode 0600, named like the backup a migration
 * takes (`tpv.db.bak-20261121T131500Z`), with a `sha256sum` line beside it (`….sha256`). Without
 * `--to` it goes in the folder beside the database, `tpv.db.backups/`, which the schedule prunes.
 */
import { createHash } from 'node:crypto';
import { chmodSync, constants, copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type MessageKey, type Params, TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';
import { t } from '../i18n/index.js';
import { backupPath, backupTo, copyDatabase, fileStamp, openFile, type Sqlite } from '../db/connection.js';
import { knownMigrations, openDatabase, schemaVersion } from '../db/migrate.js';
import { loadSettings } from '../db/settings.js';
import { type AuditFinding, auditStore } from './audit.js';
import { type Approver, auditLog, authorize, type UserRow, userByCode } from './auth.js';
import { type App, inTransaction, type Notice, processAlive } from './context.js';
import { journalHead } from './journal.js';
import { openApp } from './open.js';
import { appendEvent } from './outbox.js';
import type { DocType } from '../core/numbering.js';

/** Where backups taken without `--to` go: a folder beside the database. */
export const backupFolder = (dbPath: string): string => `${dbPath}.backups`;

/** What a backup holds, read from the file itself. */
export interface BackupFacts {
  store: string | null;
  register: string | null;
  schema_version: number;
  /** The journal's last entry: compare it with a printed Z report or `tpv audit head`. */
  journal: { seq: number; head: string };
  last_document: { number: string; type: string; created_at: string } | null;
}

export interface BackupInfo extends BackupFacts {
  path: string;
  size: number;
  sha256: string;
  created_at: string;
}

/** Takes a backup of the open store: to `to`, else a new timestamped file in the backups folder. */
export async function createBackup(app: App, opts: { to?: string } = {}): Promise<BackupInfo> {
  const at = app.now();
  let dest: string;
  if (opts.to !== undefined) {
    dest = resolve(opts.to);
    if (existsSync(dest)) throw new TpvError('conflict', 'backup.exists', { path: dest });
    if (!existsSync(dirname(dest))) throw new TpvError('not_found', 'file.not_found', { path: dirname(dest) });
  } else {
    dest = freshName(app.path, at);
  }
  const tmp = `${dest}.tmp-${process.pid}`;
  const sidecar = `${dest}.sha256`;
  const sidecarTmp = `${sidecar}.tmp-${process.pid}`;
  try {
    if (opts.to === undefined) mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    await backupTo(app.db, tmp);
    const facts = describe(tmp);
    await syncFile(tmp);
    const sha256 = await sha256File(tmp);
    // the checksum first: a backup under its final name always has its .sha256 beside it
    await writeFile(sidecarTmp, `${sha256}  ${basename(dest)}\n`, { mode: 0o600, flag: 'wx', flush: true });
    await rename(sidecarTmp, sidecar);
    await rename(tmp, dest);
    await syncFile(dirname(dest));
    return { path: dest, size: statSync(dest).size, sha256, created_at: at.toISOString(), ...facts };
  } catch (e) {
    await rm(tmp, { force: true });
    await rm(sidecarTmp, { force: true });
    throw systemError(e, dest) ?? e;
  }
}

/** `tpv.db.backups/tpv.db.bak-<stamp>`, with `-2`, `-3`… when that second already has one. */
function freshName(dbPath: string, at: Date): string {
  const first = join(backupFolder(dbPath), basename(backupPath(dbPath, at)));
  let name = first;
  for (let n = 2; existsSync(name) || existsSync(`${name}.sha256`); n++) name = `${first}-${n}`;
  return name;
}

const NAME = /^\.bak-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d+))?$/;

export interface BackupFile {
  path: string;
  /** When it was taken (from its name). */
  at: string;
  size: number;
  /** In the backups folder (kept by `backup.keep`), or beside the database, taken before a migration. */
  kind: 'backup' | 'migration';
  /** Orders backups of the same second. */
  n: number;
}

function backupsIn(dir: string, db: string, kind: BackupFile['kind']): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    if (!name.startsWith(db)) continue;
    const m = NAME.exec(name.slice(db.length));
    if (!m) continue;
    const path = join(dir, name);
    const at = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)).toISOString();
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size !== undefined) out.push({ path, at, size, kind, n: Number(m[7] ?? 1) }); // (unless deleted meanwhile)
  }
  return out;
}

const newestFirst = (a: BackupFile, b: BackupFile): number => (a.at === b.at ? b.n - a.n : a.at < b.at ? 1 : -1);

/** The backups of a database, newest first: its backups folder and the ones migrations left beside it. */
export function listBackups(dbPath: string): { folder: string; backups: BackupFile[] } {
  const db = basename(dbPath);
  const backups = [...backupsIn(backupFolder(dbPath), db, 'backup'), ...backupsIn(dirname(dbPath), db, 'migration')].sort(newestFirst);
  return { folder: backupFolder(dbPath), backups };
}

export interface ScheduledBackup {
  /** The backup taken, or null when none was due. */
  created: BackupInfo | null;
  skipped: 'off' | 'not_due' | null;
  /** Backups deleted beyond `backup.keep`, oldest first. */
  pruned: string[];
  /** When the next one is due (null when backups are off). */
  next_due: string | null;
  every_hours: number;
  keep: number;
}

/**
 * What the schedule asks for now: a backup in the backups folder when the newest there is at least
 * `backup.every` old (or there is none), then the oldest beyond `backup.keep` deleted. The cashier
 * terminal runs it at start and every few minutes; `tpv backup create --scheduled` once (cron).
 */
export async function scheduledBackup(app: App): Promise<ScheduledBackup> {
  const { backupEveryHours: every, backupKeep: keep } = app.profile;
  const now = app.now();
  if (every === 0) return { created: null, skipped: 'off', pruned: [], next_due: null, every_hours: every, keep };
  const last = backupsIn(backupFolder(app.path), basename(app.path), 'backup').sort(newestFirst)[0];
  const due = last ? new Date(Date.parse(last.at) + every * 3_600_000) : now;
  if (now < due) return { created: null, skipped: 'not_due', pruned: [], next_due: due.toISOString(), every_hours: every, keep };
  const created = await createBackup(app);
  return {
    created,
    skipped: null,
    pruned: pruneBackups(app.path, keep),
    next_due: new Date(Date.parse(created.created_at) + every * 3_600_000).toISOString(),
    every_hours: every,
    keep,
  };
}

/** Deletes the oldest backups of the folder beyond `keep` (with their .sha256), and copies a dead process left half-written. */
export function pruneBackups(dbPath: string, keep: number): string[] {
  const folder = backupFolder(dbPath);
  const old = backupsIn(folder, basename(dbPath), 'backup').sort(newestFirst).slice(keep).reverse();
  for (const b of old) {
    rmSync(`${b.path}.sha256`, { force: true });
    rmSync(b.path, { force: true });
  }
  for (const name of existsSync(folder) ? readdirSync(folder) : []) {
    const pid = /\.tmp-(\d+)$/.exec(name)?.[1];
    if (pid && !processAlive(Number(pid))) rmSync(join(folder, name), { force: true });
  }
  return old.map((b) => b.path);
}

/** What `tpv backup verify` found, and the first problem (null when the backup is good). */
export interface BackupCheck {
  ok: boolean;
  path: string;
  size: number;
  sha256: string;
  /** Against the `.sha256` file beside it; `missing` when there is none (a migration's backup). */
  checksum: 'ok' | 'missing' | 'mismatch';
  integrity: string | null;
  /** The schema version of the backup and the newest this tpv knows. */
  schema: { version: number; known: number } | null;
  /** `tpv audit verify` on the backup: the journal chain, Z reports, series, triggers. */
  audit: { ok: boolean; entries: number; findings: AuditFinding[] } | null;
  facts: BackupFacts | null;
  problem: { code: MessageKey; params: Params } | null;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Checks a backup file without changing it (it is opened read-only): the checksum beside it, SQLite's
 * integrity check, a schema version this tpv knows, and every check of `tpv audit verify`. A backup
 * of an older tpv is audited on a migrated copy in a temporary folder.
 */
export async function verifyBackup(file: string): Promise<BackupCheck> {
  const path = resolve(file);
  let head: Buffer;
  let size: number;
  try {
    size = statSync(path).size;
    const fh = await open(path, 'r');
    try {
      head = Buffer.alloc(16);
      await fh.read(head, 0, 16, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw systemError(e, path) ?? e;
  }
  if (!head.equals(SQLITE_HEADER)) throw new TpvError('invalid', 'backup.not_a_database', { path });
  const sha256 = await sha256File(path);
  const expected = readSidecar(path);
  const check: BackupCheck = {
    ok: false,
    path,
    size,
    sha256,
    checksum: expected === null ? 'missing' : expected === sha256 ? 'ok' : 'mismatch',
    integrity: null,
    schema: null,
    audit: null,
    facts: null,
    problem: null,
  };
  const problem = (code: MessageKey, params: Params = {}): BackupCheck => ({ ...check, problem: { code, params: { path, ...params } } });
  if (check.checksum === 'mismatch') return problem('backup.checksum_mismatch', { expected: expected!, actual: sha256 });
  let db: Sqlite;
  try {
    db = openFile(path, { readonly: true });
  } catch (e) {
    throw systemError(e, path) ?? e;
  }
  try {
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      check.integrity = rows.length === 1 && rows[0]!.integrity_check === 'ok' ? 'ok' : (rows[0]?.integrity_check ?? '?');
    } catch (e) {
      check.integrity = e instanceof Error ? e.message : String(e);
    }
    if (check.integrity !== 'ok') return problem('backup.integrity', { detail: check.integrity });
    check.schema = { version: schemaVersion(db), known: knownMigrations().length };
    if (check.schema.version === 0 || !db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'journal'").get()) {
      return problem('backup.not_a_store');
    }
    if (check.schema.version > check.schema.known) return problem('backup.newer', { version: check.schema.version, known: check.schema.known });
    check.facts = describeOn(db);
    if (check.schema.version === check.schema.known) check.audit = auditOn(db);
  } finally {
    db.close();
  }
  check.audit ??= await auditOfOlder(path);
  const first = check.audit.findings[0];
  if (first) return problem('backup.audit', { detail: t(first.code, first.params), finding: first.code });
  return { ...check, ok: true };
}

function auditOn(db: Sqlite): NonNullable<BackupCheck['audit']> {
  const r = auditStore(db);
  return { ok: r.ok, entries: r.journal.entries, findings: r.findings };
}

/** An older backup audited as this tpv reads it: a copy, migrated, in a temporary folder (the file is never changed). */
async function auditOfOlder(path: string): Promise<NonNullable<BackupCheck['audit']>> {
  const dir = mkdtempSync(join(dirname(path), '.tpv-verify-'));
  try {
    const copy = join(dir, 'copy.db');
    copyFileSync(path, copy);
    const { db } = await openDatabase(copy);
    try {
      return auditOn(db);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The error that stops a command on a backup that failed its checks (exit 3 for a file that is no store, else 5). */
export function backupError(check: BackupCheck): TpvError {
  const p = check.problem!;
  return new TpvError(p.code === 'backup.not_a_store' ? 'invalid' : 'conflict', p.code, p.params, check);
}

/** The checksum written beside a backup (`sha256sum` format), or null when there is none. */
function readSidecar(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(`${path}.sha256`, 'utf8');
  } catch {
    return null;
  }
  return text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

function describe(path: string): BackupFacts {
  const db = openFile(path, { readonly: true });
  try {
    return describeOn(db);
  } finally {
    db.close();
  }
}

function describeOn(db: Sqlite): BackupFacts {
  const settings = loadSettings(db);
  const head = journalHead(db);
  const last = db.prepare('SELECT number, type, created_at FROM documents ORDER BY id DESC LIMIT 1').get() as BackupFacts['last_document'] | undefined;
  return {
    store: settings['store.name'] ?? null,
    register: settings['register.code'] ?? null,
    schema_version: schemaVersion(db),
    journal: { seq: head.seq, head: head.hash },
    last_document: last ?? null,
  };
}

export interface RestoreResult extends BackupFacts {
  path: string;
  from: string;
  sha256: string;
  /** Who restored it (authenticated against the database replaced, or the backup when that one did not open). */
  by: string;
  /** Where the database replaced was kept, and what it held (null when there was none). */
  kept: { path: string; facts: BackupFacts | null } | null;
}

/** Who acts, as the CLI proves it (`actors`): asked once a store is open to check the PIN against. */
export type Who = (app: App) => Promise<{ actor: UserRow; approver?: Approver }>;

/**
 * Replaces the database at `path` with a verified backup. Refused while any other connection has the
 * database open (a till, a command). The database replaced is first copied aside, whole, to
 * `<db>.before-restore-<stamp>`; then the backup is copied INTO the database with SQLite's backup API
 * (one transaction: a crash leaves the old database, and no stale WAL can bring it back). A database
 * that is no longer a database (a damaged file) is moved aside with its -wal/-shm instead.
 * The acting admin is checked against the database replaced, or against the backup when that one
 * does not open as a store (missing, damaged, newer).
 */
export async function restoreBackup(path: string, file: string, who: Who, opts: { now?: () => Date; notice?: (n: Notice) => void } = {}): Promise<RestoreResult> {
  const now = opts.now ?? (() => new Date());
  const notice = opts.notice ?? (() => {});
  const check = await verifyBackup(file);
  if (!check.ok) throw backupError(check);
  const from = check.path;
  if (existsSync(path) && realpathSync(path) === realpathSync(from)) throw new TpvError('usage', 'backup.same_file', { path });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) lockAlone(path)?.close(); // refused before a PIN is asked
  const by = await authorizeRestore(path, from, who, now, notice);

  const aside = `${path}.before-restore-${fileStamp(now())}`;
  let kept: RestoreResult['kept'] = null;
  const lock = existsSync(path) ? lockAlone(path) : undefined;
  if (lock) {
    // the database as it is, WAL included, copied aside while no one else can open it
    try {
      await backupTo(lock, aside);
    } finally {
      lock.close(); // the last connection: its WAL is checkpointed into the file and removed
    }
    const src = openFile(from, { readonly: true });
    try {
      await copyDatabase(src, path);
    } catch (e) {
      throw systemError(e, path) ?? e;
    } finally {
      src.close();
    }
    kept = { path: aside, facts: describe(aside) };
  } else {
    if (lock === null) {
      // not a database any more: its files go aside as they are
      for (const ext of ['', '-wal', '-shm', '-journal']) if (existsSync(path + ext)) renameSync(path + ext, aside + ext);
      kept = { path: aside, facts: null };
    }
    const stage = `${path}.restore-${process.pid}`;
    copyFileSync(from, stage, constants.COPYFILE_EXCL);
    renameSync(stage, path);
  }
  chmodSync(path, 0o600); // whatever mode the backup or the old file had

  const restored = await openApp(path, { now, notice });
  try {
    restored.db.pragma('wal_checkpoint(TRUNCATE)');
    const facts = describeOn(restored.db);
    const carried = kept?.facts ? carrySeriesForward(restored, kept.path, by) : [];
    auditLog(restored.db, now(), userByCode(restored.db, by)?.id ?? null, 'backup_restored', { from, sha256: check.sha256, kept: kept?.path ?? null, by, carried });
    const replaced = kept?.facts;
    if (replaced && replaced.journal.seq > facts.journal.seq) {
      notice({
        code: 'backup.restore_behind',
        params: { count: replaced.journal.seq - facts.journal.seq, last: replaced.last_document?.number ?? '?', kept: kept!.path },
      });
    }
    return { path, from, sha256: check.sha256, by, kept, ...facts };
  } finally {
    restored.close();
  }
}

/**
 * A number is never issued twice, not even after a restore: each series of the restored database
 * continues from where the database it replaced had got to (the documents issued after the backup
 * exist on paper). The skip is recorded as a `series` event, so `tpv audit verify` knows it.
 */
function carrySeriesForward(app: App, replaced: string, by: string): { register: string; type: string; next: number }[] {
  const old = openFile(replaced, { readonly: true });
  let counters: { register: string; doc_type: string; template: string; next: number; yearly_reset: number; year: number | null }[];
  try {
    counters = old.prepare('SELECT register, doc_type, template, next, yearly_reset, year FROM series').all() as typeof counters;
  } finally {
    old.close();
  }
  return inTransaction(app, () => {
    const carried: { register: string; type: string; next: number }[] = [];
    for (const c of counters) {
      const now = app.db.prepare('SELECT * FROM series WHERE register = ? AND doc_type = ?').get(c.register, c.doc_type) as
        | { id: number; template: string; next: number; yearly_reset: number; year: number | null }
        | undefined;
      if (now && (c.year ?? 0) < (now.year ?? 0)) continue; // the restored one already counts in a later year
      const behind = !now || c.next > now.next || (c.year ?? 0) > (now.year ?? 0);
      if (!behind) continue;
      if (now) app.db.prepare('UPDATE series SET next = ?, year = ? WHERE id = ?').run(c.next, c.year, now.id);
      else {
        app.db
          .prepare('INSERT INTO series (register, doc_type, template, next, yearly_reset, year) VALUES (?, ?, ?, ?, ?, ?)')
          .run(c.register, c.doc_type, c.template, c.next, c.yearly_reset, c.year);
      }
      const template = now?.template ?? c.template;
      const yearly = (now?.yearly_reset ?? c.yearly_reset) === 1;
      appendEvent(app, 'series', { register: c.register, type: c.doc_type as DocType, template, next: c.next, yearly_reset: yearly, by });
      carried.push({ register: c.register, type: c.doc_type, next: c.next });
    }
    return carried;
  });
}

/** Checks the acting user may manage the store: against the database replaced, else against a copy of the backup. Returns their code. */
async function authorizeRestore(path: string, from: string, who: Who, now: () => Date, notice: (n: Notice) => void): Promise<string> {
  let app: App | undefined;
  try {
    app = await openApp(path, { now, notice });
  } catch {
    app = undefined; // missing, damaged or newer: the backup says who may restore it
  }
  let dir: string | undefined;
  if (!app) {
    dir = mkdtempSync(join(dirname(path), '.tpv-restore-'));
    const copy = join(dir, 'copy.db');
    copyFileSync(from, copy);
    app = await openApp(copy, { now });
  }
  try {
    const { actor, approver } = await who(app);
    authorize(app, actor, 'manage_store', approver);
    return actor.code;
  } finally {
    app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The database opened by this connection alone (SQLite's exclusive locking mode: every other
 * connection, even one only reading or idle, holds a lock that refuses it). Throws `backup.in_use`
 * when another has it open; null when the file is not a database.
 */
function lockAlone(path: string): Sqlite | null {
  const db = openFile(path);
  try {
    db.pragma('busy_timeout = 1000');
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (e) {
    db.close();
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) throw new TpvError('conflict', 'backup.in_use', { path });
    if (code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) return null;
    throw systemError(e, path) ?? e;
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** fsync of a file or a folder (a rename is durable once its folder is synced). */
async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
