/**
 * The cashier terminal with a receipt printer (the printer simulator, a real TCP server on
 * 127.0.0.1) and a drawer hanging from it, driven by keys in tmux: the status bar follows the
 * printer; a cash sale prints and kicks the drawer; with the printer down the sale is still
 * committed and the screen says so; once the printer is back Ctrl+P (Enter: the last receipt)
 * prints the original it still owes, and a second Ctrl+P a marked copy; F7 on the
 * shift screen opens the drawer without a sale, with a reason, recorded. A serial scanner and a
 * customer display (simulators on socat pseudo-terminals) work with it: a scan sells, the
 * display shows the item and the total.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, freePort, tempDir, until as waitFor } from '../helpers.js';
import { posLogin, startPos, type Tmux } from '../tmux.js';

const dir = tempDir('tpv-pos-printer-');
const DB = join(dir, 'till.db');
let term: Tmux | undefined;
let printer: ChildProcessWithoutNullStreams | undefined;
let port = 0;
let jobs: { job: number; text: string; events: { type: string }[]; file: string }[] = [];
/** The scanner and display simulators: their stdin types scans, their stdout shows the display. */
const sims: ChildProcessWithoutNullStreams[] = [];
let shown = '';

function simulate(kind: 'scanner' | 'display', link: string): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, 'devices', 'simulate', kind, '--link', link, '--json']);
  if (kind === 'display') child.stdout.on('data', (d: Buffer) => (shown += d.toString()));
  sims.push(child);
  return child;
}

/** Starts the printer simulator and collects its jobs (one JSON line each). */
async function startPrinter(): Promise<void> {
  jobs = [];
  const child = spawn(process.execPath, [BIN, 'devices', 'simulate', 'printer', '--listen', `127.0.0.1:${port}`, '--save', join(dir, 'jobs'), '--json']);
  printer = child;
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    jobs = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await until(() => err.includes('listening'), 'the printer simulator');
}

