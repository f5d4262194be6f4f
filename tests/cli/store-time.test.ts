/**
 * Issue 15: what the CLI shows of stored instants is in the store's zone and language, like its
 * receipts: `stock show` and `credit show` printed UTC ("2026-12-03 23:42") and the kinds of move
 * in English ("opening", "issue") in Spanish output.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('tpv-store-time-');
const DB = join(dir, 'shop.db');
const es = { env: { TPV_LANG: 'es', TPV_PIN: '1234' } };
const run = (args: string[]) => cli(['--db', DB, ...args], es);

/** "04/12/2026 00:42": a stored UTC instant on the store's (Madrid) wall clock. */
const madrid = (iso: string): string => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Madrid', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
};

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
});

describe('stored instants in the store zone and language', () => {
  it('stock show: the moves at Madrid time, their kind in Spanish', async () => {
    const r = await run(['stock', 'show', 'LAC-001']);
    expect(r.code, r.stderr).toBe(0);
    const db = new Database(DB, { readonly: true });
    const at = db.prepare("SELECT m.created_at FROM stock_moves m JOIN products p ON p.id = m.product_id WHERE p.sku = 'LAC-001' ORDER BY m.id DESC").pluck().get() as string;
    db.close();
    expect(r.stdout).toContain(`${madrid(at)}     23  inicial`);
    expect(r.stdout).not.toMatch(/opening|\d{4}-\d{2}-\d{2}/);
  });

  it('credit show: its moves at Madrid time, named in Spanish', async () => {
    const issued = await run(['credit', 'issue', '5', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    const code = issued.json.data.code as string;
    const shown = await run(['credit', 'show', code, '--json']);
    const at = shown.json.data.events[0].at as string;
    const r = await run(['credit', 'show', code]);
    expect(r.stdout).toMatch(new RegExp(`emitido +5,00 +${madrid(at)}`));
    expect(r.stdout).not.toMatch(/\bissue\b/);
  });
});
