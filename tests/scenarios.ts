/**
 * What tests/cli (the CLI in-process, `cli`) and tests/e2e (the built tpv spawned, `tpv`) share:
 * the set-up of a store, request builders, money helpers, and the bodies of the tests both files
 * run. Everything takes a `Shop` — the runner, the database and the test file's temp folder — so
 * a body written once here proves the same thing in-process and in a real process. Each test file
 * keeps its own `it(...)`, with the same name in both.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type cli, makeOlderDatabase, type RunOptions, type RunResult } from './helpers.js';

/** `cli` (in-process) or `tpv` (spawned): the same arguments, options and result. */
export type Runner = typeof cli;

/** Where a test file's commands go: the runner, its store, its temp folder. */
export interface Shop {
  run: Runner;
  db: string;
  dir: string;
}

/** A command on the shop's database: `--db <db>` before the arguments. */
export type At = (args: string[], opts?: RunOptions) => Promise<RunResult>;
export const at =
  (shop: Shop): At =>
  (args, opts = {}) =>
    shop.run(['--db', shop.db, ...args], opts);

/**
 * A command on the shop's database with `--json` after the arguments; the request on stdin (an
 * object as JSON, a string as it is) and variables added to the environment.
 */
export type JsonAt = (args: string[], input?: unknown, env?: Record<string, string>) => Promise<RunResult>;
export const jsonAt =
  (shop: Shop): JsonAt =>
  (args, input, env) =>
    shop.run(['--db', shop.db, ...args, '--json'], {
      ...(input !== undefined ? { input: typeof input === 'string' ? input : JSON.stringify(input) } : {}),
      ...(env ? { env } : {}),
    });

// --- users and stores ---

export interface User {
  code: string;
  name: string;
  role: 'cashier' | 'supervisor' | 'admin';
  pin: string;
}
export const ANA: User = { code: 'ana', name: 'Ana', role: 'cashier', pin: '2468' };
export const SUP: User = { code: 'sup', name: 'Marta Supervisora', role: 'supervisor', pin: '1357' };
/** The environment that lets `--approver sup` approve. */
export const APPROVE = { TPV_APPROVER_PIN: SUP.pin };
/** The environment of a command run as `--user <user>`: their PIN in TPV_PIN. */
export const pinOf = (user: User): { TPV_PIN: string } => ({ TPV_PIN: user.pin });

/** `tpv users add`, the PIN on stdin. */
export async function addUser(shop: Shop, user: User): Promise<void> {
  const r = await at(shop)(['users', 'add', user.code, '--name', user.name, '--role', user.role, '--json'], { input: `${user.pin}\n` });
  expect(r.code, r.stdout).toBe(0);
}

/** `tpv init --demo` (admin PIN 1234), then the users given; the result of the init. */
export async function demoStore(shop: Shop, ...users: User[]): Promise<RunResult> {
  const init = await at(shop)(['init', '--demo', '--json']);
  expect(init.code, init.stderr).toBe(0);
  for (const u of users) await addUser(shop, u);
  return init;
}

/** `tpv init` with every field given as a flag; the admin PIN comes on stdin. */
export const STORE_INIT = [
  'init',
  '--name', 'Ferretería Sol',
  '--legal-name', 'Ferretería Sol SL',
  '--tax-id', 'B12345674',
  '--address', 'Calle Mayor 1, Madrid',
  '--country', 'ES',
  '--admin-pin-stdin',
];
export const STORE_PIN = '4321';

