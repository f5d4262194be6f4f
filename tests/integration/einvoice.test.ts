/**
 * Issue 14, the records: with VERI*FACTU on, every receipt, refund, invoice and credit note gets
 * its registro de alta in the document's transaction (F2, R5, F3, R1), chained by huella in one
 * linear chain per register — also with four processes selling at once — whose time never goes
 * back; records are immutable; `verifyChain` names the first record that does not hold.
 */
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { addCustomer } from '../../src/app/customers.js';
import { documentByNumber } from '../../src/app/documents.js';
import { altaFor, cancelRecord, type EinvoiceRow, verifyChain } from '../../src/app/einvoice.js';
import { createInvoice } from '../../src/app/invoices.js';
import { addProduct } from '../../src/app/products.js';
import { refund } from '../../src/app/refunds.js';
import { sell } from '../../src/app/sales.js';
import { changeSetting } from '../../src/app/settings.js';
import { parseSetting } from '../../src/app/settings-schema.js';
import { closeShift, openShift } from '../../src/app/shifts.js';
import { exportRecords } from '../../src/app/einvoice-export.js';
import { huella } from '../../src/einvoice/verifactu/huella.js';
import { parseExport } from '../../src/einvoice/verifactu/parse.js';
import type { RegistroAlta } from '../../src/einvoice/verifactu/record.js';
import { envelope } from '../../src/einvoice/verifactu/xml.js';
import { caught, makeShopWithCatalog, tempDir, tpv } from '../helpers.js';
import { MAIN_XSD, xmllint } from '../xmllint.js';

const dir = tempDir('tpv-einvoice-');
let n = 0;
let clock = new Date('2026-11-21T10:00:00Z');
let app: App;

const records = (db = app.db): (EinvoiceRow & { r: RegistroAlta })[] =>
  (db.prepare('SELECT * FROM einvoice_records ORDER BY id').all() as EinvoiceRow[]).map((row) => ({ ...row, r: JSON.parse(row.record) as RegistroAlta }));
const sale = (): string => sell(app, { lines: [{ code: 'LAC-001', qty: '2' }, { code: 'PAN-007' }], payments: [{ method: 'cash', amount: '20' }] }, actingUser(app.db)).receipt.number;

beforeEach(async () => {
  clock = new Date('2026-11-21T10:00:00Z');
  app = await makeShopWithCatalog(dir, `e-${n++}.db`, () => clock);
  openShift(app, actingUser(app.db), 10000);
});

