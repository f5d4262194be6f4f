/**
 * While a large import runs in another process, a till on the same database can still commit:
 * the import writes in short transactions that release the write lock between them.
 *
 * Whether the till's write lands while the import is still writing is up to the scheduler: on a
 * busy machine the import may be done before the till gets its turn. Then the whole thing is
 * done again on a new database (up to ATTEMPTS times), every attempt checked in full.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCatalogCsv } from '../../bench/generate.js';
import { connect, immediate } from '../../src/db/connection.js';
import { BIN, makeStore, tempDir, TEST_ADMIN } from '../helpers.js';

const dir = tempDir();
const ROWS = 100_000;
const ATTEMPTS = 3;

/** What the till saw when it committed: was the import still going, and how many rows it had written. */
interface Overlap {
  importRunning: boolean;
  seen: number;
}

/** One attempt on a new database: the import in its own process, the till's write as soon as the first rows are in. */
async function importBesideTill(file: string, attempt: number): Promise<Overlap> {
  const app = await makeStore(dir, {}, `busy-${attempt}.db`);
  const path = app.path;
  app.close();

  const child = spawn(process.execPath, [BIN, '--db', path, 'products', 'import', file, '--json'], {
    env: { ...process.env, TPV_PIN: TEST_ADMIN.pin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let done = false;
  void exited.then(() => (done = true));

  const till = connect(path);
  try {
    const count = till.prepare('SELECT count(*) FROM products').pluck();
    // wait until the import has committed its first batches
    while (!done && (count.get() as number) === 0) await new Promise((r) => setTimeout(r, 2));
    // a till's write, the way tpv writes: it takes the write lock between two import batches
    const importRunning = !done;
    const seen = immediate(till, () => {
      till.prepare("INSERT INTO settings (key, value) VALUES ('store.name', '\"Till was here\"') ON CONFLICT(key) DO UPDATE SET value = excluded.value").run();
      return count.get() as number;
    });

    const code = await exited;
    expect(stderr).not.toMatch(/^tpv:/m); // progress lines may come, errors may not
    expect(code).toBe(0);
    expect(JSON.parse(stdout).data.created).toBe(ROWS);
    expect(count.get()).toBe(ROWS);
    expect(till.prepare("SELECT value FROM settings WHERE key = 'store.name'").pluck().get()).toBe('"Till was here"');
    return { importRunning, seen };
  } finally {
    till.close();
  }
}

describe('import next to a till', () => {
  it('a till commits in the middle of a 100k-row import, which still completes', async () => {
    const file = join(dir, 'big.csv');
    await writeCatalogCsv(file, ROWS);
    const tries: Overlap[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const o = await importBesideTill(file, attempt);
      tries.push(o);
      if (o.importRunning && o.seen > 0 && o.seen < ROWS) break;
    }
    // the precondition: the till really committed while the import was part-way
    const last = tries.at(-1)!;
    expect(last.importRunning, JSON.stringify(tries)).toBe(true);
    expect(last.seen).toBeGreaterThan(0);
    expect(last.seen).toBeLessThan(ROWS);
  });
});
