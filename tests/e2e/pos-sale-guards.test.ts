/**
 * The sale screen's guards and conveniences in a real terminal (tmux, 80×24, the built tpv): a
 * barcode scanned into the quantity prompt, a scale label with `2*`, a burst with an unknown code in
 * the middle, a price check, voiding the whole ticket, a reprint by number after a restart (that
 * restart is `tpv --db PATH` alone, which opens the till), and the store's quick items. Keys only;
 * the database is checked afterwards (read-only, or through the CLI in-process).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, tempDir } from '../helpers.js';
import { posLogin, posQuit, startPos, Tmux } from '../tmux.js';

const dir = tempDir();
const DB = join(dir, 'guards.db');
const run = (...args: string[]) => cli(['--db', DB, ...args, '--json']);
let term: Tmux | undefined;
afterEach(() => term?.kill());

/** A weight label of the scale: Plátano de Canarias (FRU-001), 1.234 kg. */
const LABEL = '2500101012349';

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana'], { input: '2468\n' })).code).toBe(0);
  expect((await cli(['--db', DB, 'shift', 'open', '--float', '100'])).code).toBe(0);
});

describe('guards and conveniences at the till, keys only', () => {
  it('refuses a barcode as a quantity and a multiplied scale label, keeps a failed scan, checks a price, voids, reprints after a restart', async () => {
    term = startPos(BIN, DB);
    await posLogin(term, 'ana', '2468');
    await term.waitFor(/F12 Pay .*F10 Shift/);

    // a barcode scanned into the quantity prompt: refused there, marked in the cart, the line unchanged
    term.type('LAC-001', 'Enter');
    await term.waitFor(/>\s+1 Leche entera 1 L/);
    term.type('', 'F4');
    await term.waitFor('Quantity of Leche entera 1 L:');
    term.type('8490300000015', 'Enter');
    await term.waitFor('looks like a barcode, not a quantity');
    await term.waitFor('✗ 8490300000015  scanned into a quantity: not sold');
    term.type('', 'Escape');
    await term.waitFor(/^> █/m);
    expect(term.screen()).toMatch(/>\s+1 Leche entera 1 L\s+€0\.99\s+€0\.99/);

    // a scale label is never multiplied
    term.type(`2*${LABEL}`, 'Enter');
    await term.waitFor(`${LABEL} is a scale label`);
    await term.waitFor(`✗ 2*${LABEL}  a scale label is not multiplied: not sold`);
    term.type('', 'Escape');
    await term.waitFor('2 failed scan(s) cleared');
    expect(term.screen()).not.toContain('✗');

    // a burst at scanner speed with an unknown code in the middle: the next good scan does not hide it
    execFileSync('tmux', ['send-keys', '-t', term.session, '8490300000015', 'Enter', '9999999999999', 'Enter', 'LAC-001', 'Enter']);
    await term.waitFor(/TOTAL\s+€2\.97/);
    const burst = await term.waitFor('✗ 9999999999999  not found');
    expect(burst).toMatch(/^Esc Seen {2}F12 Pay/m);
    // it must be seen before the customer pays
    term.type('', 'F12');
    await term.waitFor('1 scan(s) sold nothing (marked ✗)');
    term.type('', 'Escape');
    await term.waitFor('1 failed scan(s) cleared');

    // a price check sells nothing
    term.type('', 'C-k');
    await term.waitFor('Price check:');
    term.type('beb-020', 'Enter');
    await term.waitFor(/Vino tinto Rioja crianza 75 cl: €6\.95 · stock \d+/);
    term.type('', 'Escape');
    await term.waitFor(/^> █/m);
    expect(term.screen()).toMatch(/TOTAL\s+€2\.97/);

    // the whole ticket voided in one key (asked first)
    term.type('', 'C-n');
    await term.waitFor('Void the whole ticket (3 lines, €2.97)? (y/n)');
    term.type('y');
    await term.waitFor('Ticket voided (3 lines, €2.97); recorded');
    await term.waitFor(/TOTAL\s+€0\.00/);

    // a sale, then the till is quit and opened again with `tpv --db PATH` alone
    term.type('PAN-001', 'Enter');
    term.type('', 'F12', 'F2');
    await term.waitFor('CHANGE');
    term.type('', 'Enter');
    await term.waitFor('Sold T01-000001');
    await posQuit(term);
    term.kill();

    term = Tmux.start(`${process.execPath} ${BIN} --db ${DB}`, { env: { TPV_LANG: 'en', TERM: 'screen' } });
    await posLogin(term, 'ana', '2468');
    await term.waitFor(/F12 Pay/);
    term.type('', 'C-p');
    await term.waitFor('Reprint: receipt number or scan it (Enter: the last one):');
    term.type('T01-000001', 'Enter');
    const copy = await term.waitFor('Copy of T01-000001 sent to the printer');
    expect(copy).toMatch(/COPY|COPIA/);
    expect(copy).toContain('Barra de pan 250 g');
    term.type('', 'Escape');
    await posQuit(term);

    // the void is in the audit log, with every line; nothing of it was sold
    const db = new Database(DB, { readonly: true });
    try {
      const voided = db.prepare("SELECT detail FROM audit_log WHERE action = 'cart_voided'").pluck().all() as string[];
      expect(voided.map((d) => JSON.parse(d) as { total: string; lines: { sku: string }[] })).toEqual([
        expect.objectContaining({ total: '2.97', lines: ['LAC-001', 'LAC-001', 'LAC-001'].map((sku) => ({ sku, qty: '1', amount: '0.99' })) }),
      ]);
    } finally {
      db.close();
    }
    const sold = (await run('receipts', 'show', 'T01-000001')).json.data;
    expect(sold.lines.map((l: { sku: string }) => l.sku)).toEqual(['PAN-001']);
  });

  it("the store's quick items: a number sells one, a quantity typed first sells that many", async () => {
    expect((await run('config', 'set', 'tui.quick_items', 'PAN-001,PAN-004')).code).toBe(0);
    term = startPos(BIN, DB);
    await posLogin(term, 'ana', '2468');
    await term.waitFor(/F12 Pay/);
    term.type('', 'C-e');
    await term.waitFor('Quick items: press its number');
    expect(term.screen()).toMatch(/1 {2}Barra de pan 250 g\s+€0\.65/);
    term.type('1');
    await term.waitFor(/>\s+1 Barra de pan 250 g/);
    term.type('3', 'C-e');
    await term.waitFor('quantity 3');
    term.type('2');
    await term.waitFor(/>\s+3 Pan de pueblo 500 g\s+€1\.90\s+€5\.70/);
    await term.waitFor(/TOTAL\s+€6\.35/);
    term.type('', 'C-n');
    term.type('y');
    await term.waitFor('Ticket voided');
    await posQuit(term);
  });
});
