/**
 * End-to-end: the devices toolbox through the built `tpv`, against the simulators running as
 * their own `tpv` processes — a network printer on 127.0.0.1, a serial scanner and a customer
 * display on socat pseudo-terminals. Configure, print, the late original after the printer was
 * down, the drawer kick and its record, status (paper out), `devices list`, `doctor`. Every command that
 * talks to a device runs as its own process (a port or socket left open would keep it alive);
 * setting up, configuring devices and reading results back run in-process (`local`). Configuring
 * devices (refusals, --replace, in use) is tested in-process in tests/cli/devices.test.ts.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, freePort, type RunResult, tempDir, tpv } from '../helpers.js';

const dir = tempDir('tpv-devices-');
const DB = join(dir, 'shop.db');
/** A spawned tpv: what talks to a device. */
const run = (args: string[], opts: Parameters<typeof tpv>[1] = {}): Promise<RunResult> => tpv(['--db', DB, ...args], opts);
/** The CLI in-process: what only reads or writes the database. */
const local = (args: string[], opts: Parameters<typeof cli>[1] = {}): Promise<RunResult> => cli(['--db', DB, ...args], opts);

/** A long-running tpv (a simulator): its stdout lines as they come. */
class Proc {
  readonly child: ChildProcessWithoutNullStreams;
  out = '';
  err = '';
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1' } });
    this.child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
  }
  /** Waits (polling, with a deadline) until `pick` finds something in stdout+stderr. */
  async until<T>(pick: (p: Proc) => T | null | undefined | false, what: string, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pick(this);
      if (v) return v;
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`${what}: not seen\nstdout: ${this.out}\nstderr: ${this.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.child.once('exit', () => r());
      this.child.kill('SIGTERM');
    });
  }
  lines(): { job: number; text: string; events: { type: string; [k: string]: unknown }[]; file: string }[] {
    return this.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }
}

const procs: Proc[] = [];
const start = (args: string[]): Proc => {
  const p = new Proc(args);
  procs.push(p);
  return p;
};
afterAll(async () => void (await Promise.all(procs.map((p) => p.stop()))));

async function startPrinter(port: number, state = 'online'): Promise<Proc> {
  const p = start(['devices', 'simulate', 'printer', '--listen', `127.0.0.1:${port}`, '--save', join(dir, 'jobs'), '--state', state, '--json']);
  await p.until((x) => x.err.includes('listening'), 'printer simulator listening');
  return p;
}

const sale = { lines: [{ code: '8490300000015', qty: '2' }], payments: [{ method: 'cash', amount: '10.00' }] };
let port = 0;
let first = '';

beforeAll(async () => {
  expect((await local(['init', '--demo', '--json'])).code).toBe(0);
  expect((await local(['users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier', '--json'], { input: '2468\n' })).code).toBe(0);
  expect((await local(['shift', 'open', '--float', '100.00', '--json'])).code).toBe(0);
  port = await freePort();
  // the printer and a drawer hanging from it (configuring is tested in tests/cli/devices.test.ts)
  expect((await local(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${port}`, '--profile', 'epson-tm-t20iii', '--columns', '42', '--json'])).code).toBe(0);
  expect((await local(['devices', 'add', 'drawer', '--printer', 'printer', '--pin', '2', '--json'])).code).toBe(0);
});

