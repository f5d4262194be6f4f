/** The storage contract on the embedded SQLite storage: a new data dir per test. */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import { tempDir } from '../helpers.js';
import { storageContract } from './storage-contract.js';

const root = tempDir('tpv-server-storage-');

storageContract('SQLite', async () => {
  const dir = mkdtempSync(join(root, 'data-'));
  return { storage: await openSqliteStorage(dir), reopen: () => openSqliteStorage(dir), shared: false, cleanup: async () => {} };
});
