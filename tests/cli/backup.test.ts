/**
 * Issue 12, finding 12: backups a shop can take, check and restore. `tpv backup create` (online,
 * checksummed, 0600), `verify` (checksum, integrity, schema, the audit's checks), `restore`
 * (refused while the database is open anywhere, the old one kept aside, never undone by a WAL
 * left beside the database), and the schedule with its retention. Run in-process; the backup
 * taken while two processes sell and the cashier terminal's own backups are in tests/e2e/backup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import { backupFolder, listBackups, scheduledBackup } from '../../src/app/backup.js';
import { sell } from '../../src/app/sales.js';
import { openShift } from '../../src/app/shifts.js';
import { backupTo, connect } from '../../src/db/connection.js';
import { knownMigrations } from '../../src/db/migrate.js';
import { cli, makeOlderDatabase, makeShopWithCatalog, ROOT, setSetting, TEST_ADMIN, tempDir } from '../helpers.js';

const dir = tempDir('tpv-backup-');
let n = 0;
const clock = new Date('2026-11-21T10:00:00Z');

/** A shop with an open shift and `sales` receipts, closed (path returned). */
async function shop(sales = 3): Promise<string> {
  const app = await makeShopWithCatalog(dir, `shop-${n++}.db`, () => clock);
  const admin = actingUser(app.db);
  openShift(app, admin, 10000);
  for (let i = 0; i < sales; i++) sell(app, { lines: [{ code: 'LAC-001', qty: String(i + 1) }], payments: [{ method: 'card', amount: ((i + 1) * 0.99).toFixed(2) }] }, admin);
  const path = app.path;
  app.close();
  return path;
}

const at = (db: string) => (...args: string[]) => cli(['--db', db, ...args, '--json']);
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const count = (path: string, sql = 'SELECT count(*) FROM documents'): number => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
};

/** A copy of a backup with its .sha256 beside it, to damage. */
function copyOf(backup: string, name: string): string {
  const copy = join(dir, name);
  copyFileSync(backup, copy);
  writeFileSync(`${copy}.sha256`, readFileSync(`${backup}.sha256`, 'utf8').replace(basename(backup), name));
  return copy;
}

let holder: ChildProcess | undefined;
afterEach(() => {
  holder?.kill('SIGKILL');
  holder = undefined;
});

/** Another process with the database open, idle (a till between sales): resolves once it has read it. */
function holdOpen(path: string, readonly = false): Promise<void> {
  const code = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}, { readonly: ${readonly} });
    db.prepare('SELECT count(*) FROM documents').get(); process.stdout.write('open\\n'); setInterval(() => {}, 1000);`;
  holder = spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => holder!.stdout!.once('data', () => resolve()));
}

describe('tpv backup create', () => {
  it('writes a timestamped backup beside the database (0600) with a sha256sum line, and reports what it holds', async () => {
    const path = await shop(3);
    const r = await at(path)('backup', 'create');
    expect(r.code).toBe(0);
    const b = r.json.data;
    expect(b.path).toMatch(new RegExp(`^${backupFolder(path)}/${basename(path)}\\.bak-\\d{8}T\\d{6}Z$`));
    expect(statSync(b.path).mode & 0o777).toBe(0o600);
    expect(statSync(`${b.path}.sha256`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${b.path}.sha256`, 'utf8')).toBe(`${sha256(b.path)}  ${basename(b.path)}\n`);
    expect(b).toMatchObject({ sha256: sha256(b.path), size: statSync(b.path).size, schema_version: knownMigrations().length, last_document: { number: 'T01-000003', type: 'receipt' } });
    const head = await at(path)('audit', 'head');
    expect(b.journal).toEqual({ seq: head.json.data.seq, head: head.json.data.hash });
    // one file: no -wal or -shm beside it, and nothing half-written left in the folder
    expect(readdirSync(backupFolder(path)).sort()).toEqual([basename(b.path), `${basename(b.path)}.sha256`]);
    expect(count(b.path)).toBe(3);
  });

  it('--to writes where asked and never overwrites a file', async () => {
    const path = await shop(1);
    const to = join(dir, `usb-${n}.db`);
    expect((await at(path)('backup', 'create', '--to', to)).code).toBe(0);
    expect(existsSync(`${to}.sha256`)).toBe(true);
    const again = await at(path)('backup', 'create', '--to', to);
    expect({ code: again.code, error: again.json.error.code }).toEqual({ code: 5, error: 'backup.exists' });
  });
});