/** A store made with STORE_INIT (no catalog), quietly. */
export async function newStore(shop: Shop): Promise<void> {
  const r = await at(shop)([...STORE_INIT, '--json'], { input: `${STORE_PIN}\n` });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

// --- money ---

/** A decimal string ("-0.02", "16.50", "3") as integer cents, exactly. */
export function cents(s: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not an amount: ${s}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0')));
}
/** Integer cents as the decimal string tpv prints. */
export const dec = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/** A time as tpv prints it: ISO 8601 in the store's time zone, with its offset. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

// --- sales ---

export interface SaleBody {
  id?: string;
  lines: { code: string; qty?: string; price?: string; discount?: string }[];
  discount?: string;
  payments: { method: string; amount: string }[];
  customer?: null;
}

/** `tpv sale --json` with the sale on stdin; extra global flags (--user, --approver) before it. */
export const saleAt =
  (shop: Shop) =>
  (body: SaleBody | string, flags: string[] = [], env: Record<string, string> = {}): Promise<RunResult> =>
    at(shop)([...flags, 'sale', '--json'], { input: typeof body === 'string' ? body : JSON.stringify(body), env });

/** A sale that must go through (any request `tpv sale` takes): its receipt. */
export const receiptAt = (shop: Shop) => async (sale: unknown) => {
  const r = await jsonAt(shop)(['sale'], sale);
  expect(r.code, r.stderr).toBe(0);
  return r.json.data.receipt;
};

// The worked example's catalog: prices include tax, EUR.
export const GALLETAS = { sku: 'GAL-001', barcode: '8412345678905' }; // 1.99 at 21 %
export const AGUA = { sku: 'AGU-001' }; // 0.85 at 10 %
export const JAMON = { sku: 'JAM-001' }; // 12.90 / kg at 10 %

/** The demo store with the worked example's three products added (and the users given); the result of the init. */
export async function workedExampleStore(shop: Shop, ...users: User[]): Promise<RunResult> {
  const init = await demoStore(shop);
  const adds = [
    ['--sku', GALLETAS.sku, '--name', 'Galletas María 800 g', '--price', '1.99', '--tax-rate', '21', '--barcode', GALLETAS.barcode],
    ['--sku', AGUA.sku, '--name', 'Agua mineral 1,5 L', '--price', '0.85', '--tax-rate', '10'],
    ['--sku', JAMON.sku, '--name', 'Jamón cocido al corte', '--price', '12.90', '--tax-rate', '10', '--unit', 'kg'],
  ];
  for (const a of adds) {
    const r = await at(shop)(['products', 'add', ...a, '--json']);
    expect(r.code, r.stdout).toBe(0);
  }
  for (const u of users) await addUser(shop, u);
  return init;
}

// --- tests run both in-process and spawned ---
// Each is the body of an `it` of the same name in a tests/cli file and its tests/e2e file.

/** cli: '--version and --help' */
export async function versionAndHelp({ run }: Shop): Promise<void> {
  const v = await run(['--version']);
  expect(v.code).toBe(0);
  expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const h = await run(['products', 'import', '--help']);
  expect(h.code).toBe(0);
  expect(h.stdout).toContain('--skip-invalid');
  expect(h.stdout).toMatch(/Examples:\n\s+\$ tpv products import/);
}

/** cli: 'an unknown command or option is a usage error (exit 2), as JSON with --json' */
export async function unknownCommandIsUsageError({ run }: Shop): Promise<void> {
  expect((await run(['frobnicate'])).code).toBe(2);
  const r = await run(['products', 'list', '--bogus', '--json']);
  expect(r.code).toBe(2);
  expect(r.json).toMatchObject({ ok: false, error: { code: 'cli.usage' } });
}

/** cli: 'without a terminal, a missing field fails naming the flag (exit 2)' */
export async function initWithoutTerminalNamesTheFlag({ run, dir }: Shop): Promise<void> {
  const r = await run(['--db', join(dir, 'x.db'), 'init', '--name', 'X', '--json'], { input: '1234\n' });
  expect(r.code).toBe(2);
  expect(r.json.error.message).toContain('--tax-id');
  expect(existsSync(join(dir, 'x.db'))).toBe(false);
}

/** cli: 'a command on a missing database says how to create one (exit 4)' */
export async function missingDatabase({ run, dir }: Shop): Promise<void> {
  const r = await run(['--db', join(dir, 'missing.db'), 'products', 'list', '--json']);
  expect(r.code).toBe(4);
  expect(r.json.error.code).toBe('store.missing');
  expect(existsSync(join(dir, 'missing.db'))).toBe(false);
}

/** cli: 'reads stdin with "-", and --dry-run writes nothing' */
export async function importFromStdin(shop: Shop): Promise<void> {
  const run = at(shop);
  const csv = 'sku;name;price;tax_rate\nSTD-1;Producto de stdin;1,50;21\n';
  const dry = await run(['products', 'import', '-', '--dry-run', '--json'], { input: csv });
  expect(dry.json.data).toMatchObject({ created: 1, dryRun: true, written: false });
  expect((await run(['products', 'show', 'STD-1'])).code).toBe(4);
  const real = await run(['products', 'import', '-', '--json'], { input: csv });
  expect(real.json.data).toMatchObject({ created: 1, written: true });
}

/** cli: 'an older database is migrated by any command, with a backup and a note on stderr' */
export async function olderDatabaseMigrated({ run, dir }: Shop): Promise<void> {
  const old = join(dir, 'older.db');
  makeOlderDatabase(old);
  const r = await run(['--db', old, 'products', 'list', '--search', 'choc', '--json']);
  expect(r.code).toBe(0);
  expect(r.json.data.map((p: { sku: string }) => p.sku)).toEqual(['CHOC-1']);
  expect(r.stderr).toMatch(/upgraded.*backup/);
  expect(readdirSync(dir).some((f) => f.startsWith('older.db.bak-'))).toBe(true);
  const again = await run(['--db', old, 'migrate', 'status', '--json']);
  expect(again.json.data.migrations.every((m: { state: string }) => m.state === 'applied')).toBe(true);
  expect(again.stderr).toBe('');
}

/** selling, on the worked example's store: 'needs an open shift (exit 5 shift.none_open); then sells once one is open' */
export async function saleNeedsOpenShift(shop: Shop): Promise<void> {
  const none = await saleAt(shop)({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1.00' }] });
  expect(none.code).toBe(5);
  expect(none.json).toMatchObject({ ok: false, error: { code: 'shift.none_open' } });
  const open = await at(shop)(['shift', 'open', '--float', '100.00', '--json']);
  expect(open.code).toBe(0);
  expect(open.json.data).toMatchObject({ register: 'T01', float: '100.00' });
}

/**
 * selling, the first sale of the shift: 'the worked example: 3 × 1.99 (21 %), 1 × 0.85 (10 %),
 * 0.750 kg × 12.90 (10 %) = 16.50'. Returns the receipt.
 */
export async function workedExample(shop: Shop) {
  const r = await saleAt(shop)({
    lines: [
      { code: GALLETAS.barcode, qty: '3' },
      { code: AGUA.sku, qty: '1' },
      { code: JAMON.sku, qty: '0.750' },
    ],
    payments: [{ method: 'cash', amount: '20.00' }],
    customer: null,
  });
  expect(r.code, r.stdout).toBe(0);
  const receipt = r.json.data.receipt;
  expect(receipt).toMatchObject({
    number: 'T01-000001',
    register: 'T01',
    user: 'admin',
    total: '16.50',
    discount: '0.00',
    taxes: [
      { rate: '21', base: '4.93', tax: '1.04' },
      { rate: '10', base: '9.57', tax: '0.96' },
    ],
    payments: [{ method: 'cash', amount: '16.50' }],
    change: '3.50',
    rounding: '0.00',
  });
  expect(receipt.created_at).toMatch(ISO_WITH_OFFSET);
  expect(typeof receipt.shift).toBe('number');
  expect(receipt.lines).toHaveLength(3);
  for (const l of receipt.lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(['line', 'sku', 'name', 'qty', 'unit_price', 'discount', 'amount', 'tax_rate']));
  expect(receipt.lines.map((l: { line: number; sku: string; unit_price: string; amount: string; tax_rate: string }) => [l.line, l.sku, l.unit_price, l.amount, l.tax_rate])).toEqual([
    [1, GALLETAS.sku, '1.99', '5.97', '21'],
    [2, AGUA.sku, '0.85', '0.85', '10'],
    [3, JAMON.sku, '12.90', '9.68', '10'],
  ]);
  expect(cents(receipt.lines[0].qty)).toBe(300);
  expect(Number(receipt.lines[2].qty)).toBe(0.75);
  return receipt;
}

/** selling: 'the error message itself names the field, also without --json' */
export async function saleErrorNamesTheField(shop: Shop): Promise<void> {
  // a malformed quantity: the message alone must say which field is wrong
  const json = await saleAt(shop)(JSON.stringify({ lines: [{ code: GALLETAS.sku, qty: 'x' }], payments: [{ method: 'cash', amount: '2' }] }));
  expect(json.json.error.message).toContain('lines[0].qty');
  const text = await at(shop)(['sale'], { input: JSON.stringify({ lines: [{ code: GALLETAS.sku }], payments: [{ method: 'cash', amount: '1.999' }] }) });
  expect(text.code).toBe(3);
  expect(text.stderr).toContain('payments[0].amount');
}

/** selling: 'a missing --file is exit 4 (file not found), for tpv sale and tpv sales import' */
export async function missingSaleFile(shop: Shop): Promise<void> {
  const run = at(shop);
  const sale = await run(['sale', '--file', join(shop.dir, 'nope.json'), '--json']);
  expect(sale.code).toBe(4);
  expect(sale.json.error.code).toBe('file.not_found');
  const imp = await run(['sales', 'import', join(shop.dir, 'nope.jsonl'), '--json']);
  expect(imp.code).toBe(4);
  expect(imp.json.error.code).toBe('file.not_found');
}

/** shift, before any shift: 'selling, the X report and cash moves need an open shift (exit 5 shift.none_open)' */
export async function shiftNeededFirst(shop: Shop): Promise<void> {
  const run = at(shop);
  const runs = [
    saleAt(shop)({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1.00' }] }),
    run(['shift', 'status', '--json']),
    run(['shift', 'cash-in', '10.00', '--reason', 'cambio', '--json']),
    run(['shift', 'close', '--counted', '0', '--json']),
  ];
  for (const r of await Promise.all(runs)) {
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('shift.none_open');
  }
}

/** shift, with ANA: 'shift open --float 100.00 (by a cashier); a second open is refused; a bad float is exit 3' */
export async function shiftOpenByCashier(shop: Shop): Promise<void> {
  const run = at(shop);
  const bad = await run(['shift', 'open', '--float', 'cien', '--json']);
  expect(bad.code).toBe(3);
  const open = await run(['--user', ANA.code, 'shift', 'open', '--float', '100.00', '--json'], { env: pinOf(ANA) });
  expect(open.code, open.stdout).toBe(0);
  expect(open.json.data).toMatchObject({ register: 'T01', float: '100.00' });
  expect(open.json.data.opened_at).toMatch(ISO_WITH_OFFSET);
  const again = await run(['shift', 'open', '--float', '50.00', '--json']);
  expect(again.code).toBe(5);
  expect(again.json.error.code).toBe('shift.already_open');
}

/** shift, open, with ANA: 'closing: a cashier needs approval; a count is required and checked' */
export async function shiftCloseRefusals(shop: Shop): Promise<void> {
  const run = at(shop);
  const cashier = await run(['--user', ANA.code, 'shift', 'close', '--counted', '100', '--json'], { env: pinOf(ANA) });
  expect(cashier.code).toBe(5);
  expect(cashier.json.error.code).toBe('permission.needs_approval');
  expect((await run(['shift', 'close', '--json'])).code).toBe(2);
  const bad = await run(['shift', 'close', '--count', '50x2,20x', '--json']);
  expect(bad.code).toBe(3);
  expect(bad.json.error.code).toBe('cash.count_format');
}

/** customers, on a demo store: 'adds a Spanish company with a valid CIF (any spelling) and refuses a wrong control digit naming the rule' */
export async function customerWithCif(shop: Shop): Promise<void> {
  const run = jsonAt(shop);
  const ok = await run(['customers', 'add', '--name', 'Ferretería Sol SL', '--tax-id', 'b-12345674', '--country', 'ES']);
  expect(ok.code).toBe(0);
  expect(ok.json.data).toMatchObject({ name: 'Ferretería Sol SL', tax_id: 'B12345674', tax_id_kind: 'CIF', country: 'ES' });
  const bad = await run(['customers', 'add', '--name', 'X', '--tax-id', 'B12345675', '--country', 'ES']);
  expect(bad.code).toBe(3);
  expect(bad.json.error).toMatchObject({ code: 'taxid.check', details: { rule: 'control digit', expected: '4', field: 'tax_id' } });
  expect(bad.json.error.message).toContain('control digit');
  const dup = await run(['customers', 'add', '--name', 'Otra', '--tax-id', 'B12345674']);
  expect(dup.code).toBe(5);
  expect((await run(['customers', 'show', 'B12345674'])).json.data.id).toBe(ok.json.data.id);
  expect((await run(['customers', 'show', '999'])).code).toBe(4);
}

/** customers: 'import: every bad row listed with its line, nothing written; a good file imports' */
export async function customersImportAllOrNothing(shop: Shop): Promise<void> {
  const run = jsonAt(shop);
  const bad = join(shop.dir, 'bad.csv');
  writeFileSync(bad, 'name;tax_id;country\nBazar Luna;X1234567L;ES\n;A58818501;ES\nCasa Pepe;A58818502;ES\n');
  const r = await run(['customers', 'import', bad]);
  expect(r.code).toBe(3);
  expect(r.json.error.details.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([[3, 'name'], [4, 'tax_id']]);
  expect((await run(['customers', 'list', '--search', 'Bazar'])).json.data).toEqual([]);
  const good = join(shop.dir, 'good.csv');
  writeFileSync(good, 'name,tax_id,country\nBazar Luna,X1234567L,ES\nCasa Pepe,A58818501,ES\n');
  expect((await run(['customers', 'import', good])).json.data.created).toBe(2);
  expect((await run(['customers', 'list', '--search', 'Bazar'])).json.data).toHaveLength(1);
}

/** permissions, with ANA and SUP: 'a cashier may not change the catalog; a supervisor may; an approval lets the cashier' */
export async function catalogByRole(shop: Shop): Promise<void> {
  const as = (user: User, args: string[], opts: RunOptions = {}) => at(shop)(['--user', user.code, ...args, '--json'], { ...opts, env: { ...pinOf(user), ...opts.env } });
  const add = ['products', 'add', '--sku', 'P1', '--name', 'Pilas AA', '--price', '3.50', '--tax-rate', '21'];
  const refused = await as(ANA, add);
  expect(refused.code).toBe(5);
  expect(refused.json.error).toMatchObject({ code: 'permission.needs_approval', details: { action: 'manage_catalog' } });
  expect((await as(ANA, ['stock', 'adjust', 'LAC-001', '5', '--reason', 'x'])).code).toBe(5);
  expect((await as(ANA, ['products', 'import', '-'], { input: 'sku,price\nLAC-001,1.00\n' })).code).toBe(5);
  // a dry run writes nothing: anyone may check a file
  expect((await as(ANA, ['products', 'import', '-', '--dry-run'], { input: 'sku,price\nLAC-001,1.00\n' })).code).toBe(0);
  expect((await as(SUP, add)).code).toBe(0);
  const approved = await as(ANA, ['--approver', SUP.code, 'products', 'set', 'P1', '--price', '3.75'], { env: APPROVE });
  expect(approved.code).toBe(0);
  expect(approved.json.data.price).toBe('3.75');
}

/** exchanges, shift open: 'dearer goods taken: the customer pays the difference with the sale payments, or nothing is written' */
export async function dearerExchange(shop: Shop): Promise<void> {
  const run = jsonAt(shop);
  const r = await receiptAt(shop)({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '0.99' }] });
  const documents = async (): Promise<number> => (await run(['receipts', 'list'])).json.data.length;
  const before = await documents();
  const short = await run(['exchange', r.number], { lines: [{ line: 1 }], sale: { lines: [{ code: 'LAC-001', qty: '3' }] } });
  expect(short.code).toBe(5);
  expect(short.json.error.code).toBe('payment.short');
  expect(await documents()).toBe(before);
  const paid = await run(['exchange', r.number], { lines: [{ line: 1 }], sale: { lines: [{ code: 'LAC-001', qty: '3' }], payments: [{ method: 'card', amount: '1.98' }] } });
  expect(paid.code, paid.stderr).toBe(0);
  expect(paid.json.data.exchange.difference).toBe('1.98');
  expect(paid.json.data.exchange.sale.payments).toEqual([{ method: 'exchange', amount: '0.99' }, { method: 'card', amount: '1.98' }]);
  // the receipt has nothing left to return
  expect((await run(['refund', r.number, '--all', '--method', 'cash'])).json.error.code).toBe('refund.nothing_left');
}

/** exchanges, shift open: 'the barcode/QR text finds the receipt to refund, in any case' */
export async function refundByScanCode(shop: Shop): Promise<void> {
  const r = await receiptAt(shop)({ lines: [{ code: 'LAC-001' }], payments: [{ method: 'cash', amount: '1' }] });
  const scanned = await jsonAt(shop)(['refund', `tpv:${r.number.toLowerCase()}`, '--all', '--method', 'cash']);
  expect(scanned.code, scanned.stderr).toBe(0);
  expect(scanned.json.data.refund.receipt).toBe(r.number);
}

/** refunds, no shift open, no user ana yet: 'a cashier needs a supervisor to refund' */
export async function cashierRefundNeedsApproval(shop: Shop): Promise<void> {
  const run = jsonAt(shop);
  expect((await at(shop)(['users', 'add', ANA.code, '--name', ANA.name], { input: `${ANA.pin}\n` })).code).toBe(0);
  expect((await run(['shift', 'open', '--float', '0'])).code).toBe(0);
  const sale = await run(['sale'], { lines: [{ code: 'LAC-001', qty: '1' }], payments: [{ method: 'card', amount: '0.99' }] });
  const refund = ['--user', ANA.code, 'refund', sale.json.data.receipt.number, '--all', '--method', 'card'];
  expect((await run(refund, undefined, pinOf(ANA))).json.error.code).toBe('permission.needs_approval');
  const ok = await run(['--approver', 'admin', ...refund], undefined, { ...pinOf(ANA), TPV_APPROVER_PIN: '1234' });
  expect(ok.code).toBe(0);
  expect(ok.json.data.refund.approvals[0]).toMatchObject({ action: 'refund', by: 'admin' });
}