describe('printing', () => {
  it('a sale with the printer down is committed; the print fails with a clear error; once it is back the receipt prints as the original, then as copies', async () => {
    const sold = await run(['sale', '--print', '--json'], { input: JSON.stringify(sale) });
    expect(sold.code).toBe(0);
    first = sold.json.data.receipt.number;
    expect(sold.json.data.print).toMatchObject({ ok: false, error: { code: 'device.unreachable' } });
    expect(sold.stderr).toContain(first);
    expect((await local(['receipts', 'show', first, '--json'])).code).toBe(0);
    const down = await run(['print', first, '--json']);
    expect(down.code).toBe(6);
    expect(down.json.error.code).toBe('device.unreachable');

    const printer = await startPrinter(port);
    // the paper never saw this receipt: the customer's only one must not say COPIA
    const again = await run(['print', first, '--json']);
    expect(again.code).toBe(0);
    expect(again.json.data.copy).toBe(false);
    const [job] = await printer.until((p) => p.lines().length >= 1 && p.lines(), 'the late original');
    expect(job!.text).not.toContain('COPIA');
    expect(job!.text).toContain(first);
    const copy = await run(['print', first, '--json']);
    expect(copy.json.data.copy).toBe(true);
    const [, second] = await printer.until((p) => p.lines().length >= 2 && p.lines(), 'the copy');
    expect(second!.text).toContain('*** COPIA ***');
    expect(job!.text).toContain('€');
    expect(job!.events).toContainEqual(expect.objectContaining({ type: 'barcode', data: `TPV:${first}` }));
    expect(existsSync(job!.file)).toBe(true);
  });

  it('a cash sale prints once and kicks the drawer with ESC p 0 50 250 first', async () => {
    const printer = procs.at(-1)!;
    const before = printer.lines().length;
    const sold = await run(['sale', '--print', '--json'], { input: JSON.stringify(sale) });
    expect(sold.json.data.print).toMatchObject({ ok: true, printer: 'printer', kicked: true });
    const jobs = await printer.until((p) => p.lines().length > before && p.lines(), 'the sale job');
    const job = jobs[before]!;
    expect(job.text).not.toContain('COPIA');
    // the printer is asked how it is (DLE EOT 1, 2, 4), then the drawer opens, then the receipt prints
    const events = job.events.filter((e) => e.type !== 'statusRequest');
    expect(events[0]).toMatchObject({ type: 'drawer', pin: 2, onMs: 100, offMs: 500 });
    expect(events[1]).toMatchObject({ type: 'initialize' });
    const raw = [...readFileSync(job.file)];
    expect(raw.slice(0, 14)).toEqual([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04, 0x1b, 0x70, 0x00, 0x32, 0xfa]);
  });

  it('no sale: a cashier needs a supervisor; the opening is recorded, then the drawer opens', async () => {
    const printer = procs.at(-1)!;
    const before = printer.lines().length;
    const refused = await run(['--user', 'ana', 'drawer', 'open', '--reason', 'change', '--json'], { env: { TPV_PIN: '2468' } });
    expect(refused.code).toBe(5);
    expect(refused.json.error.code).toBe('permission.needs_approval');
    const ok = await run(['drawer', 'open', '--reason', 'cambio para el banco', '--json']);
    expect(ok.code).toBe(0);
    const jobs = await printer.until((p) => p.lines().length > before && p.lines(), 'the kick');
    expect(jobs[before]!.events).toEqual([expect.objectContaining({ type: 'drawer', pin: 2 })]);
    expect([...readFileSync(jobs[before]!.file)]).toEqual([0x1b, 0x70, 0x00, 0x32, 0xfa]);
  });

  it('the test page prints the code page chart, a barcode, a QR and a cut', async () => {
    const printer = procs.at(-1)!;
    const before = printer.lines().length;
    const r = await run(['devices', 'test', 'printer', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data.status.state).toBe('online');
    const job = (await printer.until((p) => p.lines().length > before && p.lines(), 'the test page'))[before]!;
    for (const ch of ['€', 'ñ', 'á', 'ç', 'ü', 'ß', 'ã']) expect(job.text).toContain(ch);
    const types = job.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['barcode', 'qr', 'cut']));
  });

  it('a printer out of paper: print refuses with printer.paper_end, doctor fails on it', async () => {
    await procs.at(-1)!.stop();
    const printer = await startPrinter(port, 'paper_end');
    const r = await run(['print', first, '--json']);
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('printer.paper_end');
    // a cash sale without paper: saved, not printed, but the drawer still opens for the change
    const sold = await run(['sale', '--print', '--json'], { input: JSON.stringify(sale) });
    expect(sold.code).toBe(0);
    expect(sold.json.data.print).toMatchObject({ ok: false, error: { code: 'printer.paper_end' } });
    const [kick] = await printer.until((p) => p.lines().length >= 1 && p.lines(), 'the kick without paper');
    expect(kick!.events.filter((e) => e.type !== 'statusRequest')).toEqual([expect.objectContaining({ type: 'drawer', pin: 2 })]);
    const doc = await run(['doctor', '--json']);
    expect(doc.code).toBe(6);
    const checks = doc.json.error.details.checks as { id: string; status: string; fix: string | null }[];
    expect(checks.find((c) => c.id === 'device.printer')).toMatchObject({ status: 'fail', fix: expect.stringContaining('paper') });
    expect(checks.find((c) => c.id === 'journal')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.id === 'database.integrity')).toMatchObject({ status: 'ok' });
  });

  it('a drawer on a link of its own that fails never stops the receipt; the error is reported', async () => {
    const dead = await freePort();
    expect((await local(['devices', 'add', 'drawer', '--url', `tcp://127.0.0.1:${dead}`, '--replace', '--json'])).code).toBe(0);
    const out = join(dir, 'receipts.bin');
    expect((await local(['devices', 'add', 'printer', '--name', 'file', '--url', `file:${out}`, '--json'])).code).toBe(0);
    const sold = await run(['sale', '--print', '--json'], { input: JSON.stringify(sale) });
    expect(sold.code).toBe(0);
    // the network printer is still out of paper and the drawer unreachable: both said, the sale kept
    expect(sold.json.data.print.ok).toBe(false);
    expect(sold.stderr).toContain(sold.json.data.receipt.number);
    // the receipt prints on the file printer all the same while the drawer's link is dead
    const onFile = await run(['print', sold.json.data.receipt.number, '--printer', 'file', '--json']);
    expect(onFile.code).toBe(0);
    expect(readFileSync(out).includes(Buffer.from(sold.json.data.receipt.number))).toBe(true);
    expect((await local(['devices', 'remove', 'file', '--json'])).code).toBe(0);
    expect((await local(['devices', 'add', 'drawer', '--printer', 'printer', '--replace', '--json'])).code).toBe(0);
  });

  it('doctor passes when the printer is back, and names the first broken journal link after tampering', async () => {
    await procs.at(-1)!.stop();
    await startPrinter(port);
    const ok = await run(['doctor', '--json']);
    expect(ok.code, JSON.stringify(ok.json)).toBe(0);
    expect(ok.json.data.checks.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['database.integrity', 'database.migrations', 'journal', 'disk', 'permissions', 'clock', 'device.printer', 'serial.dialout']));
    const human = await run(['doctor']);
    expect(human.stdout).toMatch(/^ok {2}/m);
    // a receipt changed by hand: the journal check fails naming it, with the fix to try
    const d = new Database(DB);
    d.exec('DROP TRIGGER documents_no_update');
    d.prepare('UPDATE documents SET total = total + 100 WHERE number = ?').run(first);
    d.close();
    const bad = await run(['doctor', '--json']);
    expect(bad.code).toBe(6);
    const journal = (bad.json.error.details.checks as { id: string; status: string; message: string; fix: string }[]).find((c) => c.id === 'journal');
    expect(journal).toMatchObject({ status: 'fail', message: expect.stringContaining(first), fix: expect.stringContaining('audit verify') });
    expect((await run(['doctor'])).stdout).toMatch(new RegExp(`^FAIL .*${first}`, 'm'));
  });
});