describe('the online copy', () => {
  it.each([
    ['another connection committing between every step restarts it; it still finishes', false],
    ['the connection it copies from (the terminal\'s own sales) committing between steps is copied along', true],
  ])('%s, as one moment of the database', async (_, same) => {
    const path = join(dir, `busy-${n++}.db`);
    const src = connect(path, { create: true });
    const writer = same ? src : connect(path);
    try {
      src.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB); CREATE TABLE total (n INTEGER); INSERT INTO total VALUES (0)');
      src.transaction(() => {
        for (let i = 0; i < 4000; i++) src.prepare('INSERT INTO t (pad) VALUES (randomblob(1000))').run();
        src.exec('UPDATE total SET n = 4000');
      })();
      // a till selling flat out beside the backup: a row and the total moved together, between every step
      let writes = 0;
      let copying = true;
      const sell = writer.transaction(() => {
        writer.prepare('INSERT INTO t (pad) VALUES (randomblob(1000))').run();
        writer.exec('UPDATE total SET n = n + 1');
      });
      const tick = (): void => {
        if (!copying) return;
        sell();
        writes++;
        setImmediate(tick);
      };
      setImmediate(tick);
      const copy = join(dir, `busy-copy-${n}.db`);
      await backupTo(src, copy);
      copying = false;
      expect(writes).toBeGreaterThan(3);
      const db = new Database(copy, { readonly: true });
      try {
        const total = db.prepare('SELECT n FROM total').pluck().get() as number;
        expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(total);
        expect(total).toBeGreaterThan(4000);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    } finally {
      if (!same) writer.close();
      src.close();
    }
  });
});

describe('tpv backup verify', () => {
  it('passes on a good backup, a migration\'s too (older schema, audited on a migrated copy, no checksum file)', async () => {
    const path = await shop(2);
    const b = (await at(path)('backup', 'create')).json.data;
    const r = await cli(['backup', 'verify', b.path, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ ok: true, checksum: 'ok', integrity: 'ok', sha256: b.sha256, audit: { ok: true, findings: [] }, facts: { journal: b.journal } });
    expect(sha256(b.path)).toBe(b.sha256); // verifying changes nothing
    expect(readdirSync(backupFolder(path))).toHaveLength(2);

    const old = join(dir, `old-${n++}.db`);
    makeOlderDatabase(old);
    expect((await cli(['--db', old, 'migrate', '--json'])).code).toBe(0);
    const [migration] = listBackups(old).backups;
    expect(migration).toMatchObject({ kind: 'migration' });
    const v = await cli(['backup', 'verify', migration!.path, '--json']);
    expect(v.code).toBe(0);
    expect(v.json.data).toMatchObject({ ok: true, checksum: 'missing', schema: { version: knownMigrations().length - 1 } });
  });

  it('a flipped byte is caught by the checksum (exit 5)', async () => {
    const path = await shop(2);
    const b = (await at(path)('backup', 'create')).json.data;
    const copy = copyOf(b.path, `flipped-${n}.db`);
    const bytes = readFileSync(copy);
    const i = bytes.length - 100;
    bytes[i] = bytes[i]! ^ 0x01;
    writeFileSync(copy, bytes);
    const r = await cli(['backup', 'verify', copy, '--json']);
    expect({ code: r.code, error: r.json.error.code }).toEqual({ code: 5, error: 'backup.checksum_mismatch' });
    expect(r.json.error.message).toContain(copy);
  });

  it('a document changed in the backup, its checksum rewritten, is caught by the journal (exit 5, the document named)', async () => {
    const path = await shop(3);
    const b = (await at(path)('backup', 'create')).json.data;
    const copy = copyOf(b.path, `tampered-${n}.db`);
    const db = new Database(copy);
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
    db.exec("UPDATE documents SET note = 'nada' WHERE number = 'T01-000002'");
    for (const t of triggers) db.exec(t.sql);
    db.close();
    writeFileSync(`${copy}.sha256`, `${sha256(copy)}  ${basename(copy)}\n`);
    const r = await cli(['backup', 'verify', copy, '--json']);
    expect({ code: r.code, error: r.json.error.code }).toEqual({ code: 5, error: 'backup.audit' });
    expect(r.json.error.message).toContain('T01-000002');
    expect(r.json.error.details.audit.findings[0]).toMatchObject({ check: 'journal', code: 'audit.document_changed' });
    // and a restore of it is refused, the database untouched
    const before = sha256(path);
    const restore = await at(path)('backup', 'restore', copy);
    expect({ code: restore.code, error: restore.json.error.code }).toEqual({ code: 5, error: 'backup.audit' });
    expect(sha256(path)).toBe(before);
  });

  it('a file that is not a database is exit 3; a missing one exit 4', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hola\n');
    const r = await cli(['backup', 'verify', text, '--json']);
    expect({ code: r.code, error: r.json.error.code }).toEqual({ code: 3, error: 'backup.not_a_database' });
    expect((await cli(['backup', 'verify', join(dir, 'nope.db'), '--json'])).code).toBe(4);
  });
});

