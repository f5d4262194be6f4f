/**
 * End-to-end: customers through the built `tpv` — a tax id refused naming its rule (exit 3), a
 * duplicate (exit 5), an unknown customer (exit 4), an all-or-nothing import, and one whose
 * unverifiable tax ids are kept with `--accept-tax-id`. The store is set up
 * in-process; customers are tested in full in-process in tests/cli/customers.test.ts, and the
 * tests both files run are written once in tests/scenarios.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';
import { customersImportAllOrNothing, customerWithCif, demoStore, type Shop } from '../scenarios.js';

const dir = tempDir();
const shop: Shop = { run: tpv, db: join(dir, 'customers.db'), dir };

beforeAll(async () => {
  await demoStore({ ...shop, run: cli });
});

describe('tpv customers', () => {
  it('adds a Spanish company with a valid CIF (any spelling) and refuses a wrong control digit naming the rule', () => customerWithCif(shop));

  it('import: every bad row listed with its line, nothing written; a good file imports', () => customersImportAllOrNothing(shop));

  it('import --accept-tax-id: a RUC whose modulo 11 fails is named (exit 3) without it, kept unverified with it; an RFC’s check digit only warns', async () => {
    const file = join(dir, 'unverified.csv');
    writeFileSync(file, 'name;tax_id;country\nImportadora Cuenca;0992397536001;EC\nAutotransportes AAC;AAC0903183F6;MX\n');
    const refused = await tpv(['--db', shop.db, 'customers', 'import', file, '--json']);
    expect(refused.code).toBe(3);
    expect(refused.json.error.details.errors).toMatchObject([{ line: 2, field: 'tax_id', code: 'taxid.check', params: { rule: 'modulo 11' } }]);
    expect((await tpv(['--db', shop.db, 'customers', 'list', '--search', 'Cuenca', '--json'])).json.data).toEqual([]);
    const kept = await tpv(['--db', shop.db, 'customers', 'import', file, '--accept-tax-id', '--json']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.json.data).toMatchObject({ created: 2, unverified: [{ line: 2, tax_id: '0992397536001' }, { line: 3, tax_id: 'AAC0903183F6' }] });
    expect(kept.stderr).toContain('line 3: tax id AAC0903183F6 kept unverified');
    expect((await tpv(['--db', shop.db, 'customers', 'show', 'AAC0903183F6', '--json'])).json.data).toMatchObject({ tax_id_kind: 'unverified', tax_id_warning: { code: 'taxid.check' } });
  });
});
