/**
 * End-to-end: customers through the built `tpv` — a tax id refused naming its rule (exit 3), a
 * duplicate (exit 5), an unknown customer (exit 4), an all-or-nothing import. The store is set up
 * in-process; customers are tested in full in-process in tests/cli/customers.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, tpv } from '../helpers.js';

const dir = tempDir();
const DB = join(dir, 'customers.db');
const run = (...args: string[]) => tpv(['--db', DB, ...args, '--json']);

beforeAll(async () => {
  expect((await cli(['--db', DB, 'init', '--demo'])).code).toBe(0);
});

describe('tpv customers', () => {
  it('adds a Spanish company with a valid CIF (any spelling) and refuses a wrong control digit naming the rule', async () => {
    const ok = await run('customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'b-12345674', '--country', 'ES');
    expect(ok.code).toBe(0);
    expect(ok.json.data).toMatchObject({ name: 'Ferretería Sol SL', tax_id: 'B12345674', tax_id_kind: 'CIF', country: 'ES' });
    const bad = await run('customers', 'add', '--name', 'X', '--tax-id', 'B12345675', '--country', 'ES');
    expect(bad.code).toBe(3);
    expect(bad.json.error).toMatchObject({ code: 'taxid.check', details: { rule: 'control digit', expected: '4', field: 'tax_id' } });
    expect(bad.json.error.message).toContain('control digit');
    const dup = await run('customers', 'add', '--name', 'Otra', '--tax-id', 'B12345674');
    expect(dup.code).toBe(5);
    expect((await run('customers', 'show', 'B12345674')).json.data.id).toBe(ok.json.data.id);
    expect((await run('customers', 'show', '999')).code).toBe(4);
  });

  it('import: every bad row listed with its line, nothing written; a good file imports', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'name;tax_id;country\nBazar Luna;X1234567L;ES\n;A58818501;ES\nCasa Pepe;A58818502;ES\n');
    const r = await run('customers', 'import', bad);
    expect(r.code).toBe(3);
    expect(r.json.error.details.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([[3, 'name'], [4, 'tax_id']]);
    expect((await run('customers', 'list', '--search', 'Bazar')).json.data).toEqual([]);
    const good = join(dir, 'good.csv');
    writeFileSync(good, 'name,tax_id,country\nBazar Luna,X1234567L,ES\nCasa Pepe,A58818501,ES\n');
    expect((await run('customers', 'import', good)).json.data.created).toBe(2);
    expect((await run('customers', 'list', '--search', 'Bazar')).json.data).toHaveLength(1);
  });
});
