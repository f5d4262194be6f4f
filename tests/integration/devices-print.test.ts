/**
 * Printing against real parts: a store on a real SQLite file, the CLI in-process, the printer
 * simulator (a TCP server on 127.0.0.1 that answers DLE EOT like an Epson) and raw TCP printers of
 * the test's own. An original refused before any byte went out is printed later as the original —
 * a document's and the slip of a store credit or gift voucher alike, printed with its document or
 * alone; a second original needs a supervisor and is audited; Star printers are never asked DLE
 * EOT; a reply without the fixed bits of a status byte is not a status.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/app/open.js';
import { tillDevices } from '../../src/app/till.js';
import { type DecodedJob, decodedText } from '../../src/devices/escpos-decode.js';
import { type PrinterJob, type PrinterSimulator, simulatePrinter } from '../../src/devices/simulators.js';
import { cli, freePort, tempDir, type RunResult, until } from '../helpers.js';

const dir = tempDir('tpv-devices-print-');
const DB = join(dir, 'shop.db');
const run = (args: string[], opts: Parameters<typeof cli>[1] = {}): Promise<RunResult> => cli(['--db', DB, ...args], opts);
const sale = JSON.stringify({ lines: [{ code: '8490300000015', qty: '1' }], payments: [{ method: 'cash', amount: '10.00' }] });
const ANA = { TPV_PIN: '2468' };

let printer: PrinterSimulator;
const jobs: PrinterJob[] = [];
const text = (j: PrinterJob): string => decodedText(j.decoded);
/** The jobs that printed `number` (a document, not just a drawer kick). */
const printed = (number: string): PrinterJob[] => jobs.filter((j) => text(j).includes(number));

/** The papers of a job, one per cut: a document, then each slip printed with it. */
function papers(job: DecodedJob): string[] {
  const cuts = job.events.filter((e) => e.type === 'cut').map((e) => e.row);
  return cuts.map((end, i) => job.rows.slice(i === 0 ? 0 : cuts[i - 1], end).map((r) => r.text).join('\n'));
}

/** The next job the printer receives after `count` jobs. */
const jobAfter = (count: number, what: string): Promise<PrinterJob> => until(() => jobs.length > count && jobs[count], what);

