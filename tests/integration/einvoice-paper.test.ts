/**
 * Issue 14, on paper: with VERI*FACTU on, every receipt, refund and invoice printed — at the sale,
 * at the refund, as a reprint — and its text preview (`tpv receipts show`) starts with the AEAT's
 * "QR tributario:", the QR of the URL `qrUrlOf` gives (model 2, level M, 30–40 mm a side at 203
 * dpi, blank paper around it), and "VERI*FACTU" just below, before anything else on the document;
 * the document's own scan code comes after it. With the scheme off (or a receipt issued before it
 * was turned on) nothing of it is printed, nor on a gift voucher sold alone (no factura: not subject to
 * VAT, no record), while a voucher sold beside goods is the N1 line of the ticket's record. The
 * printer is a file (`file:`), read back with the
 * project's ESC/POS decoder and, for what the decoder sets aside (module size, error correction),
 * the GS ( k commands themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/context.js';
import { documentByNumber } from '../../src/app/documents.js';
import { type EinvoiceRow, qrUrlOf } from '../../src/app/einvoice.js';
import { openApp } from '../../src/app/open.js';
import { decodeEscpos, type DecodedJob } from '../../src/devices/escpos-decode.js';
import type { RegistroAlta } from '../../src/einvoice/verifactu/record.js';
import { envelope } from '../../src/einvoice/verifactu/xml.js';
import { t } from '../../src/i18n/index.js';
import { cli, makeShopWithCatalog, tempDir } from '../helpers.js';
import { MAIN_XSD, xmllint } from '../xmllint.js';

const dir = tempDir('tpv-einvoice-paper-');

/**
 * Bytes a QR version holds at error correction M in byte mode (ISO/IEC 18004:2015 table 7), v1–v15:
 * written here again, not taken from the encoder, so a mistake there does not hide here.
 */
const BYTES_AT_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412];
const versionAtM = (bytes: number): number => BYTES_AT_M.findIndex((c) => c >= bytes) + 1;

/** A QR as the bytes print it: its data and the settings in force when it was printed (GS ( k cn 49). */
interface PrintedQr {
  data: string;
  model: number;
  moduleDots: number;
  /** fn 69's n: 48 L, 49 M, 50 Q, 51 H. */
  level: number;
}

/** Every QR the job prints, in order, read off the GS ( k commands. */
function qrCommands(bytes: Uint8Array): PrintedQr[] {
  const out: PrintedQr[] = [];
  let model = 0;
  let moduleDots = 3; // Epson's default
  let level = 48;
  let stored = new Uint8Array(0);
  for (let i = 0; i + 7 <= bytes.length; i++) {
    if (bytes[i] !== 0x1d || bytes[i + 1] !== 0x28 || bytes[i + 2] !== 0x6b || bytes[i + 5] !== 0x31) continue;
    const size = bytes[i + 3]! + bytes[i + 4]! * 256;
    const fn = bytes[i + 6]!;
    if (fn === 0x41) model = bytes[i + 7]! - 0x30;
    else if (fn === 0x43) moduleDots = bytes[i + 7]!;
    else if (fn === 0x45) level = bytes[i + 7]!;
    else if (fn === 0x50) stored = bytes.slice(i + 8, i + 5 + size);
    else if (fn === 0x51) out.push({ data: new TextDecoder().decode(stored), model, moduleDots, level });
    i += 4 + size;
  }
  return out;
}

interface Paper {
  bytes: Uint8Array;
  job: DecodedJob;
  rows: string[];
}

/** A store on a file printer (42 columns, its scan code a QR, so the document carries two QRs). */
interface Shop {
  path: string;
  paperPath: string;
  read: number;
  run: (args: string[], input?: unknown) => ReturnType<typeof cli>;
  paper: () => Paper;
}