describe('scanner and display on pseudo-terminals', () => {
  it('listen prints each scan of a serial scanner, CRLF stripped', async () => {
    const link = join(dir, 'scanner');
    const sim = start(['devices', 'simulate', 'scanner', '--link', link]);
    await sim.until(() => existsSync(link), 'the scanner pty');
    expect((await local(['devices', 'add', 'scanner', '--url', `serial:${link}?baud=9600`, '--suffix', 'crlf', '--json'])).code).toBe(0);
    const listen = start(['--db', DB, 'devices', 'listen', 'scanner', '--count', '2', '--json']);
    await listen.until((p) => p.err.includes('listening'), 'listening');
    sim.child.stdin.write('8410188012092\n]E04006381333931\n');
    await listen.until((p) => p.child.exitCode !== null || null, 'listen to finish');
    const out = JSON.parse(listen.out);
    expect(out.data.scans.map((s: { code: string }) => s.code)).toEqual(['8410188012092', ']E04006381333931']);
  });

  it('the display test shows accented text on a 2×20 display', async () => {
    const link = join(dir, 'display');
    const sim = start(['devices', 'simulate', 'display', '--link', link, '--json']);
    await sim.until(() => existsSync(link), 'the display pty');
    expect((await local(['devices', 'add', 'display', '--url', `serial:${link}`, '--welcome', 'Bienvenidos', '--json'])).code).toBe(0);
    const r = await run(['devices', 'test', 'display', '--json']);
    expect(r.code).toBe(0);
    const screens = await sim.until((p) => p.out.includes('Bienvenidos') && p.out.split('\n').filter(Boolean).map((l) => JSON.parse(l).lines as string[]), 'the welcome');
    expect(screens).toContainEqual(['Café con lech 1,50 €', ' '.repeat(20)]);
    expect(screens).toContainEqual(['    Bienvenidos     ', ' '.repeat(20)]);
    for (const l of screens) expect(l.map((x) => x.length)).toEqual([20, 20]);
  });

  it('devices list gives each device its status: the printer online, the pseudo-terminals held by their simulators', async () => {
    const r = await run(['devices', 'list', '--json']);
    expect(r.code).toBe(0);
    const devices = r.json.data.devices as { kind: string; status: { status: string; message: string } }[];
    expect(devices.map((d) => d.kind)).toEqual(['display', 'drawer', 'printer', 'scanner']);
    // each pseudo-terminal is held by the socat of its simulator: list names the process
    for (const kind of ['display', 'scanner']) {
      expect(devices.find((d) => d.kind === kind)!.status).toMatchObject({ status: 'fail', message: expect.stringMatching(/held by process \d+ \(socat /) });
    }
    expect(devices.find((d) => d.kind === 'printer')!.status).toMatchObject({ status: 'ok', message: expect.stringContaining('online') });
  });
});
