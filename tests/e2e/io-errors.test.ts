/**
 * End-to-end: the built tpv writing to a stdout that fails — a full disk (/dev/full), a reader that
 * went away (`| head -1`) — stops writing, says so in one line on stderr and exits 5: never Node's
 * "Unhandled 'error' event", never exit 1. A sale committed before its output failed says so, and
 * its id makes the retry safe. The rest of the I/O errors are tested in-process (tests/cli/io-errors).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import { importProducts } from '../../src/app/import.js';
import { BIN, makeShopWithCatalog, TEST_ADMIN, tempDir, tpv } from '../helpers.js';

const dir = tempDir('tpv-e2e-io-');
const DB = join(dir, 'shop.db');
const ENV = { ...process.env, TPV_LANG: 'en', NO_COLOR: '1', TPV_PIN: TEST_ADMIN.pin };
const SALE = { lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'cash', amount: '5.00' }] };
const hasDevFull = existsSync('/dev/full');

/** What a stack trace or Node's crash looks like on stderr. */
const CRASH = /\n\s+at |Unhandled|node:events|internal error/;

/** The built tpv with its stdout on /dev/full (a disk with no space left); stdin `input`. */
function toDevFull(args: string[], input = ''): Promise<{ code: number; stderr: string }> {
  const full = openSync('/dev/full', 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['pipe', full, 'pipe'] });
    closeSync(full);
    const err: Buffer[] = [];
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin!.end(input);
  });
}

/** The built tpv piped into a reader that goes away after the first chunk (`tpv … | head -1`). */
function intoClosedPipe(args: string[]): Promise<{ code: number; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    let got = 0;
    child.stdout.once('data', (d: Buffer) => {
      got = d.length;
      child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr: Buffer.concat(err).toString('utf8'), got }));
  });
}

async function receipts(): Promise<number> {
  const r = await tpv(['--db', DB, 'receipts', 'list', '--limit', '1000', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return r.json.data.length;
}

beforeAll(async () => {
  const app = await makeShopWithCatalog(dir, 'shop.db', () => new Date());
  // a catalog far bigger than a pipe's buffer: the reader is gone long before the export ends
  const rows = ['sku,name,price,tax_rate', ...Array.from({ length: 5_000 }, (_, i) => `GEN-${String(i).padStart(5, '0')},Producto de prueba número ${i},1.00,21`)];
  await importProducts(app, actingUser(app.db), Readable.from([Buffer.from(rows.join('\n') + '\n')]), null);
  app.close();
  expect((await tpv(['--db', DB, 'shift', 'open', '--float', '0'])).code).toBe(0);
}, 60_000);

describe('stdout that fails', () => {
  it.skipIf(!hasDevFull)('receipts list --json >/dev/full: exit 5, one line on stderr, no crash', async () => {
    const r = await toDevFull(['--db', DB, 'receipts', 'list', '--json']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toBe('tpv: the output could not be written: no space left on the device of stdout\n');
  });

  it('products export - | head -1: exit 5 saying the pipe was closed, no crash', async () => {
    const r = await intoClosedPipe(['--db', DB, 'products', 'export', '-']);
    expect(r.got).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toBe('tpv: the output could not be written: stdout was closed before tpv finished writing (broken pipe)\n');
    expect(r.stderr).not.toMatch(CRASH);
  });

  it.skipIf(!hasDevFull)('an export to /dev/full: exit 5, one JSON document naming it', async () => {
    const r = await tpv(['--db', DB, 'products', 'export', '/dev/full', '--json']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'io.full', details: { path: '/dev/full' } } });
    expect(r.stderr).not.toMatch(CRASH);
  });

  it.skipIf(!hasDevFull)('sale --json >/dev/full: the sale is committed once and named on stderr, exit 5; a retry with the same id sells nothing more', async () => {
    const before = await receipts();
    const body = JSON.stringify({ ...SALE, id: 'e2e-full-1' });
    const r = await toDevFull(['--db', DB, 'sale', '--json'], body);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/^tpv: sale T01-\d{6} committed; its output could not be written: no space left on the device of stdout\n$/);
    const number = /sale (T01-\d{6})/.exec(r.stderr)![1];
    expect(await receipts()).toBe(before + 1);
    const retry = await tpv(['--db', DB, 'sale', '--json'], { input: body });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.json.data).toMatchObject({ duplicate: true, receipt: { number } });
    expect(await receipts()).toBe(before + 1);
  });
});