async function shop(name: string): Promise<Shop> {
  const app = await makeShopWithCatalog(dir, `${name}.db`, () => new Date());
  const path = app.path;
  app.close();
  const s: Shop = {
    path,
    paperPath: join(dir, `${name}.bin`),
    read: 0,
    run: (args, input) => cli(['--db', path, ...args, '--json'], input === undefined ? {} : { input: typeof input === 'string' ? input : JSON.stringify(input) }),
    paper: () => {
      const all = readFileSync(s.paperPath);
      const bytes = new Uint8Array(all.subarray(s.read));
      s.read = all.length;
      const job = decodeEscpos(bytes, { columns: 42 });
      return { bytes, job, rows: job.rows.map((r) => r.text.trim()) };
    },
  };
  const printer = await s.run(['devices', 'add', 'printer', '--url', `file:${s.paperPath}`, '--profile', 'epson-tm-t20iii', '--columns', '42', '--code', 'qr']);
  expect(printer.code, printer.stdout).toBe(0);
  expect((await s.run(['shift', 'open', '--float', '100'])).code).toBe(0);
  return s;
}

const SALE = { lines: [{ code: 'LAC-001', qty: '2' }, { code: 'PAN-007' }], payments: [{ method: 'cash', amount: '20' }] };

async function sell(s: Shop): Promise<string> {
  const r = await s.run(['sale', '--print'], SALE);
  expect(r.code, r.stdout).toBe(0);
  expect(r.json.data.print).toMatchObject({ ok: true });
  return r.json.data.receipt.number as string;
}

/**
 * The fiscal QR block on the paper: the first QR is the document's URL, at level M, model 2, its
 * side within 30–40 mm at 203 dpi; "QR tributario:" is the row above it, "VERI*FACTU" the row
 * below, both centred and as large as anything on the document; blank paper (≥ 2 mm) above and
 * below the symbol; all of it before the store's name; the document's scan code a later QR.
 */
function expectFiscalQr(p: Paper, url: string, number: string, store: string): void {
  const qrs = qrCommands(p.bytes);
  expect(qrs.length).toBeGreaterThanOrEqual(2);
  const [fiscal] = qrs;
  expect(fiscal!.data).toBe(url);
  expect(fiscal!.level, 'error correction M').toBe(49);
  expect(fiscal!.model).toBe(2);
  expect(qrs.slice(1).map((q) => q.data)).toContain(`TPV:${number}`);
  // its printed side: modules of the version the URL needs at level M, times the module's dots
  const version = versionAtM(new TextEncoder().encode(url).length);
  expect(version).toBeGreaterThanOrEqual(5);
  const dots = (17 + 4 * version) * fiscal!.moduleDots;
  for (const dotsPerMm of [8, 203 / 25.4]) {
    expect(dots / dotsPerMm, `${dots} dots at ${dotsPerMm.toFixed(2)} dots/mm`).toBeGreaterThanOrEqual(30);
    expect(dots / dotsPerMm).toBeLessThanOrEqual(40);
  }
  // the decoder sees the same QR first, between the heading and the legend, before the store's name
  const events = p.job.events;
  const qrAt = events.findIndex((e) => e.type === 'qr');
  const qr = events[qrAt]!;
  expect(qr).toMatchObject({ type: 'qr', data: url });
  const row = qr.row;
  expect(p.rows[row - 1]).toBe('QR tributario:');
  expect(p.rows[row]).toBe(`[QR ${url}]`);
  expect(p.rows[row + 1]).toBe('VERI*FACTU');
  expect(p.rows.slice(0, row - 1).filter((r) => r !== ''), 'nothing printed before the heading').toEqual([]);
  expect(p.rows.indexOf(store)).toBeGreaterThan(row + 1);
  // centred on the 42 columns (the rows come padded), bold at double height like the store's name
  const centred = (text: string): string => ' '.repeat(Math.floor((42 - text.length) / 2)) + text;
  expect(p.job.rows[row - 1]).toMatchObject({ text: centred('QR tributario:'), bold: true, large: true });
  expect(p.job.rows[row + 1]).toMatchObject({ text: centred('VERI*FACTU'), bold: true, large: true });
  // blank paper around the symbol: fed right before and right after it
  const before = events[qrAt - 1]!;
  const after = events[qrAt + 1]!;
  for (const feed of [before, after]) {
    expect(feed.type).toBe('feed');
    expect('dots' in feed ? feed.dots : 0).toBeGreaterThanOrEqual(16);
  }
}