function stopPrinter(): Promise<void> {
  const child = printer;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

/** Polls until `pick` gives something; a failure shows the terminal's screen. */
const until = <T>(pick: () => T | null | undefined | false, what: string, ms = 15_000): Promise<T> => waitFor(pick, what, ms, () => term?.screen() ?? '');

beforeAll(async () => {
  port = await freePort();
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana'], { input: '2468\n' })).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'sup', '--name', 'Sara', '--role', 'supervisor'], { input: '1357\n' })).code).toBe(0);
  expect((await cli(['--db', DB, 'shift', 'open', '--float', '100'])).code).toBe(0);
  expect((await cli(['--db', DB, 'devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--profile', 'epson-tm-t20iii'])).code).toBe(0);
  expect((await cli(['--db', DB, 'devices', 'add', 'drawer', '--printer', 'printer'])).code).toBe(0);
  simulate('scanner', join(dir, 'scanner'));
  simulate('display', join(dir, 'display'));
  await until(() => existsSync(join(dir, 'scanner')) && existsSync(join(dir, 'display')), 'the pseudo-terminals');
  expect((await cli(['--db', DB, 'devices', 'add', 'scanner', '--url', `serial:${join(dir, 'scanner')}`])).code).toBe(0);
  expect((await cli(['--db', DB, 'devices', 'add', 'display', '--url', `serial:${join(dir, 'display')}`, '--welcome', 'Bienvenidos'])).code).toBe(0);
  await startPrinter();
});
afterAll(async () => {
  term?.kill();
  for (const c of sims) c.kill();
  await stopPrinter();
});

describe('the terminal with a printer', () => {
  it('prints and kicks the drawer; a sale with the printer down is kept, and Ctrl+P prints its original once the printer is back, then copies', async () => {
    term = startPos(BIN, DB);
    await posLogin(term, 'ana', '2468');
    await term.waitFor('printer online');

    // a cash sale: the receipt prints, the drawer opens first
    term.type('LAC-001', 'Enter');
    await term.waitFor(/TOTAL\s+€0\.99/);
    term.type('', 'F12');
    term.type('5', 'F2');
    await term.waitFor('CHANGE');
    term.type('', 'Enter');
    await term.waitFor('Sold T01-000001');
    const sale = await until(() => jobs.find((j) => j.text.includes('T01-000001')), 'the receipt on paper');
    expect(sale.events.filter((e) => e.type !== 'statusRequest')[0]).toMatchObject({ type: 'drawer' });
    expect(sale.text).toContain('Leche entera');

    // the printer goes away: the next sale is committed all the same, and the screen says why
    await stopPrinter();
    term.type('LAC-001', 'Enter');
    await term.waitFor(/TOTAL\s+€0\.99/);
    term.type('', 'F12');
    term.type('', 'F3');
    await term.waitFor('confirm the sale');
    term.type('', 'Enter');
    await term.waitFor('Sold T01-000002');
    await term.waitFor('T01-000002 not printed');
    await term.waitFor('printer unreachable');
    const db = new Database(DB, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM documents WHERE number = 'T01-000002'").pluck().get()).toBe(1);
    db.close();

    // back again: Ctrl+P asks which document, Enter alone is the last receipt. Nothing of it went
    // out while the printer was down, so what prints now is the original it is owed, not a copy
    await startPrinter();
    term.type('', 'C-p');
    await term.waitFor('Reprint: receipt number or scan it (Enter: the last one)');
    term.type('', 'Enter');
    const original = await until(() => jobs.find((j) => j.text.includes('T01-000002')), 'the owed original on paper');
    expect(original.text).toContain('Leche entera');
    expect(original.text).not.toContain('COPIA');
    expect(original.events.some((e) => e.type === 'drawer')).toBe(false);
    // the receipt stays on screen: Ctrl+P there prints it again, and now it is a copy
    await term.waitFor(/T01-000002 sent to the printer/);
    term.type('', 'C-p');
    const copy = await until(() => jobs.filter((j) => j.text.includes('T01-000002'))[1], 'the copy on paper');
    expect(copy.text).toContain('*** COPIA ***');
    expect(copy.events.some((e) => e.type === 'drawer')).toBe(false);
    await term.waitFor('printer online', 40_000);
  });

  it('F7 on the shift screen opens the drawer without a sale: a reason, a supervisor, recorded', async () => {
    term!.type('', 'Escape');
    term!.type('', 'F10');
    await term!.waitFor('Open drawer');
    term!.type('', 'F7');
    await term!.waitFor('Reason to open the drawer');
    term!.type('change for the bank', 'Enter');
    await term!.waitFor('Supervisor code:');
    term!.type('sup', 'Enter');
    await term!.waitFor('PIN of sup:');
    term!.type('1357', 'Enter');
    await term!.waitFor('Drawer opened');
    const kick = await until(() => jobs.find((j) => j.events.length === 1 && j.events[0]!.type === 'drawer'), 'the kick');
    expect([...readFileSync(kick.file)]).toEqual([0x1b, 0x70, 0x00, 0x32, 0xfa]);
    const db = new Database(DB, { readonly: true });
    const row = db.prepare("SELECT detail FROM audit_log WHERE action = 'no_sale'").pluck().get() as string;
    expect(JSON.parse(row)).toMatchObject({ reason: 'change for the bank', drawer: 'drawer', approval: { by: 'sup' } });
    expect(db.prepare("SELECT count(*) FROM outbox WHERE type = 'no_sale'").pluck().get()).toBe(1);
    db.close();
  });

  it('a serial scanner sells like the keyboard; the customer display shows the item and the total', async () => {
    term!.type('', 'Escape');
    await term!.waitFor('F12 Pay');
    // what the display shows now (earlier sales showed the same item: wait for the screen, not the log)
    const screen = (): [string, string] => (shown.trim() ? (JSON.parse(shown.trim().split('\n').at(-1)!) as { lines: [string, string] }).lines : ['', '']);
    await until(() => screen()[0].includes('Bienvenidos'), 'the welcome on the display');
    sims[0]!.stdin.write('LAC-001\n');
    await term!.waitFor(/1 Leche entera/);
    await until(() => screen()[0].startsWith('Leche entera') && screen()[1].startsWith('TOTAL'), 'the item on the display');
    const last = { lines: screen() };
    expect(last.lines[0]).toMatch(/^Leche entera.* €?0[.,]99 ?€?$/);
    expect(last.lines[1]).toMatch(/^TOTAL +€0\.99$/);
    // quitting lets go of the scanner and the display: the program ends
    term!.type('', 'C-c');
    await term!.waitFor('Leave tpv?');
    term!.type('y');
    await term!.waitFor('[exit 0]');
  });
});
