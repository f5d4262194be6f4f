/**
 * Issue 14, for a tax inspector: `tpv einvoice export --from --to [FILE]` (the records of a range
 * of days as the AEAT's XML, in chain order, in one list element of our own) and `tpv einvoice
 * verify --file FILE` (the huella chain recomputed from the file alone). A day of a shop — sales,
 * a refund, an invoice, a cancellation — exported; each record byte-identical to what is sent,
 * read back losslessly and valid per the AEAT's XSD; a changed amount and a deleted record named.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExport } from '../../src/einvoice/verifactu/parse.js';
import type { Registro } from '../../src/einvoice/verifactu/record.js';
import { envelope, registroXml } from '../../src/einvoice/verifactu/xml.js';
import { cli, makeShopWithCatalog, tempDir } from '../helpers.js';
import { xmllint } from '../xmllint.js';

const dir = tempDir('tpv-einvoice-export-');
let path = '';
const run = (...args: string[]) => cli(['--db', path, ...args]);
const file = (name: string): string => join(dir, name);
/** The record elements of an export, as written. */
const elementsOf = (xml: string): string[] => [...xml.matchAll(/<sum1:(RegistroAlta|RegistroAnulacion)>.*?<\/sum1:\1>/gs)].map((m) => m[0]);

let from = '';
let to = '';
let xml = '';
/** The records as stored, in chain order. */
let stored: { number: string; record: Registro }[] = [];

async function sell(code: string, amount: string): Promise<string> {
  const r = await cli(['--db', path, 'sale', '--json'], { input: JSON.stringify({ lines: [{ code, qty: '1' }], payments: [{ method: 'cash', amount }] }) });
  expect(r.code, r.stdout).toBe(0);
  return r.json.data.receipt.number as string;
}

