/** The projection contract (tests/server/storage-contract.ts) on the embedded SQLite storage: a new data dir per test. */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../../src/db/connection.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import { tempDir } from '../helpers.js';
import { projectionContract } from './storage-contract.js';

const root = tempDir('tpv-server-projection-');

projectionContract('SQLite', async () => {
  const dir = mkdtempSync(join(root, 'data-'));
  /** One statement on a connection of its own (beside the server's: WAL lets it read). */
  const sql = async (text: string): Promise<Record<string, unknown>[]> => {
    const db = connect(join(dir, 'server.db'));
    try {
      const st = db.prepare(text);
      if (st.reader) return st.all() as Record<string, unknown>[];
      st.run();
      return [];
    } finally {
      db.close();
    }
  };
  return {
    storage: await openSqliteStorage(dir),
    reopen: () => openSqliteStorage(dir),
    shared: false,
    cleanup: async () => {},
    sql,
    setVersion: async (version) => void (await sql(`PRAGMA user_version = ${version}`)),
  };
});
