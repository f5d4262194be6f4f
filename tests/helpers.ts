/**
 * Test helpers: temp folders, the CLI run in-process (`cli`) or as the real tpv binary in a
 * subprocess (`tpv`), a store on a real SQLite file.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { actingUser } from '../src/app/auth.js';
import type { App } from '../src/app/context.js';
import { importProducts } from '../src/app/import.js';
import { DEMO_STORE, initStore, type StoreInput } from '../src/app/store.js';
import { main } from '../src/cli/main.js';
import { TpvError } from '../src/core/errors.js';
import { connect } from '../src/db/connection.js';
import { writeSettings } from '../src/db/settings.js';
import type { SettingKey, Settings } from '../src/core/profile.js';
import { knownMigrations } from '../src/db/migrate.js';
import { language, setLanguage } from '../src/i18n/index.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'tpv');
export const FIXTURES = join(ROOT, 'fixtures');

/** A fresh temp folder, removed after the file's tests. */
export function tempDir(prefix = 'tpv-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is one document. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RunOptions {
  /** What the command reads on stdin (a pipe, never a terminal); empty when absent. */
  input?: string | Buffer;
  /** Added to (or, with undefined, removed from) the test's environment. */
  env?: Record<string, string | undefined>;
}

/**
 * The environment of a run: English, no colour, the test stores' admin PIN in TPV_PIN (what
 * commands acting as a user need; `env: { TPV_PIN: undefined }` removes it), then the test's own
 * variables.
 */
function runEnv(opts: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TPV_LANG: 'en', NO_COLOR: '1', TPV_PIN: TEST_ADMIN.pin, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

function parseJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined; // not JSON
  }
}

/** Runs the built tpv like a user would: its own process, exit code through bin/tpv. */
export function tpv(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env = runEnv(opts);
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      resolvePromise({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString('utf8'), json: parseJson(stdout) });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A writable that keeps what is written (not a terminal: no isTTY, no columns). */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** In-process runs one at a time: main() sets the message language for the whole process. */
let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs the CLI in this process through `main(argv, io)`: same arguments, options and result as
 * `tpv()`, without the ~0.2 s of a process start. stdin is a pipe holding `input` (so commands never
 * prompt), stdout and stderr are collected, the environment is built as for `tpv()`. Calls are
 * serialised and the message language is put back afterwards, so nothing carries over between
 * runs. What only a real process shows (exit through bin/tpv, signals, a terminal, handles left
 * open that keep a process alive) stays with `tpv()`.
 */
export function cli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const run = previousRun.then(async (): Promise<RunResult> => {
    const stdin = Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)], { objectMode: false });
    const out = collector();
    const err = collector();
    const lang = language();
    let code: number;
    try {
      code = await main(args, { stdin, stdout: out.stream, stderr: err.stream, env: runEnv(opts) });
    } finally {
      setLanguage(lang);
      stdin.destroy();
    }
    const stdout = out.text();
    return { code, stdout, stderr: err.text(), json: parseJson(stdout) };
  });
  previousRun = run.catch(() => undefined);
  return run;
}

export const TEST_ADMIN = { code: 'admin', name: 'Admin', pin: '1234' };

/** A store on a real database file (Spain, EUR, 21/10/4/0), opened through the app layer. */
export async function makeStore(dir: string, overrides: Partial<StoreInput> = {}, name = 'tpv.db'): Promise<App> {
  return initStore(join(dir, name), { ...DEMO_STORE, admin: TEST_ADMIN, ...overrides }, { now: () => new Date('2026-11-21T10:00:00Z') });
}

/** A store with the demo catalog, on a clock the test moves (`now` is read at each use). */
export async function makeShopWithCatalog(dir: string, name: string, now: () => Date, overrides: Partial<StoreInput> = {}): Promise<App> {
  const app = await makeStore(dir, overrides, name);
  app.now = now;
  await importProducts(app, actingUser(app.db), createReadStream(join(FIXTURES, 'demo-catalog.csv')), null);
  return app;
}

/**
 * A database as the previous release left it: every migration but the last applied, with a
 * store in it. Opening it with this tpv must migrate it.
 */
export function makeOlderDatabase(path: string): void {
  const db = connect(path, { create: true });
  const all = knownMigrations();
  const old = all.slice(0, -1);
  for (const m of old) {
    db.exec(m.sql().split('--> statement-breakpoint').join('\n'));
    db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '0.0.1')").run(m.idx, m.tag, m.hash());
  }
  db.pragma(`user_version = ${old.length}`);
  db.exec(`INSERT INTO settings (key, value) VALUES ('store.name', '"Old shop"'), ('store.currency', '"EUR"'),
    ('store.country', '"ES"'), ('store.timezone', '"Europe/Madrid"'), ('register.code', '"T01"');
    INSERT INTO tax_categories (code, name, rate) VALUES ('IVA21', 'IVA 21%', 2100);
    INSERT INTO products (sku, name, price, tax_category_id, unit, created_at, updated_at)
      VALUES ('CHOC-1', 'Chocolate con leche', 150, 1, 'each', 'x', 'x');`);
  db.close();
}

/** The TpvError a call throws (fails the test when it throws nothing or something else). */
export function caught(fn: () => unknown): TpvError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TpvError) return e;
    throw e;
  }
  throw new Error('expected a TpvError');
}

/** A TCP port on 127.0.0.1 nobody listens on (taken, then released): a printer that is off. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Changes a setting straight in the database (what `tpv config set` validates and writes), then re-reads it. */
export function setSetting<K extends SettingKey>(app: App, key: K, value: Settings[K]): void {
  writeSettings(app.db, { [key]: value });
  app.reload();
}

/**
 * Polls until `pick` gives something (sync or async) and returns it: for states other processes
 * reach (a printer's job, a port held, a line on a screen). The deadline only turns a hang into a
 * readable failure naming `what` (and `detail()`, e.g. a terminal's screen); no test asserts time.
 */
export async function until<T>(
  pick: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  what: string,
  ms = 10_000,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await pick();
    if (v) return v;
    if (Date.now() > deadline) {
      const more = detail();
      throw new Error(`${what}: not seen${more ? `\n${more}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
