/**
 * A whole trading day on the cashier terminal, driven by keys only in a real terminal (tmux):
 * open the shift, a sale with a weighed item, a line discount approved by a supervisor and a
 * split payment, a refund to store credit, that credit spent, a held and recalled cart, 50 scans
 * at scanner speed, a kill and a restart on the same cart, the shift closed with its count (the
 * guided close: a supervisor approves, the drawer counted note by note, F12 and a last yes) —
 * then the database is checked through the CLI (in-process: only the terminal needs its process).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, tempDir } from '../helpers.js';
import { posLogin, startPos, type Tmux } from '../tmux.js';

const dir = tempDir();
const DB = join(dir, 'day.db');
const run = (...args: string[]) => cli(['--db', DB, ...args, '--json']);
let term: Tmux | undefined;
afterEach(() => term?.kill());

const start = (): Tmux => startPos(BIN, DB);
const login = posLogin;

/** Answers a supervisor approval in place. */
async function approve(t: Tmux): Promise<void> {
  await t.waitFor('Supervisor code:');
  t.type('sup', 'Enter');
  await t.waitFor('PIN of sup:');
  t.type('1357', 'Enter');
}

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana'], { input: '2468\n' })).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'sup', '--name', 'Sara', '--role', 'supervisor'], { input: '1357\n' })).code).toBe(0);
});

