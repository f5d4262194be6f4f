/**
 * Imports under faults (issue 12, finding 7). An import writes in short batches so a till beside
 * it keeps selling (DESIGN §4), so it is resumable rather than atomic: each run is recorded in
 * `import_runs` with the rows that landed, updated in the transaction of each batch. A run killed
 * (SIGKILL) or failed (a full disk) is named by every later command and by `tpv doctor` until the
 * same file is imported again to its end; a failure says how many rows landed, with its exit code.
 *
 * The killed import is the real tpv in its own process (`npm run build` first); the full disk is
 * SQLite's own SQLITE_FULL, from a `max_page_count` on the importing connection.
 */
import { spawn } from 'node:child_process';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeCatalogCsv } from '../../bench/generate.js';
import { actingUser } from '../../src/app/auth.js';
import { importProducts } from '../../src/app/import.js';
import { EXIT_CODES, TpvError } from '../../src/core/errors.js';
import { errorMessage } from '../../src/i18n/index.js';
import { BIN, cli, makeStore, TEST_ADMIN, tempDir } from '../helpers.js';

const dir = tempDir('tpv-import-faults-');

interface Run {
  applied: number;
  rows: number;
  state: string;
  error: string | null;
}

/** The last run of an import of `source`, read beside the importer (as another process would). */
function lastRun(path: string, source: string): Run | undefined {
  const d = new Database(path, { readonly: true });
  try {
    return d.prepare('SELECT applied, rows, state, error FROM import_runs WHERE source = ? ORDER BY id DESC LIMIT 1').get(source) as Run | undefined;
  } finally {
    d.close();
  }
}

function count(path: string, sql: string): number {
  const d = new Database(path, { readonly: true });
  try {
    return d.prepare(sql).pluck().get() as number;
  } finally {
    d.close();
  }
}

/** `tpv doctor --json`'s checks (its exit code depends on this machine's serial ports). */
async function doctorChecks(path: string): Promise<{ id: string; status: string; message: string }[]> {
  const r = await cli(['--db', path, 'doctor', '--json']);
  return r.json.ok ? r.json.data.checks : r.json.error.details.checks;
}

