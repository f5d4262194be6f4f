/**
 * Issue 12, finding 12, with real processes: a backup taken by `tpv backup create` while two
 * `tpv sales import` processes sell into the same database is one consistent moment of it (it
 * verifies, and restored into the stopped store the audit passes and every count is the backup's);
 * the cashier terminal takes its scheduled backup by itself, and a restore is refused while it runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupFolder } from '../../src/app/backup.js';
import { openFile, type Sqlite } from '../../src/db/connection.js';
import { BIN, cli, tempDir, tpv } from '../helpers.js';
import { Tmux } from '../tmux.js';
import { type CatalogProduct, expectConsistent, planSales, setUpStore } from '../integration/sales-gen.js';

const dir = tempDir('tpv-backup-e2e-');
const SALES_EACH = 300;
const ATTEMPTS = 3;
let term: Tmux | undefined;
afterEach(() => term?.kill());

function readOnly<T>(path: string, fn: (db: Sqlite) => T): T {
  const db = openFile(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Row counts of every table a sale writes: a backup and the store restored from it must agree on each. */
const COUNTED = ['documents', 'document_lines', 'document_payments', 'document_taxes', 'journal', 'outbox', 'stock_moves'];
const counts = (db: Sqlite): Record<string, number> => Object.fromEntries(COUNTED.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
const receipts = (path: string): number => {
  if (!existsSync(path)) return 0;
  return readOnly(path, (db) => db.prepare("SELECT count(*) FROM documents WHERE type = 'receipt'").pluck().get() as number);
};

describe('a backup while two processes sell', () => {
  it('is one consistent moment: it verifies, and restored into the stopped store the audit passes with the backup\'s counts', { timeout: 240_000 }, async () => {
    let path = '';
    let catalog: CatalogProduct[] = [];
    let backup: { path: string; journal: { seq: number; head: string } } | undefined;
    let inBackup = 0;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      ({ path, catalog } = await setUpStore(dir, `selling-${attempt}.db`));
      const files: string[] = [];
      for (let p = 0; p < 2; p++) {
        const sales = await planSales(path, catalog, 7000 + p, SALES_EACH);
        files.push(join(dir, `till${attempt}-${p}.jsonl`));
        writeFileSync(files[p]!, sales.map((s, i) => JSON.stringify({ id: `till${p}-${i}`, ...s.input })).join('\n') + '\n');
      }
      const sellers = files.map((f) => tpv(['--db', path, 'sales', 'import', f, '--json']));
      // the backup is taken once both are well under way
      while (receipts(path) < 40) await new Promise((r) => setTimeout(r, 10));
      const made = await tpv(['--db', path, 'backup', 'create', '--json']);
      const sold = await Promise.all(sellers);
      for (const s of sold) expect({ code: s.code, stderr: s.stderr }).toEqual({ code: 0, stderr: '' });
      expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: '' });
      backup = made.json.data;
      inBackup = receipts(backup!.path);
      // the precondition: the tills sold before and after the backup (else it was not taken while they sold)
      if (inBackup > 0 && inBackup < 2 * SALES_EACH) break;
    }
    expect(inBackup, `in ${ATTEMPTS} attempts the backup never fell between two sales`).toBeGreaterThan(0);
    expect(inBackup).toBeLessThan(2 * SALES_EACH);

    // the backup on its own: numbered without gaps, journaled, in the outbox and in stock, at one moment
    const expected = readOnly(backup!.path, (db) => {
      expect(expectConsistent(db, catalog)).toHaveLength(inBackup);
      return counts(db);
    });
    const verified = await tpv(['backup', 'verify', backup!.path, '--json']);
    expect({ code: verified.code, stderr: verified.stderr }).toEqual({ code: 0, stderr: '' });
    expect(verified.json.data).toMatchObject({ ok: true, checksum: 'ok', integrity: 'ok', audit: { ok: true, entries: backup!.journal.seq } });

    // restored into the store, the tills stopped
    const restored = await tpv(['--db', path, 'backup', 'restore', backup!.path, '--json']);
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain(`${2 * SALES_EACH - inBackup} journal entries more`);
    expect(restored.json.data).toMatchObject({ journal: backup!.journal });
    const audit = await tpv(['--db', path, 'audit', 'verify', '--json']);
    expect({ code: audit.code, stderr: audit.stderr }).toEqual({ code: 0, stderr: '' });
    expect(audit.json.data.head).toEqual({ seq: backup!.journal.seq, hash: backup!.journal.head });
    // the backup's facts, and one `series` event: the receipts' counter carried past the numbers
    // issued after the backup (they were handed to customers; none is issued twice)
    readOnly(path, (db) => {
      expect(counts(db)).toEqual({ ...expected, outbox: expected.outbox! + 1 });
      const next = db.prepare("SELECT next FROM series WHERE doc_type = 'receipt'").pluck().get();
      expect(next).toBe(2 * SALES_EACH + 1);
    });
    // the database replaced is kept whole, every sale in it
    expect(receipts(restored.json.data.kept.path)).toBe(2 * SALES_EACH);
  });
});

describe('the cashier terminal', () => {
  it('takes its scheduled backup by itself at start; while it runs a restore is refused', { timeout: 60_000 }, async () => {
    const db = join(dir, 'till.db');
    expect((await cli(['--db', db, 'init', '--demo'])).code).toBe(0);
    const cmd = `${process.execPath} ${BIN} --db ${db} pos`;
    term = Tmux.start(cmd, { env: { TPV_LANG: 'en', TERM: 'screen' } });
    await term.waitFor('User: ');
    // no backup yet, so one is due (backup.every = 1d): it appears in the folder beside the database
    const deadline = Date.now() + 30_000;
    const taken = (): string[] => (existsSync(backupFolder(db)) ? readdirSync(backupFolder(db)).filter((f) => /\.bak-\d{8}T\d{6}Z$/.test(f)) : []);
    while (taken().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(taken()).toHaveLength(1);
    const file = join(backupFolder(db), taken()[0]!);
    while (!existsSync(`${file}.sha256`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await cli(['backup', 'verify', file, '--json'])).code).toBe(0);

    const refused = await cli(['--db', db, 'backup', 'restore', file, '--json']);
    expect({ code: refused.code, error: refused.json?.error?.code }).toEqual({ code: 5, error: 'backup.in_use' });

    // the terminal closed, the restore goes through
    const pid = execFileSync('pgrep', ['-f', `^${cmd}`]).toString().trim();
    process.kill(Number(pid), 'SIGTERM');
    await term.waitFor('[exit');
    const done = await cli(['--db', db, 'backup', 'restore', file, '--json']);
    expect(done.code).toBe(0);
  });
});
