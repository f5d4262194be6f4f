/**
 * Four tills' worth of sales committed at once on one database: four `tpv sales import`
 * processes, 500 sales each, every sale in its own transaction. Every sale must be sold exactly
 * once, as planned, with receipt numbers 1..2000 and nothing else out of place.
 *
 * Whether the processes really sold in between one another is up to the scheduler: on a busy
 * machine they may happen to run one after the other. Then the whole thing is done again on a
 * new database (up to ATTEMPTS times), every attempt checked in full.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { cli, tempDir, tpv } from '../helpers.js';
import { type CatalogProduct, expectConsistent, expectReceiptMatches, type PlannedSale, planSales, setUpStore } from './sales-gen.js';

const PROCESSES = 4;
const SALES_EACH = 500;
const ATTEMPTS = 3;
/** Times the receipt sequence goes from one process's sale to another's: fewer, and nothing concurrent was tested. */
const MIN_SWITCHES = PROCESSES * 10;
const dir = tempDir('tpv-sales-concurrency-');

describe('sales committed by four processes at once', () => {
  it(`${PROCESSES} × ${SALES_EACH} sales: every one sold once, numbered without gaps, journaled, in the outbox and in stock`, { timeout: 180_000 }, async () => {
    // the sales are planned once; each attempt sells them into a new store set up the same way
    const planned = new Map<string, PlannedSale>();
    const files: string[] = [];
    let switches = 0;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const { path, catalog } = await setUpStore(dir, `tills-${attempt}.db`);
      if (attempt === 1) {
        for (let p = 0; p < PROCESSES; p++) {
          const sales = await planSales(path, catalog, 1000 + p, SALES_EACH);
          const lines = sales.map((s, i) => {
            const id = `till${p}-${String(i).padStart(4, '0')}`;
            planned.set(id, s);
            return JSON.stringify({ id, ...s.input });
          });
          files.push(join(dir, `till${p}.jsonl`));
          writeFileSync(files[p]!, lines.join('\n') + '\n');
        }
      }
      switches = await sellAtOnce(path, catalog, files, planned);
      if (switches > MIN_SWITCHES) break;
    }
    // the precondition of this test: the processes really did commit in between one another
    expect(switches, `in ${ATTEMPTS} attempts the four processes ran one after another: nothing concurrent was tested`).toBeGreaterThan(MIN_SWITCHES);
  });
});

/** One attempt: the four files sold at once by four processes, everything checked; returns how often the sequence switched process. */
async function sellAtOnce(path: string, catalog: CatalogProduct[], files: string[], planned: Map<string, PlannedSale>): Promise<number> {
  const runs = await Promise.all(files.map((f) => tpv(['--db', path, 'sales', 'import', f, '--json'])));

  for (const [p, r] of runs.entries()) {
    expect({ process: p, code: r.code, stderr: r.stderr }).toEqual({ process: p, code: 0, stderr: '' });
    expect(r.json.data).toMatchObject({ sold: SALES_EACH, duplicates: 0, failed: 0 });
  }
  // each process sold its lines in file order: its receipt numbers rise with the line
  const owner = new Map<string, { process: number; id: string }>();
  for (const [p, r] of runs.entries()) {
    const results = r.json.data.results as { line: number; ok: boolean; number: string; duplicate: boolean }[];
    expect(results.map((x) => x.line)).toEqual(Array.from({ length: SALES_EACH }, (_, i) => i + 1));
    const numbers = results.map((x) => x.number);
    expect(numbers).toEqual([...numbers].sort());
    for (const x of results) {
      expect(owner.has(x.number), `${x.number} given twice`).toBe(false);
      owner.set(x.number, { process: p, id: `till${p}-${String(x.line - 1).padStart(4, '0')}` });
    }
  }

  let switches = 0;
  const db = connect(path, { readonly: true });
  try {
    const receipts = expectConsistent(db, catalog);
    expect(receipts.length).toBe(PROCESSES * SALES_EACH);
    // the mix really was sold: cash rounding, change, split tenders, weighed quantities, both kinds of discount
    const mix = db
      .prepare(`SELECT (SELECT count(*) FROM documents WHERE rounding <> 0) AS rounded, (SELECT count(*) FROM documents WHERE change > 0) AS change,
        (SELECT count(*) FROM (SELECT document_id FROM document_payments GROUP BY document_id HAVING count(DISTINCT method) = 2)) AS split,
        (SELECT count(*) FROM document_lines WHERE unit = 'kg' AND qty % 1000 <> 0) AS weighed,
        (SELECT count(*) FROM document_lines WHERE line_discount > 0) AS line_discounts,
        (SELECT count(*) FROM document_lines WHERE cart_discount > 0) AS cart_discounts`)
      .get() as Record<string, number>;
    for (const [k, v] of Object.entries(mix)) expect(v, k).toBeGreaterThan(200);
    // every receipt is the sale its process reported, exactly as planned
    for (const r of receipts) {
      const o = owner.get(r.number);
      expect(o, r.number).toBeDefined();
      expect(r.externalId).toBe(o!.id);
      expectReceiptMatches(r, planned.get(r.externalId!)!);
    }
    expect(new Set(receipts.map((r) => r.externalId)).size).toBe(planned.size);
    for (let i = 1; i < receipts.length; i++) if (owner.get(receipts[i]!.number)!.process !== owner.get(receipts[i - 1]!.number)!.process) switches++;
  } finally {
    db.close();
  }

  // the CLI agrees (in-process): the journal verifies and the shift counts every receipt
  const audit = await cli(['--db', path, 'audit', 'verify', '--json']);
  expect({ code: audit.code, ok: audit.json?.data?.ok, entries: audit.json?.data?.entries }).toEqual({ code: 0, ok: true, entries: PROCESSES * SALES_EACH + 1 }); // and the shift opening
  const status = await cli(['--db', path, 'shift', 'status', '--json']);
  expect(status.code).toBe(0);
  expect(status.json.data.receipts).toMatchObject({ count: PROCESSES * SALES_EACH, first: 'T01-000001', last: 'T01-002000' });
  return switches;
}
