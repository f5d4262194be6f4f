/**
 * The environment refusing is never a crash nor an internal error (exit 1): a database path that
 * is a folder, a text file, /dev/null, a read-only database or folder, a schema version edited by
 * hand, input too large, a bad number, stdout on a full disk. Each is a clear message naming the
 * path or flag, an exit code from the table (5 the system refuses, 3 the wrong kind of thing), and
 * with --json one document. In-process (`cli`); what needs a real process is in tests/e2e/io-errors.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { TpvError } from '../../src/core/errors.js';
import { systemError } from '../../src/core/system-errors.js';
import { writeOutputFile } from '../../src/cli/output.js';
import { main } from '../../src/cli/main.js';
import { connect } from '../../src/db/connection.js';
import { language, setLanguage } from '../../src/i18n/index.js';
import { cli, makeShopWithCatalog, type RunResult, TEST_ADMIN, tempDir } from '../helpers.js';

const dir = tempDir('tpv-io-');
const DB = join(dir, 'shop.db');
const run = (args: string[], input?: string): Promise<RunResult> => cli(['--db', DB, ...args], input === undefined ? {} : { input });
const SALE = { lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'cash', amount: '5.00' }] };

beforeAll(async () => {
  const app = await makeShopWithCatalog(dir, 'shop.db', () => new Date());
  app.close();
  expect((await run(['shift', 'open', '--float', '0'])).code).toBe(0);
});

/** A refusal as a script sees it: the exit code, one JSON document with the code, the message naming `names`, no stack. */
function refused(r: RunResult, exit: number, code: string | string[], names: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(exit);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  expect(r.json.ok).toBe(false);
  expect([code].flat()).toContain(r.json.error.code);
  expect(r.json.error.message).toContain(names);
  expect(r.stderr).not.toMatch(/\n\s+at |Unhandled|internal error/);
}

async function receipts(db = DB): Promise<number> {
  const r = await cli(['--db', db, 'receipts', 'list', '--limit', '1000', '--json']);
  expect(r.code, r.stdout).toBe(0);
  return r.json.data.length;
}

/** A copy of the shop (its WAL folded in: one file) in a folder of its own. */
function copyOfShop(name: string): { folder: string; db: string } {
  const folder = join(dir, name);
  mkdirSync(folder);
  const db = join(folder, 'shop.db');
  copyFileSync(DB, db);
  return { folder, db };
}

/**
 * Makes a file or folder read-only for this process: chmod 0400/0500 — or, for root (whom chmod
 * does not stop), the immutable attribute (chattr +i), which stops root too. Returns the undo.
 */
function makeReadOnly(path: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', path], { stdio: 'pipe' });
    return () => execFileSync('chattr', ['-i', path]);
  }
  const mode = statSync(path).mode & 0o777;
  chmodSync(path, statSync(path).isDirectory() ? 0o500 : 0o400);
  return () => chmodSync(path, mode);
}

/** Runs fn with `path` read-only; skips (saying why) only where no mechanism can make it so. */
async function withReadOnly(path: string, skip: (why: string) => void, fn: () => Promise<void>): Promise<void> {
  let undo: () => void;
  try {
    undo = makeReadOnly(path);
  } catch (e) {
    const why = `cannot make ${path} read-only here (root, and chattr +i failed: ${(e as Error).message.split('\n')[0]})`;
    console.warn(why);
    return skip(why);
  }
  try {
    await fn();
  } finally {
    undo();
  }
}

describe('--db that is no database', () => {
  it('a folder: exit 3 naming it', async () => {
    refused(await cli(['--db', dir, 'products', 'list', '--json']), 3, 'io.directory', dir);
    const text = await cli(['--db', dir, 'products', 'list']);
    expect(text.code).toBe(3);
    expect(text.stderr).toBe(`tpv: ${dir} is a folder, not a file\n`);
  });

  it('a text file: exit 3 "not a tpv database", the file untouched', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'not a database\n'.repeat(200));
    refused(await cli(['--db', path, 'receipts', 'list', '--json']), 3, 'store.not_database', path);
    expect(readFileSync(path, 'utf8')).toBe('not a database\n'.repeat(200));
  });

  it('/dev/null: exit 3, and SQLite never wrote a journal beside the device', async () => {
    refused(await cli(['--db', '/dev/null', 'receipts', 'list', '--json']), 3, 'store.not_file', '/dev/null');
    expect(existsSync('/dev/null-journal')).toBe(false);
    expect(existsSync('/dev/null-wal')).toBe(false);
  });

  it('a path through a file: exit 3', async () => {
    const path = join(dir, 'notes.txt', 'shop.db');
    refused(await cli(['--db', path, 'receipts', 'list', '--json']), 3, 'io.not_directory', path);
  });

  it("another program's SQLite database: exit 3, nothing migrated into it", async () => {
    const path = join(dir, 'places.sqlite');
    const other = new Database(path);
    other.exec('CREATE TABLE moz_places (url TEXT)');
    other.pragma('user_version = 3');
    other.close();
    refused(await cli(['--db', path, 'products', 'list', '--json']), 3, 'store.not_database', path);
    const after = new Database(path);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['moz_places']);
    after.close();
  });
});

