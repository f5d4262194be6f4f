/**
 * `tpv server report sales`: two real tills (T01, T02) sell, refund and exchange; their events
 * reach the store server — pushed by the real sync client to the server on SQLite, ingested from
 * the tills' outboxes on PostgreSQL — and the consolidated report gives, for each till, what that
 * till's own `tpv report sales` gives, and their sum.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { openPostgresStorage } from '../../src/server/postgres.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import type { IncomingEvent, ServerStorage } from '../../src/server/storage.js';
import { cli, makeShopWithCatalog, type RunOptions, type RunResult, tempDir } from '../helpers.js';
import { startPostgres, type TestPostgres } from '../pg.js';
import { eventHash } from '../../src/sync/protocol.js';

const dir = tempDir('tpv-server-report-');
const DATA = join(dir, 'server');

type Till = (args: string[], input?: unknown) => Promise<RunResult>;

/** A till on register `register`: the demo catalog, a shift open. */
async function openTill(register: string): Promise<{ db: string; run: Till }> {
  const db = join(dir, `${register}.db`);
  (await makeShopWithCatalog(dir, `${register}.db`, () => new Date(), { registerCode: register })).close();
  const run: Till = (args, input) => cli(['--db', db, ...args, '--json'], input === undefined ? {} : ({ input: JSON.stringify(input) } satisfies RunOptions));
  const open = await run(['shift', 'open', '--float', '100.00']);
  expect(open.code, open.stdout).toBe(0);
  return { db, run };
}

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const done = await r;
  expect(done.code, done.stdout + done.stderr).toBe(0);
  return done;
}

/** The till's outbox as the server stores it (src/server/server.ts does the same to what arrives). */
function outbox(db: string): IncomingEvent[] {
  const c = connect(db);
  try {
    const rows = c.prepare('SELECT seq, id, type, version, payload, created_at FROM outbox ORDER BY seq').all() as { seq: number; id: string; type: string; version: number; payload: string; created_at: string }[];
    return rows.map((r) => {
      const e = { id: r.id, seq: r.seq, type: r.type, version: r.version, at: r.created_at, payload: r.payload };
      return { ...e, hash: eventHash(e) };
    });
  } finally {
    c.close();
  }
}

const cents = (text: string): number => Math.round(Number(text) * 100);
/** Rows keyed: key → [count, amount in cents]. */
const keyed = (rows: { key: string; count: number; amount?: string; total?: string }[]): Record<string, [number, number]> =>
  Object.fromEntries(rows.map((r) => [r.key, [r.count, cents(r.amount ?? r.total!)]]));
/** Two tills' keyed rows added up. */
function added(a: Record<string, [number, number]>, b: Record<string, [number, number]>): Record<string, [number, number]> {
  const out = { ...a };
  for (const [k, [n, v]] of Object.entries(b)) out[k] = [(out[k]?.[0] ?? 0) + n, (out[k]?.[1] ?? 0) + v];
  return out;
}

let t01: { db: string; run: Till };
let t02: { db: string; run: Till };
/** Each till's own report, by dimension. */
const own: Record<'T01' | 'T02', Record<string, { rows: { key: string; count: number; amount: string }[]; count: number; total: string }>> = { T01: {}, T02: {} };

beforeAll(async () => {
  t01 = await openTill('T01');
  t02 = await openTill('T02');
  const r1 = await ok(t01.run(['sale'], { lines: [{ code: 'BEB-017', qty: '3' }, { code: 'PAN-007', qty: '2' }], payments: [{ method: 'cash', amount: '10.00' }] }));
  await ok(t01.run(['sale'], { lines: [{ code: 'BEB-018', qty: '1' }, { code: 'FRU-025', qty: '2' }], payments: [{ method: 'card', amount: '6.57' }] }));
  await ok(t01.run(['refund', r1.json.data.receipt.number], { lines: [{ line: 1, qty: '1' }], method: 'cash' }));
  const r2 = await ok(t01.run(['sale'], { lines: [{ code: 'PAN-008', qty: '1' }], payments: [{ method: 'cash', amount: '5.00' }] }));
  await ok(t01.run(['exchange', r2.json.data.receipt.number], { lines: [{ line: 1 }], sale: { lines: [{ code: 'PAN-009', qty: '1' }], payments: [{ method: 'cash', amount: '0.46' }] } }));
  const s1 = await ok(t02.run(['sale'], { lines: [{ code: 'FRU-026', qty: '2' }, { code: 'BEB-019', qty: '1' }], payments: [{ method: 'cash', amount: '20.00' }] }));
  await ok(t02.run(['sale'], { lines: [{ code: 'PAN-010', qty: '3' }], payments: [{ method: 'card', amount: '4.47' }] }));
  await ok(t02.run(['refund', s1.json.data.receipt.number, '--all', '--method', 'cash']));
  for (const [code, till] of [['T01', t01], ['T02', t02]] as const) {
    for (const by of ['day', 'tax', 'tender', 'user']) own[code][by] = (await ok(till.run(['report', 'sales', '--by', by]))).json.data;
  }
  // the tills' reports are not trivial: refunds and an exchange in them, both nonzero
  expect(own.T01.day!.count).toBe(2); // 4 receipts (one of the exchange) − 2 refunds (one of the exchange)
  expect(cents(own.T02.day!.total)).toBeGreaterThan(0);
});

/** The consolidated report as the command prints it (--json). */
async function serverReport(where: string[], by: string, extra: string[] = []): Promise<RunResult> {
  return ok(cli(['server', 'report', 'sales', '--by', by, ...where, ...extra, '--json']));
}