describe('with einvoice.scheme = verifactu', () => {
  beforeEach(async () => {
    await changeSetting(app, actingUser(app.db), 'einvoice.scheme', 'verifactu');
  });

  it('a receipt, its refund, an invoice of a receipt: F2, R5, F3 in one chain, linked by huella, amounts as the XML writes them', () => {
    const first = sale();
    clock = new Date(clock.getTime() + 60_000);
    const second = sale();
    refund(app, first, { lines: [{ line: 1, qty: '1' }], method: 'cash' }, actingUser(app.db));
    addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES' });
    createInvoice(app, second, 'B12345674', actingUser(app.db));
    const rs = records();
    expect(rs.map((x) => x.tipo)).toEqual(['F2', 'F2', 'R5', 'F3']);
    expect(rs[0]!.prev_huella).toBeNull();
    expect(rs[0]!.r.anterior).toBeNull();
    for (let i = 1; i < rs.length; i++) {
      expect(rs[i]!.prev_huella).toBe(rs[i - 1]!.huella);
      expect(rs[i]!.r.anterior).toEqual({ ...rs[i - 1]!.r.id, huella: rs[i - 1]!.huella });
    }
    for (const x of rs) expect(huella(x.r)).toBe(x.huella);
    const [f2, , r5, f3] = rs.map((x) => x.r);
    expect(f2!.id).toEqual({ idEmisor: 'B12345674', numSerie: first, fechaExpedicion: '21-11-2026' });
    expect(f2!.fechaHoraHusoGenRegistro).toBe('2026-11-21T11:00:00+01:00');
    expect(f2!.importeTotal).toMatch(/^\d+\.\d\d$/);
    // a refund of a ticket corrects it by differences: negative amounts, the ticket named
    expect(r5).toMatchObject({ tipoFactura: 'R5', tipoRectificativa: 'I', rectificadas: [{ numSerie: first }] });
    expect(r5!.importeTotal.startsWith('-')).toBe(true);
    // an invoice of a ticket replaces it, and names the customer
    expect(f3).toMatchObject({ tipoFactura: 'F3', sustituidas: [{ numSerie: second }], destinatarios: [{ nif: 'B12345674', nombreRazon: 'Ferretería Sol SL' }] });
    expect(verifyChain(app.db)).toEqual({ records: 4, head: rs[3]!.huella });
    // what the till made, sent as the AEAT's message, is valid per its XSD
    const { ok, errors } = xmllint(envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, rs.map((x) => x.r)), MAIN_XSD, 'till-records.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
    // a Z report is no factura: no record
    closeShift(app, actingUser(app.db), 10000);
    expect(records()).toHaveLength(4);
  });

  it('the customer of an invoice: a Spanish one by NIF (an ES VAT number without its prefix), an EU one by IDOtro 02, anyone else by IDOtro 04; valid per the XSD', () => {
    const customers = [
      { name: 'Ferretería Sol SL', taxId: 'ESB12345674', country: 'ES' },
      { name: 'Quincaillerie du Port SARL', taxId: 'FR40303265045', country: 'FR' },
      { name: 'Ferretería Azteca SA de CV', taxId: 'FAZ8501012UA', country: 'MX' },
    ];
    for (const c of customers) {
      addCustomer(app, c);
      createInvoice(app, sale(), c.taxId, actingUser(app.db));
    }
    const f3 = records().filter((x) => x.tipo === 'F3').map((x) => x.r);
    expect(f3.map((r) => r.destinatarios)).toEqual([
      [{ nombreRazon: 'Ferretería Sol SL', nif: 'B12345674' }],
      [{ nombreRazon: 'Quincaillerie du Port SARL', idOtro: { codigoPais: 'FR', idType: '02', id: 'FR40303265045' } }],
      [{ nombreRazon: 'Ferretería Azteca SA de CV', idOtro: { codigoPais: 'MX', idType: '04', id: 'FAZ8501012UA' } }],
    ]);
    const xml = envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, f3);
    expect(xml).toContain('<sum1:IDOtro><sum1:CodigoPais>FR</sum1:CodigoPais><sum1:IDType>02</sum1:IDType><sum1:ID>FR40303265045</sum1:ID></sum1:IDOtro>');
    expect(xmllint(xml, MAIN_XSD, 'destinatarios.xml')).toEqual({ ok: true, errors: '' });
    // the inspector's export reads back as the same records
    expect(parseExport(exportRecords(app, {}, clock).chunks.join('')).registros).toEqual(records().map((x) => x.r));
  });

  it('a 0 % rate is what einvoice.zero_rate says: S1 at 0 % by default, an exempt operation (E1) with no rate nor cuota, or not subject (N1); valid per the XSD', async () => {
    addProduct(app, actingUser(app.db), { sku: 'SEL-001', name: 'Sello ordinario', price: '0.90', tax_rate: '0' });
    const zeroSale = () =>
      sell(app, { lines: [{ code: 'SEL-001', qty: '2' }, { code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5' }] }, actingUser(app.db)).receipt.number;
    zeroSale();
    await changeSetting(app, actingUser(app.db), 'einvoice.zero_rate', 'E1');
    zeroSale();
    await changeSetting(app, actingUser(app.db), 'einvoice.zero_rate', 'N1');
    zeroSale();
    const [s1, e1, n1] = records().map((x) => x.r);
    const zero = (r: RegistroAlta) => r.desglose.find((d) => d.base === '1.80');
    expect(zero(s1!)).toEqual({ claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '0', base: '1.80', cuota: '0.00' });
    expect(zero(e1!)).toEqual({ claveRegimen: '01', operacionExenta: 'E1', base: '1.80' });
    expect(zero(n1!)).toEqual({ claveRegimen: '01', calificacion: 'N1', base: '1.80' });
    const xml = envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, [s1!, e1!, n1!]);
    expect(xml).toContain('<sum1:OperacionExenta>E1</sum1:OperacionExenta><sum1:BaseImponibleOimporteNoSujeto>1.80</sum1:BaseImponibleOimporteNoSujeto></sum1:DetalleDesglose>');
    expect(xmllint(xml, MAIN_XSD, 'zero-rate.xml')).toEqual({ ok: true, errors: '' });
    expect(parseExport(exportRecords(app, {}, clock).chunks.join('')).registros).toEqual([s1, e1, n1]);
    expect(caught(() => parseSetting('einvoice.zero_rate', 'E9')).code).toBe('setting.einvoice_zero_rate');
  });

  it('an invoice issued in error is cancelled: a registro de anulación in the same chain, once; valid per the XSD', () => {
    const number = sale();
    addCustomer(app, { name: 'Ferretería Sol SL', taxId: 'B12345674', country: 'ES' });
    const invoice = createInvoice(app, number, 'B12345674', actingUser(app.db)).invoice.number;
    const anulacion = cancelRecord(app, actingUser(app.db), invoice);
    const rs = records();
    expect(rs.map((x) => x.kind)).toEqual(['alta', 'alta', 'anulacion']);
    expect(anulacion).toMatchObject({ kind: 'anulacion', id: { numSerie: invoice }, anterior: { numSerie: invoice, huella: rs[1]!.huella } });
    expect(rs[2]!.huella).toBe(huella(anulacion));
    expect(verifyChain(app.db).broken).toBeUndefined();
    expect(caught(() => cancelRecord(app, actingUser(app.db), invoice))).toMatchObject({ code: 'einvoice.already_cancelled' });
    expect(caught(() => cancelRecord(app, actingUser(app.db), 'T01-999999'))).toMatchObject({ code: 'einvoice.no_record' });
    const { ok, errors } = xmllint(envelope({ nombreRazon: 'La Esquina Alimentación SL', nif: 'B12345674' }, rs.map((x) => x.r)), MAIN_XSD, 'anulacion.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
  });

  it('the chain\'s time never goes back when the clock does: a record is made at the previous one\'s time', () => {
    sale();
    clock = new Date(clock.getTime() - 3600_000);
    sale();
    const [a, b] = records();
    expect(b!.generated_at).toBe(a!.generated_at);
    expect(verifyChain(app.db).broken).toBeUndefined();
  });

  it('records are immutable; an edited record is named by verifyChain', () => {
    sale();
    sale();
    expect(() => app.db.prepare("UPDATE einvoice_records SET record = '{}' WHERE id = 1").run()).toThrow(/immutable/);
    expect(() => app.db.prepare('DELETE FROM einvoice_records').run()).toThrow(/immutable/);
    expect(() => app.db.prepare("UPDATE einvoice_states SET state = 'accepted'").run()).toThrow(/append-only/);
    app.db.exec('DROP TRIGGER einvoice_records_no_update');
    const edited = records()[1]!;
    app.db.prepare('UPDATE einvoice_records SET record = ? WHERE id = ?').run(JSON.stringify({ ...edited.r, importeTotal: '0.01' }), edited.id);
    expect(verifyChain(app.db).broken).toEqual({ id: edited.id, number: edited.r.id.numSerie, reason: 'huella' });
  });

  it('an amount beyond what the XSD takes (12 digits, 2 decimals) is refused naming the field', () => {
    const number = sale();
    const doc = documentByNumber(app, number);
    const huge = { ...doc, total: 1e15, taxes: doc.taxes.map((t) => ({ ...t, base: 1e15 })) };
    expect(caught(() => altaFor(app, huge, undefined, clock))).toMatchObject({ code: 'einvoice.amount_limit', params: { field: 'ImporteTotal', number } });
    expect(altaFor(app, doc, undefined, clock)?.importeTotal).toMatch(/^\d+\.\d\d$/);
  });

  it('a store without a tax id cannot sell with the scheme on: nothing written', async () => {
    app.db.prepare("UPDATE settings SET value = '\"\"' WHERE key = 'store.tax_id'").run();
    app.reload();
    const before = app.db.prepare('SELECT count(*) FROM documents').pluck().get();
    expect(caught(() => sale())).toMatchObject({ code: 'einvoice.no_tax_id' });
    expect(app.db.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(before);
    expect(records()).toEqual([]);
  });
});

it('with the scheme off (the default) no record is made', () => {
  sale();
  expect(records()).toEqual([]);
});

it('four processes selling at once make one linear chain', { timeout: 120_000 }, async () => {
  await changeSetting(app, actingUser(app.db), 'einvoice.scheme', 'verifactu');
  const path = app.path;
  app.close();
  const SALES = 8;
  const writer = async (): Promise<void> => {
    for (let i = 0; i < SALES; i++) {
      const r = await tpv(['--db', path, 'sale', '--json'], { input: JSON.stringify({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '5' }] }) });
      expect(r.code, r.stdout).toBe(0);
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
  const db = new Database(path, { readonly: true });
  try {
    const rs = records(db);
    expect(rs).toHaveLength(4 * SALES);
    expect(new Set(rs.map((x) => x.prev_huella)).size).toBe(rs.length);
    expect(verifyChain(db)).toEqual({ records: 4 * SALES, head: rs.at(-1)!.huella });
  } finally {
    db.close();
    app = await makeShopWithCatalog(dir, `e-${n++}.db`, () => clock); // afterwards nothing else uses it
  }
});
