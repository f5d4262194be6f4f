/** Customers from the command line: tax ids checked by the country's rules, import all-or-nothing. */
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
