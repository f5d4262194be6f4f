/**
 * The cashier terminal (`tpv pos` in tmux) holding a serial scanner and a customer display, both
 * socat pseudo-terminals made with `wait-slave` (socat does not hold the port itself, as a real
 * serial port is held by nobody but its user): `tpv doctor` and `tpv devices list` say the ports
 * are in use by this store's till, not "held by process N, kill N"; the scanner unplugged and
 * plugged back is told once each way and scans again; the display unplugged and plugged back shows
 * the till's last screen again by itself.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisplayScreen } from '../../src/devices/display.js';
import { portStatus } from '../../src/devices/ports.js';
import { BIN, cli, tempDir, tpv, until as waitFor } from '../helpers.js';
import { posLogin, startPos, type Tmux } from '../tmux.js';

const dir = tempDir('tpv-devices-till-');
const DB = join(dir, 'till.db');
const SCANNER = join(dir, 'scanner');
const DISPLAY = join(dir, 'display');
let term: Tmux | undefined;
const children: ChildProcessWithoutNullStreams[] = [];

/** Polls until `pick` gives something; a failure shows the terminal's screen. */
const until = <T>(pick: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, ms = 20_000): Promise<T> =>
  waitFor(pick, what, ms, () => term?.screen() ?? '');

/** A pty at `link` that socat does not hold open (`wait-slave`); its other side is our stdin/stdout. */
async function device(link: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn('socat', ['-d', '-d', `pty,rawer,link=${link},wait-slave`, 'STDIO']);
  child.stderr.resume();
  children.push(child);
  await until(() => existsSync(link), `the pty ${link}`);
  return child;
}

function unplug(child: ChildProcessWithoutNullStreams, link: string): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => void until(() => !existsSync(link), 'the link gone').then(() => resolve()));
    child.kill();
  });
}

/** What a display on `child` shows, fed from its stdout. */
function screenOf(child: ChildProcessWithoutNullStreams): DisplayScreen {
  const screen = new DisplayScreen('epson');
  child.stdout.on('data', (d: Buffer) => screen.feed(new Uint8Array(d)));
  return screen;
}

let scanner: ChildProcessWithoutNullStreams;
let display: ChildProcessWithoutNullStreams;

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
  expect((await cli(['--db', DB, 'users', 'add', 'ana', '--name', 'Ana'], { input: '2468\n' })).code).toBe(0);
  expect((await cli(['--db', DB, 'shift', 'open', '--float', '100'])).code).toBe(0);
  scanner = await device(SCANNER);
  display = await device(DISPLAY);
  expect((await cli(['--db', DB, 'devices', 'add', 'scanner', '--url', `serial:${SCANNER}`])).code).toBe(0);
  expect((await cli(['--db', DB, 'devices', 'add', 'display', '--url', `serial:${DISPLAY}`, '--welcome', 'Bienvenidos'])).code).toBe(0);
});
afterAll(() => {
  term?.kill();
  for (const c of children) c.kill();
});

describe('the till holding its scanner and display', () => {
  it('doctor and devices list say the ports are in use by this store’s till, not "kill N"', async () => {
    const screen = screenOf(display);
    term = startPos(BIN, DB);
    await posLogin(term, 'ana', '2468');
    await term.waitFor('F12 Pay');
    await until(() => screen.lines[0].includes('Bienvenidos'), 'the welcome on the display');
    // both ports are held by the till and by nobody else (a steady state, not a sleep)
    const holders = await until(async () => {
      const [s, d] = await Promise.all([portStatus(SCANNER), portStatus(DISPLAY)]);
      return s.holders.length === 1 && d.holders.length === 1 && s.holders[0]!.pid === d.holders[0]!.pid && s.holders;
    }, 'the till holding both ports');
    const pid = holders[0]!.pid;

    const doctor = await tpv(['--db', DB, 'doctor', '--json']);
    const checks = (doctor.json.data ?? doctor.json.error.details).checks as { id: string; status: string; message: string; fix: string | null }[];
    for (const id of ['device.scanner', 'device.display']) {
      expect(checks.find((c) => c.id === id), id).toMatchObject({ status: 'ok', message: expect.stringContaining(`in use by this store's till (process ${pid})`), fix: null });
    }
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(doctor.code).toBe(0);

    const list = await tpv(['--db', DB, 'devices', 'list', '--json']);
    const devices = list.json.data.devices as { kind: string; status: { status: string; message: string } }[];
    for (const kind of ['scanner', 'display']) expect(devices.find((d) => d.kind === kind)!.status).toMatchObject({ status: 'ok', message: expect.stringContaining('till') });
  });

  it('the scanner unplugged is told, plugged back is told, and sells again', async () => {
    scanner.stdin.write('LAC-001\n');
    await term!.waitFor(/1 Leche entera/);
    await unplug(scanner, SCANNER);
    await term!.waitFor('Scanner "scanner" lost');
    scanner = await device(SCANNER);
    await term!.waitFor('"scanner" works again');
    scanner.stdin.write('LAC-001\n');
    await term!.waitFor('2 items');
  });

  it('the display unplugged while selling shows the last screen again once it is back', async () => {
    await unplug(display, DISPLAY);
    // a sale goes on while the display is away: the keyboard adds a line, the total changes
    term!.type('PAN-001', 'Enter');
    await term!.waitFor(/Barra de pan/);
    display = await device(DISPLAY);
    const screen = screenOf(display);
    await until(() => screen.lines[0].startsWith('Barra de pan') && screen.lines[1].startsWith('TOTAL'), 'the last screen on the display again');
    // quitting lets go of both: the program ends
    term!.type('', 'C-c');
    await term!.waitFor('Leave tpv?');
    term!.type('y');
    await term!.waitFor('[exit 0]');
  });
});

describe('a device setting the till cannot read', () => {
  it('does not take the till down: opening the scanners and the display listener fail inside the guard; it starts, sells and quits', async () => {
    const db = join(dir, 'damaged.db');
    expect((await cli(['--db', db, 'init', '--demo'])).code).toBe(0);
    expect((await cli(['--db', db, 'users', 'add', 'ana', '--name', 'Ana'], { input: '2468\n' })).code).toBe(0);
    expect((await cli(['--db', db, 'shift', 'open', '--float', '100'])).code).toBe(0);
    // a display row whose settings are not JSON: every read of the devices throws
    const raw = new Database(db);
    raw.prepare("INSERT INTO devices (name, kind, url, options, created_at, updated_at) VALUES ('display', 'display', 'serial:/dev/null', '{broken', 'x', 'x')").run();
    raw.close();
    const till = startPos(BIN, db);
    try {
      await posLogin(till, 'ana', '2468');
      await till.waitFor('F12 Pay');
      till.type('LAC-001', 'Enter');
      await till.waitFor(/1 Leche entera/);
      till.type('LAC-001', 'Enter');
      await till.waitFor('2 items');
      till.type('', 'C-c');
      await till.waitFor('Leave tpv?');
      till.type('y');
      await till.waitFor('[exit 0]');
    } finally {
      till.kill();
    }
  });
});
