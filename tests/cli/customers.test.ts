/** Customers from the command line: tax ids checked by the country's rules, import all-or-nothing. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';
import { customersImportAllOrNothing, customerWithCif, demoStore, jsonAt, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: cli, db: join(dir, 'customers.db'), dir };
const json = jsonAt(shop);
const run = (...args: string[]) => json(args);

beforeAll(async () => {
  await demoStore(shop);
});

describe('tpv customers', () => {
  it('adds a Spanish company with a valid CIF (any spelling) and refuses a wrong control digit naming the rule', () => customerWithCif(shop));

  it('a company RUC whose modulo 11 fails is refused, and kept as unverified only when asked (the SRI issues some so)', async () => {
    const bad = await run('customers', 'add', '--name', 'Importadora Quito SA', '--tax-id', '1790011675001', '--country', 'EC');
    expect(bad.code).toBe(3);
    expect(bad.json.error).toMatchObject({ code: 'taxid.check', details: { kind: 'RUC sociedad privada', rule: 'modulo 11', field: 'tax_id' } });
    const kept = await run('customers', 'add', '--name', 'Importadora Quito SA', '--tax-id', '1790011675001', '--country', 'EC', '--accept-tax-id');
    expect(kept.code).toBe(0);
    expect(kept.json.data).toMatchObject({ tax_id: '1790011675001', tax_id_kind: 'unverified' });
    // a wrong shape is never kept
    const shape = await run('customers', 'add', '--name', 'X', '--tax-id', '17900116', '--country', 'EC', '--accept-tax-id');
    expect(shape.json.error.code).toBe('taxid.format');
  });

  it('other countries: NIF of a person, Mexican RFC, EU VAT; unknown countries take any id', async () => {
    expect((await run('customers', 'add', '--name', 'Ana', '--tax-id', '12345678Z')).json.data.tax_id_kind).toBe('NIF');
    expect((await run('customers', 'add', '--name', 'Ana Bis', '--tax-id', '12345678A')).code).toBe(3);
    expect((await run('customers', 'add', '--name', 'Walmex', '--tax-id', 'XAXX010101000', '--country', 'MX')).code).toBe(0);
    expect((await run('customers', 'add', '--name', 'Acme', '--tax-id', 'ABC-123', '--country', 'US')).json.data.tax_id_kind).toBe('other');
    const set = await run('customers', 'set', 'ABC123', '--email', 'compras@acme.example');
    expect(set.json.data.email).toBe('compras@acme.example');
    expect((await run('customers', 'set', 'ABC123', '--email', 'not-an-email')).code).toBe(3);
  });

  it('import: every bad row listed with its line, nothing written; a good file imports', () => customersImportAllOrNothing(shop));

  it('a Mexican RFC whose check digit fails is kept, as unverified with a warning naming the rule (the SAT issued it)', async () => {
    const r = await cli(['--db', shop.db, 'customers', 'add', '--name', 'Autotransportes AAC', '--tax-id', 'AAC-090318-3F6', '--country', 'MX', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).data).toMatchObject({
      tax_id: 'AAC0903183F6',
      tax_id_kind: 'unverified',
      tax_id_warning: { code: 'taxid.check', params: { kind: 'RFC persona moral', rule: 'check digit' } },
    });
    expect(r.stderr).toContain('AAC0903183F6 kept unverified');
    const human = await cli(['--db', shop.db, 'customers', 'show', 'AAC0903183F6']);
    expect(human.stdout).toContain('(unverified)');
    expect(human.stdout).toMatch(/kept unverified: not a valid RFC persona moral: the check digit should be/);
    // a verified RFC has no warning; a word the SAT never issues is refused
    expect((await run('customers', 'add', '--name', 'Gómez Díaz', '--tax-id', 'GODE561231GR8', '--country', 'MX')).json.data).toMatchObject({ tax_id_kind: 'RFC persona física', tax_id_warning: null });
    const word = await run('customers', 'add', '--name', 'X', '--tax-id', 'CACA580710NF7', '--country', 'MX', '--accept-tax-id');
    expect(word.code).toBe(3);
    expect(word.json.error).toMatchObject({ code: 'taxid.component', details: { rule: 'name letters', field: 'tax_id' } });
  });

  it('the same refused id in Spanish and in English: the message in the user\'s words (no English in Spanish), the details the same identifiers', async () => {
    const add = (lang: string, ...more: string[]) =>
      cli(['--db', shop.db, 'customers', 'add', '--name', 'Ferretería Sur', '--country', 'ES', ...more, '--json'], { env: { TPV_LANG: lang } });
    const [en, es] = [await add('en', '--tax-id', 'B12345675'), await add('es', '--tax-id', 'B12345675')];
    expect([en.code, es.code]).toEqual([3, 3]);
    expect(en.json.error.message).toBe('tax_id: not a valid CIF: the control digit should be 4');
    expect(es.json.error.message).toBe('tax_id: no es un CIF válido: se esperaba 4 (dígito de control)');
    expect(es.json.error.details).toEqual(en.json.error.details);
    expect(es.json.error.details).toMatchObject({ kind: 'CIF', rule: 'control digit', expected: '4' });
    // a Mexican RFC kept unverified: the notice in Spanish, the warning's data in English identifiers
    const rfc = await cli(['--db', shop.db, 'customers', 'add', '--name', 'Gómez Díaz Bis', '--tax-id', 'GODE561231GR9', '--country', 'MX', '--json'], { env: { TPV_LANG: 'es' } });
    expect(rfc.code, rfc.stderr).toBe(0);
    expect(rfc.json.data.tax_id_warning).toEqual({ code: 'taxid.check', params: { kind: 'RFC persona física', rule: 'check digit', expected: '8' } });
    expect(rfc.stderr).toBe('identificación fiscal GODE561231GR9 guardada sin verificar: no es un RFC de persona física válido: se esperaba 8 (dígito verificador)\n');
    for (const text of [es.json.error.message, rfc.stderr]) {
      expect(text).not.toMatch(/\b(not|valid|should|check|digit|letter|modulo|VAT|unverified|kept)\b/);
    }
  });

  it('Ecuador: the RUCs the SRI issues in the other format, foreigners’ cédulas; France: FR + 9 digits is no key', async () => {
    expect((await run('customers', 'add', '--name', 'Quito Motors', '--tax-id', '1793221293001', '--country', 'EC')).json.data).toMatchObject({ tax_id_kind: 'RUC sociedad privada' });
    expect((await run('customers', 'add', '--name', 'Ana Pérez', '--tax-id', '0962467429001', '--country', 'EC')).json.data).toMatchObject({ tax_id_kind: 'RUC persona natural' });
    const fr = await run('customers', 'add', '--name', 'Société X', '--tax-id', 'FR 404833048', '--country', 'FR');
    expect(fr.code).toBe(3);
    expect(fr.json.error).toMatchObject({ code: 'taxid.format', details: { kind: 'VAT-FR', expected: 'XX999999999', field: 'tax_id' } });
    expect((await run('customers', 'add', '--name', 'Société X', '--tax-id', 'FR 83 404 833 048', '--country', 'FR')).json.data.tax_id).toBe('FR83404833048');
  });

  it('VAT numbers as people type them are normalised, found again in any spelling; an unverified one still takes a new e-mail', async () => {
    const nl = await run('customers', 'add', '--name', 'Bakkerij', '--tax-id', 'NL4495445B01', '--country', 'NL');
    expect(nl.json.data).toMatchObject({ tax_id: 'NL004495445B01', tax_id_kind: 'VAT-NL' });
    expect((await run('customers', 'show', 'nl 4495445 b01')).json.data.id).toBe(nl.json.data.id);
    expect((await run('customers', 'add', '--name', 'Brasserie', '--tax-id', 'BE (0)468.561.072', '--country', 'BE')).json.data.tax_id).toBe('BE0468561072');
    expect((await run('customers', 'add', '--name', 'Praha', '--tax-id', 'CZ 640229/4448', '--country', 'CZ')).json.data.tax_id).toBe('CZ6402294448');
    const kept = await run('customers', 'add', '--name', 'Importadora Guayaquil', '--tax-id', '0992397536001', '--country', 'EC', '--accept-tax-id');
    expect(kept.json.data).toMatchObject({ tax_id_kind: 'unverified', tax_id_warning: { code: 'taxid.check', params: { rule: 'modulo 11', expected: '5' } } });
    const set = await run('customers', 'set', String(kept.json.data.id), '--email', 'compras@guayaquil.example');
    expect(set.code, set.stdout).toBe(0);
    expect(set.json.data).toMatchObject({ email: 'compras@guayaquil.example', tax_id: '0992397536001', tax_id_kind: 'unverified' });
  });

  it('import --accept-tax-id: one unverifiable id never blocks a file; without it the row is named; a wrong shape is never kept', async () => {
    const file = join(dir, 'unverified.csv');
    writeFileSync(file, 'name,tax_id,country\nTelefónica,A28015865,ES\nImportadora Cuenca,0190115799001,EC\nTransportes AAC,SIN 931116 9P8,MX\n');
    const count = async (): Promise<number> => (await run('customers', 'list', '--search', 'Cuenca')).json.data.length;
    const refused = await run('customers', 'import', file);
    expect(refused.code).toBe(3);
    expect(refused.json.error.code).toBe('customer.import_rejected');
    // only the RUC: the RFC's check digit is a warning, not an error
    expect(refused.json.error.details.errors).toEqual([
      { line: 3, field: 'tax_id', code: 'taxid.check', params: { kind: 'RUC sociedad privada', rule: 'modulo 11', expected: '8', field: 'tax_id', value: '0190115799001' } },
    ]);
    expect(await count()).toBe(0);
    const human = await cli(['--db', shop.db, 'customers', 'import', file]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/3.*tax_id.*modulo 11/);

    // a wrong shape is refused with --accept-tax-id too, naming its row and field: nothing is written
    const shape = join(dir, 'shape.csv');
    writeFileSync(shape, 'name,tax_id,country\nImportadora Cuenca,0190115799001,EC\nLoja SA,11900,EC\n');
    const bad = await run('customers', 'import', shape, '--accept-tax-id');
    expect(bad.code).toBe(3);
    expect(bad.json.error.details.errors.map((e: { line: number; field: string; code: string }) => [e.line, e.field, e.code])).toEqual([[3, 'tax_id', 'taxid.format']]);
    expect(await count()).toBe(0);

    const ok = await cli(['--db', shop.db, 'customers', 'import', file, '--accept-tax-id', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const data = JSON.parse(ok.stdout).data;
    expect(data.created).toBe(3);
    expect(data.unverified).toEqual([
      { line: 3, tax_id: '0190115799001', warning: { code: 'taxid.check', params: { kind: 'RUC sociedad privada', rule: 'modulo 11', expected: '8' } } },
      { line: 4, tax_id: 'SIN9311169P8', warning: { code: 'taxid.check', params: { kind: 'RFC persona moral', rule: 'check digit', expected: '2' } } },
    ]);
    expect(ok.stderr).toContain('line 3: tax id 0190115799001 kept unverified');
    expect(ok.stderr).toContain('line 4: tax id SIN9311169P8 kept unverified');
    expect((await run('customers', 'show', '0190115799001')).json.data).toMatchObject({ name: 'Importadora Cuenca', tax_id_kind: 'unverified' });
  });

  it('a customer attached to a sale follows it to its refund and the store credit it issues', async () => {
    expect((await run('shift', 'open', '--float', '0')).code).toBe(0);
    const sale = await json(['sale'], { lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'card', amount: '0.99' }], customer: 'B12345674' });
    const id = (await run('customers', 'show', 'B12345674')).json.data.id;
    expect(sale.json.data.receipt.customer).toBe(id);
    const refund = await run('refund', sale.json.data.receipt.number, '--all', '--method', 'store_credit');
    const credit = await run('credit', 'show', refund.json.data.refund.store_credit.code);
    expect(credit.json.data.customer).toBe(id);
    expect((await run('credit', 'list', '--customer', String(id))).json.data).toHaveLength(1);
    const unknown = await json(['sale'], { lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'card', amount: '0.99' }], customer: 'B99999999' });
    expect(unknown.code).toBe(4);
  });
});