describe('a schema version edited by hand', () => {
  for (const version of [999, -5, 3]) {
    it(`user_version ${version}: exit 3 naming the database and the version, no migration run`, async () => {
      const { db } = copyOfShop(`schema${version}`);
      const d = new Database(db);
      d.pragma(`user_version = ${version}`);
      d.close();
      const r = await cli(['--db', db, 'products', 'list', '--json']);
      refused(r, 3, 'store.schema_unknown', db);
      expect(r.json.error.message).toContain(`schema ${version}`);
      const again = new Database(db);
      expect(again.pragma('user_version', { simple: true })).toBe(version);
      again.close();
    });
  }
});

describe('a read-only database', () => {
  it('a read-only file: reading works, writing is exit 5 naming the database', async (ctx) => {
    const { db } = copyOfShop('ro-file');
    await withReadOnly(db, (why) => ctx.skip(why), async () => {
      expect(await receipts(db)).toBeGreaterThanOrEqual(0);
      refused(await cli(['--db', db, 'sale', '--json'], { input: JSON.stringify(SALE) }), 5, 'io.read_only', db);
      refused(await cli(['--db', db, 'products', 'add', '--sku', 'RO-1', '--name', 'x', '--price', '1', '--tax-rate', '21', '--json']), 5, 'io.read_only', db);
      const text = await cli(['--db', db, 'sale'], { input: JSON.stringify(SALE) });
      expect(text.code).toBe(5);
      expect(text.stderr).toContain(`tpv: ${db} is read-only`);
    });
  });

  it('a read-only folder (SQLite cannot keep its -wal and -shm): exit 5 naming the database', async (ctx) => {
    const { folder, db } = copyOfShop('ro-folder');
    await withReadOnly(folder, (why) => ctx.skip(why), async () => {
      // root meets the immutable folder when opening, another user when SQLite writes its -shm
      refused(await cli(['--db', db, 'receipts', 'list', '--json']), 5, ['store.cannot_open', 'io.read_only'], db);
      refused(await cli(['--db', db, 'sale', '--json'], { input: JSON.stringify(SALE) }), 5, ['store.cannot_open', 'io.read_only'], db);
    });
  });
});

describe('input', () => {
  it('--file at a folder: exit 3 naming it', async () => {
    refused(await run(['sale', '--file', dir, '--json']), 3, 'io.directory', dir);
    refused(await run(['refund', 'T01-000001', '--file', dir, '--json']), 3, 'io.directory', dir);
    refused(await run(['products', 'import', dir, '--json']), 3, 'io.directory', dir);
    refused(await run(['customers', 'import', dir, '--json']), 3, 'io.directory', dir);
  });

  it('stdin over 16 MiB is refused (exit 3) and nothing is sold', async () => {
    const before = await receipts();
    const big = JSON.stringify({ ...SALE, note: 'x'.repeat(17 * 1024 * 1024) });
    const r = await run(['sale', '--json'], big);
    refused(r, 3, 'input.too_large', 'stdin');
    expect(r.json.error.message).toContain('16 MiB');
    expect(await receipts()).toBe(before);
  });

  it('a --file over 16 MiB is refused naming it', async () => {
    const path = join(dir, 'big.json');
    writeFileSync(path, JSON.stringify({ ...SALE, note: 'x'.repeat(17 * 1024 * 1024) }));
    refused(await run(['sale', '--file', path, '--json']), 3, 'input.too_large', path);
  });

  it('an import with a line over 1 MiB (no line breaks: the wrong file) stops there, naming the line', async () => {
    const path = join(dir, 'blob.csv');
    writeFileSync(path, 'sku,name,price,tax_rate\n' + 'A'.repeat(2 * 1024 * 1024));
    const r = await run(['products', 'import', path, '--dry-run', '--json']);
    refused(r, 3, 'input.line_too_long', path);
    expect(r.json.error.details).toMatchObject({ line: 2, limit: '1 MiB' });
    refused(await run(['sales', 'import', path, '--json']), 3, 'input.line_too_long', path);
  });

  it('--limit must be a whole number in range (1e20, 0, 2.5, -1: exit 3 naming the flag)', async () => {
    for (const value of ['1e20', '0', '2.5', '-1', '0x10', '']) {
      refused(await run(['receipts', 'list', '--limit', value, '--json']), 3, 'cli.integer', '--limit');
      refused(await run(['products', 'list', '--limit', value, '--json']), 3, 'cli.integer', '--limit');
    }
    expect((await run(['products', 'list', '--limit', '1000000', '--json'])).code).toBe(0);
  });
});