function audit(action: string): { user_id: number | null; detail: Record<string, unknown> }[] {
  const db = new Database(DB, { readonly: true });
  try {
    const rows = db.prepare('SELECT user_id, detail FROM audit_log WHERE action = ? ORDER BY id').all(action) as { user_id: number | null; detail: string }[];
    return rows.map((r) => ({ user_id: r.user_id, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

function userId(code: string): number {
  const db = new Database(DB, { readonly: true });
  try {
    return db.prepare('SELECT id FROM users WHERE code = ?').pluck().get(code) as number;
  } finally {
    db.close();
  }
}

/** A raw TCP printer: answers every DLE EOT with `reply`, keeps each connection's bytes. */
async function rawPrinter(reply: number): Promise<{ port: number; jobs: Buffer[]; server: Server }> {
  const got: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      for (let i = c.indexOf(Buffer.of(0x10, 0x04)); i >= 0; i = c.indexOf(Buffer.of(0x10, 0x04), i + 2)) socket.write(Buffer.of(reply));
    });
    socket.on('end', () => {
      got.push(Buffer.concat(chunks));
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  raw.push({ server, sockets });
  return { port: (server.address() as { port: number }).port, jobs: got, server };
}
const raw: { server: Server; sockets: Set<Socket> }[] = [];

beforeAll(async () => {
  expect((await run(['init', '--demo', '--json'])).code).toBe(0);
  expect((await run(['users', 'add', 'ana', '--name', 'Ana', '--role', 'cashier', '--json'], { input: '2468\n' })).code).toBe(0);
  expect((await run(['users', 'add', 'sup', '--name', 'Sara', '--role', 'supervisor', '--json'], { input: '1357\n' })).code).toBe(0);
  expect((await run(['shift', 'open', '--float', '100.00', '--json'])).code).toBe(0);
  printer = await simulatePrinter({ host: '127.0.0.1', port: 0, onJob: (j) => jobs.push(j) });
  expect((await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${printer.port}`, '--profile', 'epson-tm-t20iii', '--json'])).code).toBe(0);
});

afterAll(async () => {
  await printer.close();
  for (const { server, sockets } of raw) {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
});

let number = '';

describe('original or copy', () => {
  it('a receipt refused for paper out prints later as the ORIGINAL; only after that as a copy', async () => {
    printer.setState('paper_end');
    const sold = await run(['sale', '--print', '--json'], { input: sale });
    expect(sold.code).toBe(0);
    number = sold.json.data.receipt.number;
    expect(sold.json.data.print).toMatchObject({ ok: false, error: { code: 'printer.paper_end' } });
    expect(printed(number)).toEqual([]);
    expect(audit('original_unprinted').map((r) => r.detail)).toEqual([{ number, reason: 'printer.paper_end' }]);

    printer.setState('online');
    const first = await run(['print', number, '--json']);
    expect(first.code).toBe(0);
    expect(first.json.data).toMatchObject({ number, printer: 'printer', copy: false });
    const original = await until(() => printed(number)[0], 'the original');
    expect(text(original)).not.toContain('COPIA');

    const again = await run(['print', number, '--json']);
    expect(again.json.data.copy).toBe(true);
    const both = await until(() => printed(number).length === 2 && printed(number), 'the copy');
    expect(both.map((j) => text(j).includes('*** COPIA ***'))).toEqual([false, true]);
  });

  it('a printer that cannot be reached: the original is owed the same way; a failed reprint keeps it owed', async () => {
    const dead = await freePort();
    expect((await run(['devices', 'add', 'printer', '--name', 'back', '--url', `tcp://127.0.0.1:${dead}`, '--json'])).code).toBe(0);
    // the till prints on the first printer configured: make the dead one first by taking the other away
    expect((await run(['devices', 'remove', 'printer', '--json'])).code).toBe(0);
    const sold = await run(['sale', '--print', '--json'], { input: sale });
    const unreachable = sold.json.data.receipt.number as string;
    expect(sold.json.data.print).toMatchObject({ ok: false, error: { code: 'device.unreachable' } });
    // reprinting while it is still down fails, and the original stays owed
    expect((await run(['print', unreachable, '--json'])).json.error.code).toBe('device.unreachable');
    expect((await run(['print', unreachable, '--printer', 'nowhere', '--json'])).code).toBe(4);
    expect((await run(['devices', 'remove', 'back', '--json'])).code).toBe(0);
    expect((await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${printer.port}`, '--profile', 'epson-tm-t20iii', '--json'])).code).toBe(0);
    const r = await run(['print', unreachable]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${unreachable} (original)`);
    expect(text(await until(() => printed(unreachable)[0], 'the original'))).not.toContain('COPIA');
    expect((await run(['print', unreachable, '--json'])).json.data.copy).toBe(true);
  });

  it('a receipt that printed is a copy on every reprint', async () => {
    const sold = await run(['sale', '--print', '--json'], { input: sale });
    expect(sold.json.data.print.ok).toBe(true);
    const n = sold.json.data.receipt.number as string;
    expect((await run(['print', n, '--json'])).json.data.copy).toBe(true);
    const [first, second] = await until(() => printed(n).length === 2 && printed(n), 'the sale and its copy');
    expect(text(first!)).not.toContain('COPIA');
    expect(text(second!)).toContain('*** COPIA ***');
  });
});

describe('slips: original or copy', () => {
  const COPY = '*** COPIA ***';
  const slipAudit = (action: string, code: string): Record<string, unknown>[] => audit(action).filter((r) => r.detail.slip === code).map((r) => r.detail);

  it('a slip issued on its own (credit issue --print) refused for paper out: credit print prints it as the ORIGINAL, once; recorded like a document', async () => {
    printer.setState('paper_end');
    const issued = await run(['credit', 'issue', '10', '--print', '--json']);
    expect(issued.code).toBe(0);
    const code = issued.json.data.printed as string;
    expect(issued.json.data.print).toMatchObject({ ok: false, error: { code: 'printer.paper_end' } });
    expect(printed(code)).toEqual([]);
    expect(slipAudit('original_unprinted', code)).toEqual([{ slip: code, reason: 'printer.paper_end' }]);
    // the preview says what the print will be
    const preview = await run(['credit', 'print', code, '--preview', '--json']);
    expect(preview.json.data.copy).toBe(false);
    expect(preview.json.data.text).not.toContain('COPIA');
    // still no paper: the reprint is refused, and the original stays owed
    const refused = await run(['credit', 'print', code, '--json']);
    expect(refused.code).toBe(6);
    expect(refused.json.error.code).toBe('printer.paper_end');
    expect(printed(code)).toEqual([]);

    printer.setState('online');
    const first = await run(['credit', 'print', code]);
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toContain(`${code} (original)`);
    const original = await until(() => printed(code)[0], 'the original slip');
    expect(text(original)).toContain('VALE DE COMPRA');
    expect(text(original)).not.toContain('COPIA');
    expect(slipAudit('original_printed', code)).toEqual([{ slip: code }, { slip: code }]);

    const again = await run(['credit', 'print', code, '--json']);
    expect(again.json.data).toMatchObject({ code, printer: 'printer', copy: true });
    const both = await until(() => printed(code).length === 2 && printed(code), 'the copy');
    expect(both.map((j) => text(j).includes(COPY))).toEqual([false, true]);
    expect((await run(['credit', 'print', code, '--preview', '--json'])).json.data.copy).toBe(true);
  });

  it('a gift voucher sold while the paper was out: receipt and slip are owed each; the slip alone first, then the receipt with its slip as a copy', async () => {
    printer.setState('paper_end');
    const sold = await run(['sale', '--print', '--json'], { input: JSON.stringify({ lines: [{ voucher: '20.00' }], payments: [{ method: 'card', amount: '20.00' }] }) });
    expect(sold.code).toBe(0);
    const n = sold.json.data.receipt.number as string;
    const code = sold.json.data.credits[0].code as string;
    expect(sold.json.data.print).toMatchObject({ ok: false });
    expect(audit('original_unprinted').slice(-2).map((r) => r.detail)).toEqual([
      { number: n, reason: 'printer.paper_end' },
      { slip: code, reason: 'printer.paper_end' },
    ]);
    printer.setState('online');

    let count = jobs.length;
    expect((await run(['credit', 'print', code, '--json'])).json.data.copy).toBe(false);
    const slip = papers((await jobAfter(count, 'the slip alone')).decoded);
    expect(slip).toHaveLength(1);
    expect(slip[0]).toContain('VALE REGALO');
    expect(slip[0]).not.toContain('COPIA');

    count = jobs.length;
    expect((await run(['print', n, '--json'])).json.data.copy).toBe(false);
    const [receipt, again] = papers((await jobAfter(count, 'the receipt and its slip')).decoded);
    expect(receipt).toContain(n);
    expect(receipt).not.toContain('COPIA');
    expect(again).toContain('VALE REGALO');
    expect(again).toContain(COPY);
  });

  it("the till's reprint of a code's document (F11, Ctrl+P) prints its owed slip as the original too, also when only the document was recorded (before slips were)", async () => {
    printer.setState('paper_end');
    const sold = await run(['sale', '--print', '--json'], { input: JSON.stringify({ lines: [{ voucher: '15.00' }], payments: [{ method: 'card', amount: '15.00' }] }) });
    const n = sold.json.data.receipt.number as string;
    const code = sold.json.data.credits[0].code as string;
    printer.setState('online');
    // as an older tpv recorded it: the document owed, nothing about its slip
    const db = new Database(DB);
    db.prepare("DELETE FROM audit_log WHERE action = 'original_unprinted' AND json_extract(detail, '$.slip') = ?").run(code);
    db.close();
    expect(slipAudit('original_unprinted', code)).toEqual([]);

    const app = await openApp(DB);
    const till = tillDevices(app);
    try {
      let count = jobs.length;
      await till.print({ number: n, copy: true });
      const first = papers((await jobAfter(count, 'the owed originals')).decoded);
      expect(first).toHaveLength(2);
      expect(first[0]).toContain(n);
      expect(first[1]).toContain('VALE REGALO');
      expect(first.map((p) => p.includes(COPY))).toEqual([false, false]);
      expect(slipAudit('original_printed', code)).toEqual([{ slip: code }]);

      count = jobs.length;
      await till.print({ number: n, copy: true });
      const second = papers((await jobAfter(count, 'the copies')).decoded);
      expect(second.map((p) => p.includes(COPY))).toEqual([true, true]);
    } finally {
      await till.close();
      app.close();
    }
  });
});

describe('tpv print --original', () => {
  it('a cashier needs a supervisor; refused, nothing prints and nothing is recorded', async () => {
    const before = jobs.length;
    const r = await run(['--user', 'ana', 'print', number, '--original', '--json'], { env: ANA });
    expect(r.code).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'permission.needs_approval', message: expect.stringContaining('print_original') });
    expect(jobs.length).toBe(before);
    expect(audit('print_original')).toEqual([]);
  });

  it("with a supervisor's approval it prints without COPIA, recorded with who asked and who approved", async () => {
    const before = printed(number).length;
    const r = await run(['--user', 'ana', '--approver', 'sup', 'print', number, '--original', '--json'], { env: { ...ANA, TPV_APPROVER_PIN: '1357' } });
    expect(r.code).toBe(0);
    expect(r.json.data.copy).toBe(false);
    const job = (await until(() => printed(number).length > before && printed(number), 'the second original')).at(-1)!;
    expect(text(job)).not.toContain('COPIA');
    const [row] = audit('print_original');
    expect(row).toMatchObject({ user_id: userId('ana'), detail: { number, printer: 'printer', approval: { action: 'print_original', by: 'sup' } } });
  });

  it('a supervisor or an admin prints it on their own PIN, recorded too', async () => {
    expect((await run(['--user', 'sup', 'print', number, '--original', '--json'], { env: { TPV_PIN: '1357' } })).code).toBe(0);
    expect((await run(['print', number, '--original', '--json'])).code).toBe(0);
    expect(audit('print_original').map((r) => r.user_id)).toEqual([userId('ana'), userId('sup'), userId('admin')]);
    // a wrong PIN is refused before anything else
    expect((await run(['--user', 'sup', 'print', number, '--original', '--json'], { env: { TPV_PIN: '0000' } })).code).toBe(5);
    expect(audit('print_original')).toHaveLength(3);
  });
});

describe('status requests', () => {
  it('a Star printer is never asked DLE EOT: the job goes out as is; its status is "not asked"', async () => {
    const star = await rawPrinter(0x12);
    expect((await run(['devices', 'add', 'printer', '--name', 'star', '--url', `tcp://127.0.0.1:${star.port}`, '--profile', 'star-tsp100iv', '--json'])).code).toBe(0);
    const r = await run(['print', number, '--printer', 'star', '--json']);
    expect(r.code).toBe(0);
    const [job] = await until(() => star.jobs.length >= 1 && star.jobs, 'the Star job');
    expect(job!.includes(Buffer.of(0x10, 0x04))).toBe(false);
    expect(job!.includes(Buffer.from(number))).toBe(true);
    const test = await run(['devices', 'test', 'printer', 'star', '--json']);
    expect(test.json.data.status.state).toBe('not_asked');
    const doctor = await run(['doctor', '--json']);
    const checks = (doctor.json.data ?? doctor.json.error.details).checks as { id: string; status: string; message: string }[];
    expect(checks.find((c) => c.id === 'device.star')).toMatchObject({ status: 'ok', message: expect.stringContaining('not asked') });
    expect(star.jobs.every((j) => !j.includes(Buffer.of(0x10, 0x04)))).toBe(true);
    expect((await run(['devices', 'remove', 'star', '--json'])).code).toBe(0);
  });

  it('a reply without the fixed bits is no status: a printer answering 0x08 ("offline" if misread) prints', async () => {
    const odd = await rawPrinter(0x08);
    expect((await run(['devices', 'add', 'printer', '--name', 'odd', '--url', `tcp://127.0.0.1:${odd.port}`, '--json'])).code).toBe(0);
    const r = await run(['print', number, '--printer', 'odd', '--json']);
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    await until(() => odd.jobs.some((j) => j.includes(Buffer.from(number))), 'the job on the odd printer');
    // it was asked (DLE EOT 1) and its answer was not taken as one
    expect(odd.jobs.some((j) => j.includes(Buffer.of(0x10, 0x04, 0x01)))).toBe(true);
    expect((await run(['devices', 'test', 'printer', 'odd', '--json'])).json.data.status.state).toBe('no_answer');
    expect((await run(['devices', 'remove', 'odd', '--json'])).code).toBe(0);
  });
});