describe('an import killed part-way', () => {
  it('is named by the next command and by doctor with the rows that landed; running it again finishes and clears it', async () => {
    const ROWS = 40_000;
    const app = await makeStore(dir, {}, 'killed.db');
    const path = app.path;
    const catalog = join(dir, 'catalog.csv');
    await writeCatalogCsv(catalog, ROWS);
    await importProducts(app, actingUser(app.db), createReadStream(catalog), null, { source: 'catalog.csv' });
    app.close();
    // every price changes to one the generator never makes (it stays under 50.20)
    const skus = Array.from({ length: ROWS }, (_, i) => `SKU${String(i + 1).padStart(7, '0')}`);
    writeFileSync(join(dir, 'prices.csv'), 'sku,price\n' + skus.map((s) => `${s},99.99\n`).join(''));

    const child = spawn(process.execPath, [BIN, '--db', path, 'products', 'import', 'prices.csv'], {
      cwd: dir,
      env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1', TPV_PIN: TEST_ADMIN.pin },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)));
    let over = false;
    void exited.then(() => (over = true));
    // kill it once some batches have landed (the run's own count, not a timer)
    while (!over && !((lastRun(path, 'prices.csv')?.applied ?? 0) > 0)) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');

    const run = lastRun(path, 'prices.csv')!;
    expect(run.state).toBe('running');
    expect(run.rows).toBe(ROWS);
    expect(run.applied).toBeGreaterThan(0);
    expect(run.applied).toBeLessThan(ROWS);
    // the count is exact: it commits with each batch
    expect(count(path, 'SELECT count(*) FROM products WHERE price = 9999')).toBe(run.applied);

    const warning = `the import of prices.csv stopped after ${run.applied} of ${ROWS} rows at `;
    const next = await cli(['--db', path, 'products', 'list', '--limit', '1']);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(warning);
    expect(next.stderr).toContain('run it again to finish: tpv products import prices.csv');
    const checks = await doctorChecks(path);
    expect(checks.find((c) => c.message.startsWith(warning))).toMatchObject({ status: 'warn' });

    const again = await cli(['--db', path, 'products', 'import', join(dir, 'prices.csv'), '--json']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.json.data).toMatchObject({ updated: ROWS - run.applied, unchanged: run.applied, created: 0 });
    expect(count(path, 'SELECT count(*) FROM products WHERE price = 9999')).toBe(ROWS);
    const after = await cli(['--db', path, 'products', 'list', '--limit', '1']);
    expect(after.stderr).not.toContain('stopped after');
    expect((await doctorChecks(path)).find((c) => c.id === 'imports')).toMatchObject({ status: 'ok' });
  }, 120_000);
});

describe('an import that fails part-way', () => {
  it('on a full disk: exit 5, says how many rows landed, recorded as failed; running it again finishes it', async () => {
    const ROWS = 20_000;
    const app = await makeStore(dir, {}, 'full.db');
    const path = app.path;
    const file = join(dir, 'big.csv');
    await writeCatalogCsv(file, ROWS, 7);
    // SQLite's own "database or disk is full" once the file would grow past ~1.6 MB more
    const pages = app.db.pragma('page_count', { simple: true }) as number;
    app.db.pragma(`max_page_count = ${pages + 400}`);
    const e = await importProducts(app, actingUser(app.db), createReadStream(file), null, { source: 'big.csv' }).catch((x: unknown) => x);
    app.close();
    expect(e).toBeInstanceOf(TpvError);
    const err = e as TpvError;
    expect(err).toMatchObject({ kind: 'conflict', code: 'import.stopped', params: { source: 'big.csv', rows: ROWS } });
    expect(EXIT_CODES[err.kind]).toBe(5);
    const applied = err.params.applied as number;
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(ROWS);
    expect(errorMessage(err.code, err.params)).toBe(
      `no space left on the device of ${path}: the import of big.csv stopped after ${applied} of ${ROWS} rows (those stay written); run it again to finish it`,
    );
    expect(count(path, 'SELECT count(*) FROM products')).toBe(applied);
    expect(lastRun(path, 'big.csv')).toMatchObject({ state: 'failed', applied, rows: ROWS, error: `no space left on the device of ${path}` });

    const next = await cli(['--db', path, 'products', 'list', '--limit', '1']);
    expect(next.stderr).toContain(`the import of big.csv stopped after ${applied} of ${ROWS} rows at `);
    const again = await cli(['--db', path, 'products', 'import', file, '--json']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.json.data).toMatchObject({ created: ROWS - applied, unchanged: applied });
    expect((await cli(['--db', path, 'products', 'list', '--limit', '1'])).stderr).not.toContain('stopped after');
  }, 60_000);

  it('through the CLI, a write refused after some batches: exit 5 and the count in the message', async () => {
    const app = await makeStore(dir, {}, 'refused.db');
    const path = app.path;
    app.close();
    const file = join(dir, 'medium.csv');
    await writeCatalogCsv(file, 12_000, 11);
    // the database refuses the 5,001st product (a fault injected in this test database only):
    // the first batch (at most 4,000 rows) lands, a later one fails
    const d = new Database(path);
    d.exec("CREATE TRIGGER refuse_more BEFORE INSERT ON products WHEN (SELECT count(*) FROM products) >= 5000 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    d.close();
    const r = await cli(['--db', path, 'products', 'import', file, '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('import.stopped');
    const applied = r.json.error.details.applied as number;
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThanOrEqual(5000);
    expect(count(path, 'SELECT count(*) FROM products')).toBe(applied);
    expect(r.json.error.message).toContain(`stopped after ${applied} of 12000 rows`);
    expect(lastRun(path, file)).toMatchObject({ state: 'failed', applied });
  });
});