describe('a day at the till, keys only', () => {
  it('sells, refunds to credit, spends it, holds and recalls, survives a kill, closes the shift', async () => {
    term = start();
    await login(term, 'ana', '2468');
    // no shift yet: the float is asked first
    await term.waitFor('Opening float');
    term.type('100', 'Enter');
    await term.waitFor('Shift open');

    // a weighed item (asks the weight), two of another, 50% off that line (over the 10% limit)
    term.type('FRU-001', 'Enter');
    await term.waitFor('Weight of Plátano de Canarias');
    term.type('0.750', 'Enter');
    term.type('2*LAC-001', 'Enter');
    await term.waitFor(/>\s+2 Leche entera/);
    term.type('', 'F5');
    await term.waitFor('Discount on Leche entera');
    term.type('50%', 'Enter');
    await approve(term);
    await term.waitFor(/TOTAL\s+€2\.86/);
    // split: 2.00 by card, the rest in exact cash
    term.type('', 'F12');
    await term.waitFor('Due');
    term.type('2', 'F3');
    await term.waitFor(/Due\s+€0\.86/);
    term.type('', 'F6');
    await term.waitFor('CHANGE');
    term.type('', 'Enter');
    await term.waitFor('Sold T01-000001');

    // the customer brings the milk back: refund to store credit (a supervisor approves refunds)
    term.type('', 'F9');
    await term.waitFor('Receipt number');
    term.type('T01-000001', 'Enter');
    await term.waitFor('Return of T01-000001');
    term.type('', 'Down', 'Enter');
    await term.waitFor(/Leche entera.*→ 2/);
    term.type('', 'F4');
    await approve(term);
    const refunded = await term.waitFor(/store credit ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}) for €0\.99/);
    const code = /store credit ([0-9A-Z-]{19}) for/.exec(refunded)![1]!;
    term.type('', 'Escape');

    // that credit pays the next sale
    term.type('LAC-001', 'Enter');
    await term.waitFor(/TOTAL\s+€0\.99/);
    term.type('', 'F12');
    term.type('', 'F4');
    await term.waitFor('Store credit code:');
    term.type(code, 'Enter');
    await term.waitFor('CHANGE');
    term.type('', 'F12');
    await term.waitFor('Sold T01-000002');

    // a cart held while another customer pays, then recalled and paid in cash
    term.type('LAC-001', 'Enter');
    term.type('', 'F8');
    await term.waitFor('a name for it');
    term.type('Maria', 'Enter');
    await term.waitFor('Cart held');
    term.type('', 'F8');
    await term.waitFor(/> #\d+ Maria/);
    term.type('', 'Enter');
    await term.waitFor('Cart recalled');
    term.type('', 'F12', 'F2');
    await term.waitFor('CHANGE');
    term.type('', 'Enter');
    await term.waitFor('Sold T01-000003');

    // 50 scans at keyboard-wedge speed, then the process is killed mid-cart
    const burst: string[] = [];
    for (let i = 0; i < 50; i++) burst.push('8490300000015', 'Enter');
    execFileSync('tmux', ['send-keys', '-t', term.session, ...burst]);
    await term.waitFor(/TOTAL\s+€49\.50/);
    const pid = execFileSync('pgrep', ['-f', `^${process.execPath} ${BIN} --db ${DB} pos`]).toString().trim();
    process.kill(Number(pid), 'SIGKILL');
    await term.waitFor('[exit');
    term.kill();

    // back on the same cart after a restart
    term = start();
    await login(term, 'ana', '2468');
    await term.waitFor(/your cart is back[\s\S]*|TOTAL\s+€49\.50/);
    await term.waitFor(/TOTAL\s+€49\.50/);
    term.type('', 'F12', 'F2');
    await term.waitFor('CHANGE');
    term.type('', 'Enter');
    await term.waitFor('Sold T01-000004');

    // close: a cashier asks a supervisor first; no cart is pending, so the count table comes next:
    // the drawer (100 float + 0.86 + 0.99 + 49.50 cash) counted by note and coin, F12, a last yes, Z on screen
    term.type('', 'F10');
    await term.waitFor('Close shift');
    term.type('', 'F6');
    await approve(term);
    await term.waitFor('Closing the shift: counting the drawer');
    await term.waitFor(/Expected €151\.35\s+Counted €0\.00\s+Shortage -€151\.35/);
    term.type('50x3;1x1;0.20x1;0.05x3', 'Enter');
    await term.waitFor(/Expected €151\.35\s+Counted €151\.35\s+Even €0\.00/);
    term.type('', 'F12');
    await term.waitFor('Close? Counted €151.35, expected €151.35: even €0.00 (y/n)');
    term.type('y', 'Enter');
    const z = await term.waitFor('Shift closed: T01Z-0001');
    expect(z).toContain('Z report');
    term.type('', 'Escape', 'C-c');
    await term.waitFor('Leave tpv?');
    term.type('y');
    await term.waitFor('[exit 0]');

    // the database tells the same day
    const first = (await run('receipts', 'show', 'T01-000001')).json.data;
    expect(first.total).toBe('2.86');
    expect(first.payments).toEqual([{ method: 'card', amount: '2.00' }, { method: 'cash', amount: '0.86' }]);
    expect(first.approvals[0]).toMatchObject({ action: 'discount_over_limit', by: 'sup' });
    expect(first.lines.map((l: { qty: string }) => l.qty)).toEqual(['0.75', '2']);
    expect((await run('receipts', 'show', 'T01-000002')).json.data.payments[0]).toMatchObject({ method: 'store_credit', amount: '0.99' });
    expect((await run('credit', 'show', code)).json.data.balance).toBe('0.00');
    expect((await run('receipts', 'show', 'T01-000004')).json.data.lines).toHaveLength(50);
    const report = (await run('shift', 'report')).json.data;
    expect(report.receipts.count).toBe(4);
    expect(report.refunds).toEqual({ count: 1, total: '0.99' });
    expect(report.cash).toMatchObject({ float: '100.00', expected: '151.35', counted: '151.35', difference: '0.00' });
    // the count as typed in the table, note by note and coin by coin
    expect(report.count).toEqual([
      { value: '50.00', qty: 3, amount: '150.00' },
      { value: '1.00', qty: 1, amount: '1.00' },
      { value: '0.20', qty: 1, amount: '0.20' },
      { value: '0.05', qty: 3, amount: '0.15' },
    ]);
    expect((await run('audit', 'verify')).code).toBe(0);
  });
});