describe('output', () => {
  it('an export to a folder is exit 3 naming it; to a missing folder exit 4; nothing left behind', async () => {
    refused(await run(['products', 'export', dir, '--json']), 3, 'io.directory', dir);
    refused(await run(['products', 'export', join(dir, 'nope', 'x.csv'), '--json']), 4, 'io.no_folder', join(dir, 'nope'));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an export writes the whole file, or leaves the old one when its source fails midway', async () => {
    const path = join(dir, 'catalog.csv');
    const r = await run(['products', 'export', path, '--json']);
    expect(r.code).toBe(0);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(r.json.data.rows + 1);
    const old = readFileSync(path, 'utf8');
    function* failing(): Generator<string> {
      yield 'sku,name\n';
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' });
    }
    const err = await writeOutputFile(path, failing()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TpvError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'io.failed', params: { path } });
    expect(readFileSync(path, 'utf8')).toBe(old);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('SQLite out of space (SQLITE_FULL) is exit 5 "no space left" naming the database', () => {
    const path = join(dir, 'tiny.db');
    const db = connect(path, { create: true });
    db.pragma('max_page_count = 8');
    db.exec('CREATE TABLE t (x BLOB)');
    let thrown: unknown;
    try {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (randomblob(4000))').run();
    } catch (e) {
      thrown = e;
    } finally {
      db.close();
    }
    expect((thrown as { code?: string }).code).toBe('SQLITE_FULL');
    expect(systemError(thrown, path)).toMatchObject({ kind: 'conflict', code: 'io.full', params: { path } });
  });

  it('a sale whose stdout is a full disk (/dev/full): committed once, said on stderr, exit 5; the same id again sells nothing', async (ctx) => {
    if (!existsSync('/dev/full')) return ctx.skip('no /dev/full on this system');
    const before = await receipts();
    const body = JSON.stringify({ ...SALE, id: 'io-errors-full-1' });
    const full = await mainWith(['--db', DB, 'sale', '--json'], body, createWriteStream('/dev/full'));
    expect(full.code).toBe(5);
    expect(full.stderr).toMatch(/^tpv: sale T01-\d{6} committed; its output could not be written: no space left on the device of stdout\n$/);
    const number = /sale (T01-\d{6})/.exec(full.stderr)![1];
    expect(await receipts()).toBe(before + 1);
    const retry = await run(['sale', '--json'], body);
    expect(retry.code).toBe(0);
    expect(retry.json.data).toMatchObject({ duplicate: true, receipt: { number } });
    expect(await receipts()).toBe(before + 1);
  });
});

/** main() with a real stream for stdout (what `cli` cannot give), stderr collected. */
async function mainWith(args: string[], input: string, stdout: Writable): Promise<{ code: number; stderr: string }> {
  const errs: Buffer[] = [];
  const stderr = new Writable({
    write(chunk: Buffer, _e, done) {
      errs.push(Buffer.from(chunk));
      done();
    },
  });
  const lang = language();
  try {
    const env = { ...process.env, TPV_LANG: 'en', NO_COLOR: '1', TPV_PIN: TEST_ADMIN.pin };
    const code = await main(args, { stdin: Readable.from([Buffer.from(input)]), stdout, stderr, env });
    return { code, stderr: Buffer.concat(errs).toString('utf8') };
  } finally {
    setLanguage(lang);
    stdout.destroy();
  }
}