describe('with einvoice.scheme = verifactu', () => {
  let s: Shop;
  let app: App;
  let before = '';
  const STORE = 'Ultramarinos La Esquina';

  beforeAll(async () => {
    s = await shop('on');
    // a receipt issued before the scheme was turned on has no record: its reprint stays as it was
    before = await sell(s);
    s.paper();
    const setup = await s.run(['einvoice', 'setup', '--scheme', 'verifactu', '--env', 'test']);
    expect(setup.code, setup.stdout).toBe(0);
    app = await openApp(s.path);
  });
  afterAll(() => app.close());

  const urlOf = async (number: string): Promise<string> => {
    const url = qrUrlOf(app, documentByNumber(app, number).id);
    expect(url, `${number} has a QR`).not.toBeNull();
    return url!;
  };

  it('a receipt printed at the sale starts with the QR of its record, "QR tributario:" above it and "VERI*FACTU" below', async () => {
    const number = await sell(s);
    const url = await urlOf(number);
    expect(url).toMatch(/^https:\/\/prewww2\.aeat\.es\/wlpl\/TIKE-CONT\/ValidarQR\?nif=B12345674&numserie=T01-\d{6}&fecha=\d{2}-\d{2}-\d{4}&importe=\d+\.\d\d$/);
    expect(url).toContain(`numserie=${number}&`);
    const p = s.paper();
    expect(p.rows).toContain(STORE);
    expectFiscalQr(p, url, number, STORE);

    // the text preview is the paper, line for line: heading, [QR url], legend, then the store
    const shown = await cli(['--db', s.path, 'receipts', 'show', number]);
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split('\n').map((l) => l.trim());
    expect(lines.slice(0, 4)).toEqual(['QR tributario:', `[QR ${url}]`, 'VERI*FACTU', '']);
    expect(lines.indexOf(STORE)).toBeGreaterThan(3);
    expect(lines.indexOf(`[QR TPV:${number}]`)).toBeGreaterThan(lines.indexOf(STORE));
    expect(shown.stdout.trimEnd()).toBe(p.job.rows.map((r) => r.text).join('\n').trimEnd());
    const narrow = await cli(['--db', s.path, 'receipts', 'show', number, '--columns', '32']);
    expect(narrow.stdout.split('\n').slice(0, 3).map((l) => l.trim())).toEqual(['QR tributario:', `[QR ${url}]`, 'VERI*FACTU']);

    // and a reprint (a copy) carries the same QR first, the copy's mark after it
    const again = await s.run(['print', number]);
    expect(again.code, again.stdout).toBe(0);
    const copy = s.paper();
    expectFiscalQr(copy, url, number, STORE);
    expect(copy.rows.indexOf(t('receipt.copy', {}, 'es'))).toBeGreaterThan(copy.rows.indexOf('VERI*FACTU'));
  });

  it('a refund printed at the refund carries its own QR (a negative importe), and so does its reprint', async () => {
    const number = await sell(s);
    s.paper();
    const r = await s.run(['refund', number, '--print'], { lines: [{ line: 1, qty: '1' }], method: 'cash' });
    expect(r.code, r.stdout).toBe(0);
    const refund = r.json.data.refund.number as string;
    const url = await urlOf(refund);
    expect(url).toMatch(/&importe=-\d+\.\d\d$/);
    expect(url).toContain(`numserie=${refund}&`);
    expectFiscalQr(s.paper(), url, refund, STORE);
    expect((await s.run(['print', refund])).code).toBe(0);
    expectFiscalQr(s.paper(), url, refund, STORE);
    const shown = await cli(['--db', s.path, 'receipts', 'show', refund]);
    expect(shown.stdout).toContain(`[QR ${url}]`);
  });

  it('an invoice of a receipt carries its own QR, not the receipt\'s', async () => {
    const number = await sell(s);
    s.paper();
    expect((await s.run(['customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'B12345674', '--country', 'ES'])).code).toBe(0);
    const created = await s.run(['invoice', 'create', '--receipt', number, '--customer', 'B12345674']);
    expect(created.code, created.stdout).toBe(0);
    const invoice = created.json.data.number as string;
    const url = await urlOf(invoice);
    expect(url).toContain(`numserie=${invoice}&`);
    expect(url).not.toBe(await urlOf(number));
    expect((await s.run(['print', invoice])).code).toBe(0);
    const p = s.paper();
    expectFiscalQr(p, url, invoice, STORE);
    expect(p.rows).toContain('Ferretería Sol SL');
    // `tpv invoice show` prints the same text
    const shown = await cli(['--db', s.path, 'invoice', 'show', invoice]);
    expect(shown.stdout.split('\n').slice(0, 3).map((l) => l.trim())).toEqual(['QR tributario:', `[QR ${url}]`, 'VERI*FACTU']);
  });

  /** The records of a document, in chain order. */
  const recordsOf = (number: string): RegistroAlta[] =>
    (app.db.prepare('SELECT r.* FROM einvoice_records r JOIN documents d ON d.id = r.document_id WHERE d.number = ? ORDER BY r.id').all(number) as EinvoiceRow[]).map(
      (row) => JSON.parse(row.record) as RegistroAlta,
    );
  /** "12.34" / "-0.99" → minor units. */
  const minor = (text: string): number => Math.round(Number(text) * 100);

  it('a gift voucher sold alone is no factura: no record, nothing of VERI*FACTU on its paper; beside goods it is the N1 line of the ticket\'s record', async () => {
    const alone = await s.run(['sale', '--print'], { lines: [{ voucher: '25.00' }], payments: [{ method: 'card', amount: '25.00' }] });
    expect(alone.code, alone.stdout).toBe(0);
    const voucher = alone.json.data.receipt.number as string;
    expect(recordsOf(voucher)).toEqual([]);
    expect(qrUrlOf(app, documentByNumber(app, voucher).id)).toBeNull();
    expect((await s.run(['einvoice', 'show', voucher])).json.error.code).toBe('einvoice.no_record');
    const p = s.paper();
    // the receipt, then the voucher's slip: no fiscal QR on either, the receipt's only QR its scan code
    expect(p.rows.find((r) => r !== '')).toBe(STORE);
    expect(p.rows.some((r) => r.startsWith('Venta de vale regalo'))).toBe(true);
    expect(p.rows).toContain('Operación no sujeta a IVA');
    expect(p.rows).not.toContain('QR tributario:');
    expect(p.rows).not.toContain('VERI*FACTU');
    expect(p.rows.join('\n')).not.toContain('aeat.es');
    expect(qrCommands(p.bytes)[0]!.data).toBe(`TPV:${voucher}`);
    expect(qrCommands(p.bytes).filter((q) => q.data.includes('aeat.es'))).toEqual([]);

    const mixed = await s.run(['sale', '--print'], { lines: [{ code: 'LAC-001', qty: '2' }, { voucher: '10.00' }], payments: [{ method: 'cash', amount: '20' }] });
    expect(mixed.code, mixed.stdout).toBe(0);
    const ticket = mixed.json.data.receipt;
    const [f2] = recordsOf(ticket.number);
    expect(f2).toMatchObject({ tipoFactura: 'F2', importeTotal: ticket.total });
    // the goods at their rate (S1), the voucher not subject (N1), adding up to what was paid
    expect(f2!.desglose).toContainEqual({ claveRegimen: '01', calificacion: 'N1', base: '10.00' });
    expect(f2!.desglose.filter((d) => d.calificacion === 'S1')).toHaveLength(1);
    expect(f2!.desglose.reduce((a, d) => a + minor(d.base) + (d.cuota ? minor(d.cuota) : 0), 0)).toBe(minor(ticket.total));
    expect(minor(f2!.cuotaTotal)).toBe(ticket.taxes.reduce((a: number, x: { tax: string }) => a + minor(x.tax), 0));
    const url = await urlOf(ticket.number);
    expect(url).toMatch(new RegExp(`&importe=${ticket.total.replace('.', '\\.')}$`));
    expectFiscalQr(s.paper(), url, ticket.number, STORE);
    const { ok, errors } = xmllint(envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, [f2!]), MAIN_XSD, 'voucher-n1.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
  });

  it('an invoice of a gift voucher sold alone replaces no factura simplificada: an F1 naming none, its amount not subject (N1)', async () => {
    const alone = await s.run(['sale'], { lines: [{ voucher: '30.00' }], payments: [{ method: 'card', amount: '30.00' }] });
    const voucher = alone.json.data.receipt.number as string;
    // the customer (added by the invoice test above, when it ran)
    const added = await s.run(['customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'B12345674', '--country', 'ES']);
    expect([0, 5], added.stdout).toContain(added.code);
    const created = await s.run(['invoice', 'create', '--receipt', voucher, '--customer', 'B12345674']);
    expect(created.code, created.stdout).toBe(0);
    const [f1] = recordsOf(created.json.data.number);
    expect(f1).toMatchObject({ tipoFactura: 'F1', importeTotal: '30.00', cuotaTotal: '0.00', destinatarios: [{ nif: 'B12345674' }] });
    expect(f1!.sustituidas).toBeUndefined();
    expect(f1!.desglose).toEqual([{ claveRegimen: '01', calificacion: 'N1', base: '30.00' }]);
    const { ok, errors } = xmllint(envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, [f1!]), MAIN_XSD, 'voucher-f1.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
  });

  it('a receipt issued before the scheme was on, and a Z report, print without it', async () => {
    expect(qrUrlOf(app, documentByNumber(app, before).id)).toBeNull();
    expect((await s.run(['print', before])).code).toBe(0);
    const p = s.paper();
    expect(p.rows).not.toContain('QR tributario:');
    expect(p.rows).not.toContain('VERI*FACTU');
    expect(qrCommands(p.bytes).map((q) => q.data)).toEqual([`TPV:${before}`]);
    expect(p.rows.find((r) => r !== '')).toBe(STORE);
    const shown = await cli(['--db', s.path, 'receipts', 'show', before]);
    expect(shown.stdout).not.toContain('QR tributario:');
    expect(shown.stdout).not.toContain('aeat.es');
  });
});

describe('with the scheme off', () => {
  it('nothing of it is printed or shown: the receipt starts with the store, its only QR the scan code', async () => {
    const s = await shop('off');
    const number = await sell(s);
    const p = s.paper();
    expect(p.rows.find((r) => r !== '')).toBe('Ultramarinos La Esquina');
    expect(p.rows).not.toContain('QR tributario:');
    expect(p.rows).not.toContain('VERI*FACTU');
    expect(qrCommands(p.bytes).map((q) => q.data)).toEqual([`TPV:${number}`]);
    // the scan code keeps its usual module (6 dots) and its line feed: no feeds around it
    expect(qrCommands(p.bytes)[0]!.moduleDots).toBe(6);
    expect(p.job.events.filter((e) => e.type === 'feed' && 'dots' in e)).toEqual([]);
    const shown = await cli(['--db', s.path, 'receipts', 'show', number]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain('QR tributario:');
    expect(shown.stdout).not.toContain('VERI*FACTU');
    expect(shown.stdout.trimEnd()).toBe(p.job.rows.map((r) => r.text).join('\n').trimEnd());
  });
});
