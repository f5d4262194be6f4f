/**
 * The storage contract on PostgreSQL: a private cluster for this file (tests/pg.ts), a new
 * database per test. Then what only PostgreSQL has: several processes creating the tables at
 * once, a database that cannot be reached.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TpvError } from '../../src/core/errors.js';
import { openPostgresStorage } from '../../src/server/postgres.js';
import { freePort } from '../helpers.js';
import { startPostgres, type TestPostgres } from '../pg.js';
import { storageContract } from './storage-contract.js';

let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

storageContract('PostgreSQL', async () => {
  const url = await cluster.createDatabase();
  return { storage: await openPostgresStorage(url), reopen: () => openPostgresStorage(url), shared: true, cleanup: async () => {} };
});

test('server processes starting at once on a new database all open it', async () => {
  const url = await cluster.createDatabase();
  const storages = await Promise.all([1, 2, 3, 4].map(() => openPostgresStorage(url)));
  await storages[0]!.addTerminal('T01', 'Caja 1', 'h', '2026-11-22T09:00:00.000Z', '2026-11-21T09:00:00.000Z');
  for (const s of storages) expect((await s.listTerminals()).map((t) => t.code)).toEqual(['T01']);
  await Promise.all(storages.map((s) => s.close()));
});

test('a database that cannot be reached: a network error that does not show the password', async () => {
  const url = `postgres://tpv:secret@127.0.0.1:${await freePort()}/tpv`;
  const e = await openPostgresStorage(url).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TpvError);
  expect((e as TpvError).kind).toBe('network');
  expect((e as TpvError).code).toBe('server.database_unreachable');
  expect(JSON.stringify((e as TpvError).params)).not.toContain('secret');
  expect((e as TpvError).params.url).toContain('127.0.0.1');
});