beforeAll(async () => {
  const app = await makeShopWithCatalog(dir, 'shop.db', () => new Date());
  path = app.path;
  app.close();
  expect((await run('einvoice', 'setup', '--scheme', 'verifactu', '--env', 'test')).code).toBe(0);
  expect((await run('shift', 'open', '--float', '100')).code).toBe(0);
  const receipts = [await sell('LAC-001', '10'), await sell('PAN-007', '10'), await sell('LAC-001', '10')];
  const refund = await run('refund', receipts[0]!, '--all', '--method', 'cash', '--json');
  expect(refund.code, refund.stdout).toBe(0);
  expect((await run('customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'B12345674')).code).toBe(0);
  const invoice = await run('invoice', 'create', '--receipt', receipts[1]!, '--customer', 'B12345674', '--json');
  expect(invoice.code, invoice.stdout).toBe(0);
  expect((await run('einvoice', 'cancel', receipts[2]!)).code).toBe(0);
  await sell('PAN-007', '10');

  const db = new Database(path, { readonly: true });
  const days = db.prepare('SELECT min(substr(created_at, 1, 10)) AS first, max(substr(created_at, 1, 10)) AS last FROM documents').get() as { first: string; last: string };
  stored = (db.prepare('SELECT d.number, r.record FROM einvoice_records r JOIN documents d ON d.id = r.document_id ORDER BY r.id').all() as { number: string; record: string }[]).map((r) => ({
    number: r.number,
    record: JSON.parse(r.record) as Registro,
  }));
  db.close();
  ({ first: from, last: to } = days);
  expect(stored.map((s) => s.record.kind)).toEqual(['alta', 'alta', 'alta', 'alta', 'alta', 'anulacion', 'alta']);
  expect(stored.map((s) => (s.record.kind === 'alta' ? s.record.tipoFactura : 'anulacion'))).toEqual(['F2', 'F2', 'F2', 'R5', 'F3', 'anulacion', 'F2']);
});

describe('tpv einvoice export', () => {
  it('writes the day\'s records to a file, in chain order, each exactly as sent, with its state in a comment outside it', async () => {
    const r = await run('einvoice', 'export', '--from', from, '--to', to, file('day.xml'), '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ path: file('day.xml'), records: 7, first: stored[0]!.number, last: stored.at(-1)!.number, head: stored.at(-1)!.record.huella });
    xml = readFileSync(file('day.xml'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<tpv:RegistrosFacturacion ')).toBe(true);
    expect(xml).toContain('NIF="B12345674"');
    const elements = elementsOf(xml);
    expect(elements).toEqual(stored.map((s) => registroXml(s.record)));
    expect(xml.match(/<!-- state pending -->\n<sum1:Registro/g)).toHaveLength(7);

    const human = await run('einvoice', 'export', '--from', from, '--to', to, file('day2.xml'));
    expect(human.stdout).toContain(`7 e-invoicing records (${stored[0]!.number}–${stored.at(-1)!.number}) written to ${file('day2.xml')}`);
    // without FILE: the same XML on stdout
    const out = await run('einvoice', 'export', '--from', from, '--to', to);
    expect(out.code).toBe(0);
    expect(elementsOf(out.stdout)).toEqual(elements);
  });

  it('reads back losslessly: registroXml of each parsed record is the exported element, byte for byte, and they validate against the AEAT\'s XSD', () => {
    const parsed = parseExport(xml);
    expect(parsed.attributes).toMatchObject({ NIF: 'B12345674', Desde: from, Hasta: to });
    expect(parsed.registros).toEqual(stored.map((s) => s.record));
    expect(parsed.registros.map(registroXml)).toEqual(elementsOf(xml));
    // amounts stay text as written ("-1.90", never -1.9)
    const refund = parsed.registros[3]!;
    expect(refund.kind === 'alta' && typeof refund.importeTotal).toBe('string');
    expect(refund.kind === 'alta' && refund.importeTotal).toMatch(/^-\d+\.\d\d$/);
    const lint = xmllint(envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, parsed.registros), undefined, 'export.xml');
    expect(lint.errors).toBe('');
    expect(lint.ok).toBe(true);
  });

  it('a range with no records is an empty list, not an error; a bad date is refused naming the flag', async () => {
    const r = await run('einvoice', 'export', '--from', '2001-01-01', '--to', '2001-01-31');
    expect(r.code, r.stderr).toBe(0);
    expect(elementsOf(r.stdout)).toEqual([]);
    expect(parseExport(r.stdout).registros).toEqual([]);
    const written = await run('einvoice', 'export', '--from', '2001-01-01', '--to', '2001-01-31', file('empty.xml'), '--json');
    expect(written.json.data).toMatchObject({ records: 0, first: null, head: null });
    expect((await run('einvoice', 'verify', '--file', file('empty.xml'), '--json')).json.data).toMatchObject({ records: 0, head: null });

    const bad = await run('einvoice', 'export', '--from', '2026-13-45', '--to', to, '--json');
    expect(bad.code).toBe(2);
    expect(bad.json.error).toMatchObject({ code: 'report.date' });
    expect(bad.json.error.message).toContain('--from');
    const worse = await run('einvoice', 'export', '--from', from, '--to', 'yesterday');
    expect(worse.code).toBe(2);
    expect(worse.stderr).toContain('--to');
  });
});

describe('tpv einvoice verify --file', () => {
  it('recomputes the chain from the file alone: the whole day holds', async () => {
    const r = await run('einvoice', 'verify', '--file', file('day.xml'), '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ records: 7, head: stored.at(-1)!.record.huella, anterior: null });
    const human = await run('einvoice', 'verify', '--file', file('day.xml'));
    expect(human.stdout).toContain(`7 e-invoicing records verified (${stored[0]!.number}–${stored.at(-1)!.number}), head ${stored.at(-1)!.record.huella.slice(0, 16)}`);
  });

  it('an export that starts after the chain\'s first record: its first record\'s anterior is taken as given', async () => {
    const elements = elementsOf(xml);
    writeFileSync(file('later.xml'), xml.replace(elements[0]!, '').replace(elements[1]!, ''));
    const r = await run('einvoice', 'verify', '--file', file('later.xml'), '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.data).toMatchObject({ records: 5, first: stored[2]!.number, anterior: { number: stored[1]!.number, huella: stored[1]!.record.huella } });
  });

  it('an ImporteTotal changed in the file: that record is named (exit 5, broken_huella)', async () => {
    const target = elementsOf(xml)[2]!;
    const changed = target.replace(/<sum1:ImporteTotal>[^<]+<\/sum1:ImporteTotal>/, '<sum1:ImporteTotal>0.10</sum1:ImporteTotal>');
    expect(changed).not.toBe(target);
    writeFileSync(file('changed.xml'), xml.replace(target, changed));
    const r = await run('einvoice', 'verify', '--file', file('changed.xml'), '--json');
    expect(r.code, r.stdout).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'einvoice.broken_huella', details: { broken: { position: 3, number: stored[2]!.number, reason: 'huella' } } });
    expect(r.json.error.message).toContain(stored[2]!.number);
  });

  it('a record deleted in the middle: the next one is named (exit 5, broken_link)', async () => {
    const target = elementsOf(xml)[3]!;
    writeFileSync(file('deleted.xml'), xml.replace(target, ''));
    const r = await run('einvoice', 'verify', '--file', file('deleted.xml'), '--json');
    expect(r.code, r.stdout).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'einvoice.broken_link', details: { broken: { position: 4, number: stored[4]!.number, reason: 'link' } } });
  });

  it('a file that is no export is refused (exit 3) saying why', async () => {
    const cases: [string, string, RegExp][] = [
      ['json.xml', '{"entries": []}', /not well-formed XML|root/],
      ['cut.xml', xml.slice(0, xml.length / 2), /not well-formed XML/],
      ['soap.xml', envelope({ nombreRazon: 'X', nif: 'B12345674' }, [stored[0]!.record]), /root element is Envelope/],
      ['extra.xml', xml.replace('<sum1:CuotaTotal>', '<sum1:Nota>x</sum1:Nota><sum1:CuotaTotal>'), /Nota/],
    ];
    for (const [name, text, reason] of cases) {
      writeFileSync(file(name), text);
      const r = await run('einvoice', 'verify', '--file', file(name), '--json');
      expect(r.code, `${name}: ${r.stdout}`).toBe(3);
      expect(r.json.error.code, name).toBe('einvoice.not_an_export');
      expect(r.json.error.message, name).toMatch(reason);
    }
    expect((await run('einvoice', 'verify', '--file', file('none.xml'))).code).toBe(4);
  });
});
