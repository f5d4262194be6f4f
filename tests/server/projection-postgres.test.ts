/**
 * The projection contract (tests/server/storage-contract.ts) on PostgreSQL: a private cluster for
 * this file (tests/pg.ts), a new database per test.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openPostgresStorage } from '../../src/server/postgres.js';
import { startPostgres, type TestPostgres } from '../pg.js';
import { projectionContract } from './storage-contract.js';

let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

const INT8 = 20;
/** bigint (and count(*)) as numbers, as SQLite gives them: the tests' values are small. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

projectionContract('PostgreSQL', async () => {
  const url = await cluster.createDatabase();
  const sql = async (text: string): Promise<Record<string, unknown>[]> => {
    const c = new pg.Client({ connectionString: url, types });
    await c.connect();
    try {
      return (await c.query<Record<string, unknown>>(text)).rows;
    } finally {
      await c.end();
    }
  };
  return {
    storage: await openPostgresStorage(url),
    reopen: () => openPostgresStorage(url),
    shared: true,
    cleanup: async () => {},
    sql,
    // before version 3 the database had no server_schema
    setVersion: async (version) => void (await sql(version < 3 && version !== 2 ? 'DROP TABLE server_schema' : `UPDATE server_schema SET version = ${version}`)),
  };
});
