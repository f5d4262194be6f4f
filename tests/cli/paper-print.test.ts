/**
 * `tpv refund --print` (issue 16): the refund prints as the simplified corrective invoice it is,
 * on a printer on TCP (a local sink that answers DLE EOT like an idle Epson), and a cash refund
 * opens the drawer hanging from that printer first, as a cash sale does; a card refund does not.
 * What the sink received is read back with the ESC/POS decoder. `tpv receipts show` previews the
 * same paper.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEscpos, type DecodedJob } from '../../src/devices/escpos-decode.js';
import { cli, tempDir } from '../helpers.js';
import { at, demoStore, jsonAt, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: cli, db: join(dir, 'paper.db'), dir };
const run = jsonAt(shop);

/** A printer on 127.0.0.1: answers each DLE EOT n with 0x12 (online, nothing wrong) and keeps each connection's bytes. */
interface Sink {
  port: number;
  jobs: Buffer[];
  /** Called when a job arrives (set while a test waits for one). */
  arrived: (() => void) | null;
  server: Server;
}
let sink: Sink;
const sockets = new Set<Socket>();

async function startSink(): Promise<Sink> {
  const server = createServer();
  const s: Sink = { port: 0, jobs: [], arrived: null, server };
  server.on('connection', (socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('error', () => undefined);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      for (let i = 0; i + 2 < c.length; i++) if (c[i] === 0x10 && c[i + 1] === 0x04) socket.write(Buffer.of(0x12));
    });
    socket.on('close', () => {
      sockets.delete(socket);
      s.jobs.push(Buffer.concat(chunks));
      s.arrived?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.port = (server.address() as { port: number }).port;
  return s;
}

/** The next job the printer received (its connection closed), decoded: waits for the connection to end, no fixed sleep. */
async function nextJob(): Promise<DecodedJob> {
  while (sink.jobs.length === 0) await new Promise<void>((r) => (sink.arrived = r));
  sink.arrived = null;
  return decodeEscpos(new Uint8Array(sink.jobs.shift()!), { columns: 42 });
}

beforeAll(async () => {
  sink = await startSink();
  await demoStore(shop);
  expect((await run(['shift', 'open', '--float', '100'])).code).toBe(0);
  const printer = await run(['devices', 'add', 'printer', '--url', `tcp://127.0.0.1:${sink.port}`, '--profile', 'epson-tm-t20iii', '--columns', '42']);
  expect(printer.code, printer.stdout).toBe(0);
  expect((await run(['devices', 'add', 'drawer', '--printer', 'printer', '--pin', '2'])).code).toBe(0);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => sink.server.close(r));
});

describe('tpv refund --print', () => {
  it('a cash refund opens the drawer, then prints the corrective invoice: the receipt and its date, the reason, cash given back negative, no thanks', async () => {
    const sale = await run(['sale'], { lines: [{ code: 'LAC-001', qty: '2' }], payments: [{ method: 'cash', amount: '5' }] });
    expect(sale.code, sale.stdout).toBe(0);
    const receipt = sale.json.data.receipt;
    const r = await run(['refund', receipt.number, '--print'], { lines: [{ line: 1, qty: '1', reason: 'caducada' }], method: 'cash' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.print).toEqual({ ok: true, printer: 'printer', kicked: true });
    const job = await nextJob();
    const kinds = job.events.map((e) => e.type).filter((k) => k !== 'statusRequest' && k !== 'codepage');
    // the drawer opens while the paper prints: its pulse goes first, then the document, cut last
    expect(kinds[0]).toBe('drawer');
    expect(kinds[1]).toBe('initialize');
    expect(kinds.at(-1)).toBe('cut');
    expect(job.events.find((e) => e.type === 'drawer')).toMatchObject({ pin: 2, onMs: 100, offMs: 500 });
    const rows = job.rows.map((r) => r.text.trimEnd());
    const flat = rows.join(' ').replace(/ +/g, ' ');
    const day = receipt.created_at.slice(0, 10).split('-').reverse().join('/');
    expect(flat).toContain(`Factura rectificativa simplificada ${r.json.data.refund.number}`);
    expect(flat).toContain(`Rectifica el ticket ${receipt.number} del ${day}`);
    expect(flat).toContain('Motivo: caducada');
    expect(rows).toContain(`Efectivo${'-0,99'.padStart(34)}`);
    expect(rows).toContainEqual(expect.stringMatching(/^TOTAL +-0,99 €$/));
    expect(flat).not.toContain('¡Gracias por su compra!');
    // the preview is the paper
    const shown = await at(shop)(['receipts', 'show', r.json.data.refund.number], { env: { TPV_LANG: 'es' } });
    expect(shown.stdout.trimEnd()).toBe(rows.join('\n').trimEnd());
  });

  it('a card refund prints without opening the drawer', async () => {
    const sale = await run(['sale'], { lines: [{ code: 'LAC-001' }], payments: [{ method: 'card', amount: '0.99', reference: '4321/A1B2C3' }] });
    const r = await run(['refund', sale.json.data.receipt.number, '--all', '--method', 'card', '--print']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data.print).toEqual({ ok: true, printer: 'printer', kicked: false });
    const job = await nextJob();
    expect(job.events.filter((e) => e.type === 'drawer')).toEqual([]);
    const rows = job.rows.map((r) => r.text.trimEnd());
    expect(rows).toContain(`Tarjeta${'-0,99'.padStart(35)}`);
    expect(rows).toContain('Motivo: devolución de mercancía');
  });

  it('says so in its help, with an example', async () => {
    const help = await at(shop)(['refund', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--print\s+\S/);
    expect(help.stdout).toContain('--all --method store_credit --print');
  });
});