/** What the two tills' own reports say, checked against the server's. */
async function consolidated(where: string[]): Promise<void> {
  const terminal = (await serverReport(where, 'terminal')).json.data;
  expect(terminal.rows).toEqual([
    { key: 'T01', count: own.T01.day!.count, total: own.T01.day!.total },
    { key: 'T02', count: own.T02.day!.count, total: own.T02.day!.total },
  ]);
  expect(terminal.count).toBe(own.T01.day!.count + own.T02.day!.count);
  expect(cents(terminal.total)).toBe(cents(own.T01.day!.total) + cents(own.T02.day!.total));
  expect(terminal.currency).toBe('EUR');

  const tax = (await serverReport(where, 'tax')).json.data;
  expect(keyed(tax.rows)).toEqual(added(keyed(own.T01.tax!.rows), keyed(own.T02.tax!.rows)));
  expect(tax.rows.map((r: { key: string }) => r.key)).toEqual(['21', '10', '4']);
  for (const r of tax.rows as { base: string; tax: string; total: string }[]) expect(cents(r.base) + cents(r.tax)).toBe(cents(r.total));

  expect(keyed((await serverReport(where, 'payment')).json.data.rows)).toEqual(added(keyed(own.T01.tender!.rows), keyed(own.T02.tender!.rows)));
  expect(keyed((await serverReport(where, 'user')).json.data.rows)).toEqual(added(keyed(own.T01.user!.rows), keyed(own.T02.user!.rows)));
  expect(keyed((await serverReport(where, 'day')).json.data.rows)).toEqual(added(keyed(own.T01.day!.rows), keyed(own.T02.day!.rows)));

  // a range of other days holds nothing; today's holds everything
  const day = own.T01.day!.rows[0]!.key;
  expect((await serverReport(where, 'terminal', ['--from', '2000-01-01', '--to', '2000-01-31'])).json.data).toMatchObject({ rows: [], count: 0, total: '0.00' });
  expect((await serverReport(where, 'terminal', ['--from', day, '--to', day])).json.data.rows).toEqual(terminal.rows);
}

describe('tpv server report sales', () => {
  describe('on SQLite, the tills pushing with the real sync client', () => {
    let storage: ServerStorage;
    let server: RunningServer;
    beforeAll(async () => {
      storage = await openSqliteStorage(DATA);
      server = await startServer({ listen: '127.0.0.1:0', storage, log: () => {} });
      for (const [code, till] of [['T01', t01], ['T02', t02]] as const) {
        const add = await ok(cli(['server', 'terminals', 'add', code, '--data', DATA, '--json']));
        await ok(till.run(['sync', 'register', '--server', server.url, '--code', add.json.data.enrol_code]));
        const push = await ok(till.run(['sync', 'push']));
        expect(push.json.data.hwm).toBe(outbox(till.db).at(-1)!.seq);
      }
    });
    afterAll(async () => {
      await server?.close();
      await storage?.close();
    });

    it('by terminal, each till\'s part is its own report; by tax, payment, user and day, their sum', async () => {
      expect((await storage.listTerminals()).map((t) => t.quarantined)).toEqual([0, 0]);
      await consolidated(['--data', DATA]);
    });

    it('prints a table and CSV; refuses an unknown --by (2) and a data dir that is not there (4)', async () => {
      const human = await ok(cli(['server', 'report', 'sales', '--by', 'tax', '--data', DATA]));
      expect(human.stdout).toMatch(/^Tax rate\s+Count\s+Base\s+Tax\s+Amount$/m);
      expect(human.stdout).toMatch(/^21 %\s+\d+\s+[\d.,]+\s+[\d.,]+\s+[\d.,]+$/m);
      expect(human.stdout).toMatch(/^Total\s+\d+\s+[\d.,]+$/m);
      const csv = await ok(cli(['server', 'report', 'sales', '--by', 'terminal', '--csv', '--data', DATA]));
      expect(csv.stdout.split(/\r?\n/).filter(Boolean)).toEqual(['key,count,total', `T01,${own.T01.day!.count},${own.T01.day!.total}`, `T02,${own.T02.day!.count},${own.T02.day!.total}`]);
      const bad = await cli(['server', 'report', 'sales', '--by', 'product', '--data', DATA, '--json']);
      expect([bad.code, bad.json.error.code]).toEqual([2, 'report.by']);
      const badDate = await cli(['server', 'report', 'sales', '--from', '21/11/2026', '--data', DATA, '--json']);
      expect(badDate.code).toBe(2);
      const none = await cli(['server', 'report', 'sales', '--data', join(dir, 'nowhere'), '--json']);
      expect([none.code, none.json.error.code]).toEqual([4, 'server.no_data']);
    });
  });

  describe('on PostgreSQL', () => {
    let cluster: TestPostgres;
    let url: string;
    beforeAll(async () => {
      cluster = await startPostgres();
      url = await cluster.createDatabase();
      const s = await openPostgresStorage(url);
      try {
        for (const code of ['T01', 'T02']) {
          await s.addTerminal(code, code, `enrol-${code}`, '2099-01-01T00:00:00.000Z', new Date().toISOString());
          await s.enrol(`enrol-${code}`, code, `tok-${code}`, new Date().toISOString());
        }
        for (const [code, till] of [['T01', t01], ['T02', t02]] as const) {
          const events = outbox(till.db);
          expect(await s.ingest(code, events, new Date().toISOString())).toMatchObject({ hwm: events.at(-1)!.seq, stored: events.length, quarantined: [] });
        }
      } finally {
        await s.close();
      }
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it('gives the same figures', async () => {
      await consolidated(['--database', url]);
    });
  });
});
