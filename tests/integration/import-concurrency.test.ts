/**
 * While a large import runs in another process, a till on the same database can still commit:
 * the import writes in short transactions that release the write lock between them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCatalogCsv } from '../../bench/generate.js';
import { connect, immediate } from '../../src/db/connection.js';
import { BIN, makeStore, tempDir } from '../helpers.js';

const dir = tempDir();
const ROWS = 100_000;

describe('import next to a till', () => {
  it('a till commits in the middle of a 100k-row import, which still completes', async () => {
    const app = await makeStore(dir, {}, 'busy.db');
    const path = app.path;
    app.close();
    const file = join(dir, 'big.csv');
    await writeCatalogCsv(file, ROWS);

    const child = spawn(process.execPath, [BIN, '--db', path, 'products', 'import', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));

    const till = connect(path);
    const count = till.prepare('SELECT count(*) FROM products').pluck();
    // wait until the import has committed its first batches
    while (!done && (count.get() as number) === 0) await new Promise((r) => setTimeout(r, 2));
    // a till's write, the way tpv writes: it takes the write lock between two import batches
    const seen = immediate(till, () => {
      till.prepare("INSERT INTO settings (key, value) VALUES ('store.name', '\"Till was here\"') ON CONFLICT(key) DO UPDATE SET value = excluded.value").run();
      return count.get() as number;
    });
    expect(done).toBe(false);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(ROWS);

    const code = await exited;
    expect(stderr).not.toMatch(/^tpv:/m); // progress lines may come, errors may not
    expect(code).toBe(0);
    expect(JSON.parse(stdout).data.created).toBe(ROWS);
    expect(count.get()).toBe(ROWS);
    expect(till.prepare("SELECT value FROM settings WHERE key = 'store.name'").pluck().get()).toBe('"Till was here"');
    till.close();
  });
});
