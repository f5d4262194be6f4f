/**
 * Issue 12, findings 1 and 2, as a dishonest insider with the database file would try them:
 * a falsified Z (payments moved out of the shift, a cash-out raised), a deleted tail, a journal
 * rewritten with every hash recomputed. `tpv audit verify` and `tpv doctor` must see each one;
 * the anchor printed on paper (a Z report) must no longer match a rewritten chain.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { actingUser } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { GENESIS, journalEntries, linkHash } from '../../src/app/journal.js';
import { sell } from '../../src/app/sales.js';
import { cashMove, closeShift, openShift } from '../../src/app/shifts.js';
import { cli, makeShopWithCatalog, tempDir } from '../helpers.js';

const dir = tempDir('tpv-audit-');
let n = 0;
let path: string;
const clock = new Date('2026-11-21T10:00:00Z');

/** A shop with a shift: 3 cash and card sales, a cash-in and a cash-out; the app is closed after. */
async function shop(close = false): Promise<{ app: App; z?: ReturnType<typeof closeShift> }> {
  path = join(dir, `audit-${n++}.db`);
  const app = await makeShopWithCatalog(dir, path.split('/').pop()!, () => clock);
  const admin = actingUser(app.db);
  openShift(app, admin, 10000);
  sell(app, { lines: [{ code: 'LAC-001', qty: '3' }], payments: [{ method: 'cash', amount: '10' }] }, admin);
  sell(app, { lines: [{ code: 'BEB-020', qty: '2' }], payments: [{ method: 'card', amount: '13.90' }] }, admin);
  sell(app, { lines: [{ code: 'LAC-002', qty: '1' }], payments: [{ method: 'cash', amount: '5' }] }, admin);
  cashMove(app, admin, 'in', 2000, 'change');
  cashMove(app, admin, 'out', 500, 'window cleaner');
  const z = close ? closeShift(app, admin, 12000) : undefined;
  app.close();
  return z ? { app, z } : { app };
}

/** Runs SQL as an attacker with the file: the triggers dropped, the change, the triggers put back. */
function tamper(sql: string, opts: { restoreTriggers?: boolean } = {}): void {
  const db = new Database(path);
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
  db.exec(sql);
  if (opts.restoreTriggers ?? true) for (const t of triggers) db.exec(t.sql);
  db.close();
}

const verify = (...args: string[]) => cli(['--db', path, 'audit', 'verify', '--json', ...args]);