describe('tpv backup restore', () => {
  it('restores into the database: the old one kept aside whole (its WAL too), the store exactly the backup\'s from then on', async () => {
    const path = await shop(2);
    const b = (await at(path)('backup', 'create')).json.data;
    // a sale after the backup, left in the WAL beside the database by a process killed before any checkpoint
    await saleLeftInWal(path);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    expect(count(path)).toBe(3);

    const r = await at(path)('backup', 'restore', b.path);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stderr).toContain('1 journal entries more'); // the receipt sold after the backup exists on paper
    expect(r.json.data).toMatchObject({ path, from: b.path, by: TEST_ADMIN.code, journal: b.journal, last_document: { number: 'T01-000002' } });
    expect(r.json.data.kept.path).toMatch(new RegExp(`^${path}\\.before-restore-\\d{8}T\\d{6}Z$`));
    expect(r.json.data.kept.facts).toMatchObject({ last_document: { number: 'T01-000003' } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(r.json.data.kept.path).mode & 0o777).toBe(0o600);
    // the store is the backup's, opened again and again (no WAL brings the old rows back)
    for (let i = 0; i < 2; i++) {
      const audit = await at(path)('audit', 'verify');
      expect(audit.code).toBe(0);
      expect(audit.json.data.head).toEqual({ seq: b.journal.seq, hash: b.journal.head });
      expect(count(path)).toBe(2);
    }
    expect(count(r.json.data.kept.path)).toBe(3);
    const shift = await at(path)('shift', 'status');
    expect(shift.json.data.receipts).toMatchObject({ count: 2, last: 'T01-000002' });
    // and it sells on after the receipt lost with the replaced database: T01-000003 was handed to a
    // customer, so it is never issued again; the skip is recorded and the audit accepts it
    const sale = await cli(['--db', path, 'sale', '--json'], { input: JSON.stringify({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'card', amount: '0.99' }] }) });
    expect(sale.json.data.receipt.number).toBe('T01-000004');
    expect((await at(path)('audit', 'verify')).code).toBe(0);
  });

  it('is refused while another process has the database open, even only reading it (exit 5, nothing changed)', async () => {
    const path = await shop(2);
    const b = (await at(path)('backup', 'create')).json.data;
    await saleLeftInWal(path);
    for (const readonly of [false, true]) {
      await holdOpen(path, readonly);
      const before = count(path);
      const r = await at(path)('backup', 'restore', b.path);
      expect({ code: r.code, error: r.json.error.code }).toEqual({ code: 5, error: 'backup.in_use' });
      expect(count(path)).toBe(before);
      expect(readdirSync(dir).filter((f) => f.startsWith(`${basename(path)}.before-restore`))).toEqual([]);
      holder!.kill('SIGKILL');
      await new Promise((resolve) => holder!.once('exit', resolve));
    }
    expect((await at(path)('backup', 'restore', b.path)).code).toBe(0);
    expect(count(path)).toBe(2);
  });

  it('needs an admin: a cashier is refused, and so is a wrong PIN', async () => {
    const path = await shop(1);
    const b = (await at(path)('backup', 'create')).json.data;
    expect((await cli(['--db', path, 'users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier'], { input: '2468\n' })).code).toBe(0);
    const cashier = await cli(['--db', path, '--user', 'ana', 'backup', 'restore', b.path, '--json'], { env: { TPV_PIN: '2468' } });
    expect(cashier.code).toBe(5);
    const wrong = await cli(['--db', path, 'backup', 'restore', b.path, '--json'], { env: { TPV_PIN: '0000' } });
    expect(wrong.code).toBe(5);
    expect(readdirSync(dir).filter((f) => f.startsWith(`${basename(path)}.before-restore`))).toEqual([]);
  });

  it('replaces a database that is no longer one (moved aside as it was), or makes a missing one', async () => {
    const path = await shop(2);
    const b = (await at(path)('backup', 'create')).json.data;
    writeFileSync(path, Buffer.alloc(8192, 0x41));
    chmodSync(path, 0o644);
    const r = await at(path)('backup', 'restore', b.path);
    expect(r.code).toBe(0);
    expect(readFileSync(r.json.data.kept.path)).toEqual(Buffer.alloc(8192, 0x41));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await at(path)('audit', 'verify')).code).toBe(0);

    const fresh = join(dir, `new-${n++}`, 'tpv.db');
    chmodSync(b.path, 0o644); // (copied off a USB stick, say)
    const made = await at(fresh)('backup', 'restore', b.path);
    expect(made.code).toBe(0);
    expect(made.json.data.kept).toBeNull();
    expect(count(fresh)).toBe(2);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });
});

