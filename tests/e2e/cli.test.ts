/**
 * End-to-end: the built `tpv` spawned like a user (or a script) runs it — start-up, exit codes
 * through bin/tpv, stdin piped from another process, no prompt without a terminal, a real older
 * database migrated. The rest of the CLI is tested in-process in tests/cli/cli.test.ts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeOlderDatabase, tempDir, tpv } from '../helpers.js';

const dir = tempDir();
const DB = join(dir, 'shop.db');
const db = (...args: string[]): string[] => ['--db', DB, ...args];

const INIT = [
  'init',
  '--name', 'Ferretería Sol',
  '--legal-name', 'Ferretería Sol SL',
  '--tax-id', 'B12345674',
  '--address', 'Calle Mayor 1, Madrid',
  '--country', 'ES',
  '--admin-pin-stdin',
];

beforeAll(async () => {
  const r = await tpv([...db(...INIT), '--json'], { input: '4321\n' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

describe('basics', () => {
  it('--version and --help', async () => {
    const v = await tpv(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await tpv(['products', 'import', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--skip-invalid');
    expect(h.stdout).toMatch(/Examples:\n\s+\$ tpv products import/);
  });

  it('an unknown command or option is a usage error (exit 2), as JSON with --json', async () => {
    expect((await tpv(['frobnicate'])).code).toBe(2);
    const r = await tpv(['products', 'list', '--bogus', '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'cli.usage' } });
  });
});

describe('init', () => {
  it('without a terminal, a missing field fails naming the flag (exit 2)', async () => {
    const r = await tpv(['--db', join(dir, 'x.db'), 'init', '--name', 'X', '--json'], { input: '1234\n' });
    expect(r.code).toBe(2);
    expect(r.json.error.message).toContain('--tax-id');
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });

  it('a command on a missing database says how to create one (exit 4)', async () => {
    const r = await tpv(['--db', join(dir, 'missing.db'), 'products', 'list', '--json']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('store.missing');
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });
});

describe('import from the command line', () => {
  it('reads stdin with "-", and --dry-run writes nothing', async () => {
    const csv = 'sku;name;price;tax_rate\nSTD-1;Producto de stdin;1,50;21\n';
    const dry = await tpv(db('products', 'import', '-', '--dry-run', '--json'), { input: csv });
    expect(dry.json.data).toMatchObject({ created: 1, dryRun: true, written: false });
    expect((await tpv(db('products', 'show', 'STD-1'))).code).toBe(4);
    const real = await tpv(db('products', 'import', '-', '--json'), { input: csv });
    expect(real.json.data).toMatchObject({ created: 1, written: true });
  });
});

describe('migrations from the command line', () => {
  it('an older database is migrated by any command, with a backup and a note on stderr', async () => {
    const old = join(dir, 'older.db');
    makeOlderDatabase(old);
    const r = await tpv(['--db', old, 'products', 'list', '--search', 'choc', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data.map((p: { sku: string }) => p.sku)).toEqual(['CHOC-1']);
    expect(r.stderr).toMatch(/upgraded.*backup/);
    expect(readdirSync(dir).some((f) => f.startsWith('older.db.bak-'))).toBe(true);
    const again = await tpv(['--db', old, 'migrate', 'status', '--json']);
    expect(again.json.data.migrations.every((m: { state: string }) => m.state === 'applied')).toBe(true);
    expect(again.stderr).toBe('');
  });
});