describe('tpv audit verify', () => {
  it('passes on an honest store: every document, shift opening and cash move is journaled; the Z report recomputes', async () => {
    const { z } = await shop(true);
    const r = await verify();
    expect(r.code).toBe(0);
    // 3 receipts, the Z report, the shift's opening and 2 cash moves
    expect(r.json.data).toMatchObject({ ok: true, entries: 7, findings: [], head: { seq: 7 } });
    expect(z!.journal.seq).toBe(7);
    expect(r.json.data.head.hash).toBe(z!.journal.hash);
    // the Z report carries its anchor, on screen and in JSON
    const report = await cli(['--db', path, 'shift', 'report', z!.number]);
    expect(report.stdout).toContain(`Journal 7 ${z!.journal.hash.slice(0, 16)}`);
    expect((await cli(['--db', path, 'shift', 'report', z!.number, '--json'])).json.data.journal).toEqual(z!.journal);
  });

  it('a Z falsified by moving a receipt\'s payment and tax rows out of the shift is found, though the journal verifies', async () => {
    await shop(true);
    tamper(`UPDATE document_payments SET shift_id = NULL WHERE document_id = (SELECT id FROM documents WHERE number = 'T01-000001');
            UPDATE document_taxes SET shift_id = NULL WHERE document_id = (SELECT id FROM documents WHERE number = 'T01-000001');`);
    const r = await verify();
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('audit.shift_copies');
    expect(r.json.error.message).toContain('T01-000001');
    expect(r.json.error.details.findings.map((f: { check: string }) => f.check)).toEqual(['shift_copies', 'z_report']);
    const doctor = await cli(['--db', path, 'doctor', '--json']);
    expect(doctor.code).not.toBe(0);
    expect(doctor.json.error.details.checks.find((c: { id: string }) => c.id === 'journal')).toMatchObject({ status: 'fail', message: r.json.error.message });
  });

  it('a raised cash-out is found: the move no longer matches its journal entry, and the Z no longer adds up', async () => {
    await shop(true);
    tamper("UPDATE cash_moves SET amount = 5000 WHERE kind = 'out'");
    const r = await verify();
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('audit.document_changed');
    expect(r.json.error.message).toMatch(/cash move/);
    const findings = r.json.error.details.findings as { check: string; params: { field?: string } }[];
    expect(findings.map((f) => f.check)).toEqual(['journal', 'z_report']);
    expect(findings[1]!.params.field).toMatch(/^cash\./);
  });

  it('a cash move added without its journal entry (an open shift) is found', async () => {
    await shop(false);
    tamper("INSERT INTO cash_moves (shift_id, kind, amount, reason, user_id, created_at) VALUES (1, 'out', 3000, 'x', 1, '2026-11-21T11:00:00+01:00')");
    const r = await verify();
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('audit.not_journaled');
  });

  it('a dropped trigger is found, by audit and by doctor', async () => {
    await shop(false);
    tamper('SELECT 1', { restoreTriggers: false });
    const r = await verify();
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('audit.triggers_missing');
    expect(r.json.error.message).toContain('cash_moves_no_update');
    const doctor = await cli(['--db', path, 'doctor', '--json']);
    expect(doctor.json.error.details.checks.find((c: { id: string }) => c.id === 'journal')).toMatchObject({ status: 'fail', message: r.json.error.message });
  });

  it('the newest documents deleted with their journal entries leave a gap up to the series counter', async () => {
    await shop(false);
    tamper(`DELETE FROM journal WHERE document_id IN (SELECT id FROM documents WHERE number IN ('T01-000002', 'T01-000003'));
            DELETE FROM journal WHERE cash_move_id IS NOT NULL;
            DELETE FROM cash_moves;
            DELETE FROM document_lines WHERE document_id IN (SELECT id FROM documents WHERE number IN ('T01-000002', 'T01-000003'));
            DELETE FROM document_taxes WHERE document_id IN (SELECT id FROM documents WHERE number IN ('T01-000002', 'T01-000003'));
            DELETE FROM document_payments WHERE document_id IN (SELECT id FROM documents WHERE number IN ('T01-000002', 'T01-000003'));
            DELETE FROM documents WHERE number IN ('T01-000002', 'T01-000003');`);
    const r = await verify();
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('audit.series_gap');
    expect(r.json.error.details.findings[0].params).toMatchObject({ after: 'T01-000001', missing: '2–3' });
    expect((await cli(['--db', path, 'doctor', '--json'])).code).not.toBe(0);
  });

  it('a number skipped on purpose (series set --next) is not a gap', async () => {
    await shop(false);
    expect((await cli(['--db', path, 'series', 'set', 'T01', 'receipt', '--next', '100', '--json'])).code).toBe(0);
    expect((await verify()).code).toBe(0);
  });

  it('a journal rewritten with every hash recomputed verifies on its own, but not against the anchor printed on the Z', async () => {
    const { z } = await shop(true);
    const printed = `${z!.journal.seq}:${z!.journal.hash.slice(0, 16)}`;
    expect((await verify('--anchor', printed)).code).toBe(0);
    // the insider lowers a receipt's total and recomputes the chain from there on
    tamper("UPDATE document_lines SET amount = amount - 100, gross = gross - 100 WHERE document_id = (SELECT id FROM documents WHERE number = 'T01-000002') AND line = 1");
    const db = new Database(path);
    db.exec('DROP TRIGGER journal_no_update');
    let prev = GENESIS;
    for (const e of [...journalEntries(db)]) {
      if ('missing' in e) throw new Error('missing');
      const hash = linkHash(prev, e.fact);
      db.prepare('UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, e.seq);
      prev = hash;
    }
    db.exec("CREATE TRIGGER `journal_no_update` BEFORE UPDATE ON `journal` BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;");
    db.close();
    expect((await verify()).code).toBe(0); // a rewrite is internally consistent…
    const r = await verify('--anchor', printed); // …but not what left the till
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('audit.anchor_mismatch');
    const head = await cli(['--db', path, 'audit', 'head', '--json']);
    expect(head.json.data.hash).not.toBe(z!.journal.hash);
  });

  it('an anchor beyond the journal (a cut tail) is named; a malformed anchor is a usage error', async () => {
    await shop(false);
    expect((await verify('--anchor', '99:0123456789abcdef')).json.error.code).toBe('audit.anchor_unknown');
    const bad = await verify('--anchor', 'last');
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('audit.anchor_bad');
  });
});

describe('the anchor on receipts', () => {
  it('with receipt.journal_head a receipt prints its journal entry; without, it does not', async () => {
    await shop(false);
    const link = new Database(path).prepare("SELECT j.seq, j.hash FROM journal j JOIN documents d ON d.id = j.document_id WHERE d.number = 'T01-000002'").get() as { seq: number; hash: string };
    const anchor = `Diario ${link.seq} ${link.hash.slice(0, 16)}`; // the receipt speaks the store's language
    expect((await cli(['--db', path, 'receipts', 'show', 'T01-000002'])).stdout).not.toContain(anchor);
    expect((await cli(['--db', path, 'config', 'set', 'receipt.journal_head', 'true'])).code).toBe(0);
    expect((await cli(['--db', path, 'receipts', 'show', 'T01-000002'])).stdout).toContain(anchor);
    expect((await verify('--anchor', `${link.seq}:${link.hash.slice(0, 16)}`)).code).toBe(0);
  });
});

describe('tpv audit export', () => {
  it('writes a period an auditor verifies on another machine; a changed entry in the file is named', async () => {
    await shop(true);
    const file = join(dir, `journal-${n}.json`);
    const r = await cli(['--db', path, 'audit', 'export', '--from', '2026-11-21', '--to', '2026-11-21', file, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.data).toMatchObject({ entries: 7, first: 1, last: 7 });
    const ok = await cli(['audit', 'verify', '--file', file, '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json.data).toMatchObject({ ok: true, entries: 7, head: r.json.data.head });

    const copy = join(dir, `journal-${n}-bad.json`);
    copyFileSync(file, copy);
    const x = JSON.parse(readFileSync(copy, 'utf8'));
    x.entries[2].fact.total -= 100;
    writeFileSync(copy, JSON.stringify(x));
    const bad = await cli(['audit', 'verify', '--file', copy, '--json']);
    expect(bad.code).toBe(5);
    expect(bad.json.error.code).toBe('audit.document_changed');
    expect(bad.json.error.message).toContain(x.entries[2].label);

    const none = await cli(['--db', path, 'audit', 'export', '--from', '2020-01-01', '--to', '2020-01-31', '-', '--json']);
    expect(none.code).toBe(4);
    const notExport = await cli(['audit', 'verify', '--file', path, '--json']);
    expect(notExport.code).toBe(3);
  });
});