describe('scheduled backups', () => {
  it('are taken when due, skipped when not, and the oldest beyond backup.keep are deleted', async () => {
    let now = new Date('2026-11-21T08:00:00Z');
    const app = await makeShopWithCatalog(dir, `sched-${n++}.db`, () => now);
    try {
      setSetting(app, 'backup.every', '12h');
      setSetting(app, 'backup.keep', 3);
      const taken: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await scheduledBackup(app);
        expect(r.created, `backup ${i}`).not.toBeNull();
        taken.push(r.created!.path);
        // not due again until 12 hours later
        now = new Date(now.getTime() + 11 * 3_600_000);
        expect(await scheduledBackup(app)).toMatchObject({ created: null, skipped: 'not_due', pruned: [] });
        now = new Date(now.getTime() + 1 * 3_600_000);
      }
      const left = listBackups(app.path).backups.map((b) => b.path);
      expect(left).toEqual(taken.slice(2).reverse());
      expect(readdirSync(backupFolder(app.path))).toHaveLength(6); // 3 backups, 3 checksums
      setSetting(app, 'backup.every', 'off');
      expect(await scheduledBackup(app)).toMatchObject({ created: null, skipped: 'off' });
    } finally {
      app.close();
    }
  });

  it('tpv backup create --scheduled takes one when none is due yet, then skips until backup.every has passed', async () => {
    const path = await shop(1);
    const first = await at(path)('backup', 'create', '--scheduled');
    expect(first.code).toBe(0);
    expect(first.json.data).toMatchObject({ skipped: null, every_hours: 24, keep: 7 });
    const second = await at(path)('backup', 'create', '--scheduled');
    expect(second.code).toBe(0);
    expect(second.json.data).toMatchObject({ created: null, skipped: 'not_due' });
    expect(listBackups(path).backups).toHaveLength(1);
    const list = await at(path)('backup', 'list');
    expect(list.json.data.backups).toMatchObject([{ path: first.json.data.created.path, kind: 'backup' }]);
  });
});

/**
 * A sale whose pages stay in the WAL beside the database, as a till killed before any checkpoint
 * leaves them: another process holds the database open while the sale commits (so closing the
 * sale's connection checkpoints nothing), then it is killed. A file copied over the database would
 * pick these pages up again on the next open.
 */
async function saleLeftInWal(path: string): Promise<void> {
  await holdOpen(path);
  const sale = { lines: [{ code: 'LAC-002', qty: '1' }], payments: [{ method: 'card', amount: '0.95' }] };
  const r = await cli(['--db', path, 'sale', '--json'], { input: JSON.stringify(sale) });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  holder!.kill('SIGKILL');
  await new Promise((resolve) => holder!.once('exit', resolve));
  holder = undefined;
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
}

describe('tpv doctor', () => {
  it('warns while a store has no recent backup, and is content once one is taken', async () => {
    const path = await shop(1);
    const backupCheck = async () => {
      const r = await at(path)('doctor');
      return (r.json.data ?? r.json.error.details).checks.find((c: { id: string }) => c.id === 'backup');
    };
    expect(await backupCheck()).toMatchObject({ status: 'warn', message: 'no backup yet' });
    expect((await at(path)('backup', 'create')).code).toBe(0);
    expect(await backupCheck()).toMatchObject({ status: 'ok' });
  });
});
