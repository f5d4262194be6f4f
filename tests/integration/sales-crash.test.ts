/**
 * Crash safety of selling: `tpv sales import` is killed with SIGKILL at a random moment, again
 * and again, on the same database. Whatever the moment — opening the database, recovering the
 * WAL of the previous crash, in the middle of a sale's transaction, between two sales — every
 * sale is either wholly there (number, document, lines, taxes, payments, stock moves, journal
 * entry, outbox event) or not at all, the numbers stay gapless, and the next process goes on.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { BIN, tempDir, tpv } from '../helpers.js';
import { expectConsistent, expectReceiptMatches, planSales, prng, receiptNumber, setUpStore } from './sales-gen.js';

/** Processes started and killed. */
const ITERATIONS = 200;
/** Sales in each process's file: more than it can sell before the latest kill (~1.5 ms a sale). */
const SALES_PER_RUN = 600;
/** The kill comes this long after the spawn: the first sale commits ~150–200 ms in, so most kills land while selling. */
const KILL_AFTER_MS = { min: 100, max: 450 };
const SEED = 0x7f4a7c15;

const dir = tempDir('tpv-sales-crash-');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts `tpv sales import file`, kills it with SIGKILL after `delay` ms unless it has exited. */
function runAndKill(path: string, file: string, delay: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', path, 'sales', 'import', file, '--json'], {
      env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('sales killed at random moments', () => {
  it(`${ITERATIONS} processes killed while selling leave whole sales, gapless numbers and a verifying journal`, { timeout: 180_000 }, async () => {
    const { path, catalog } = await setUpStore(dir, 'crash.db');
    const pool = await planSales(path, catalog, SEED, 997);
    const rnd = prng(SEED);
    const file = join(dir, 'run.jsonl');
    // sale i of run k is pool[(k * 131 + i) % pool.length], with the id `run{k}-{i}`
    const planOf = (k: number, i: number) => pool[(k * 131 + i) % pool.length]!;
    const runs: Run[] = [];
    for (let k = 0; k < ITERATIONS; k++) {
      const lines = Array.from({ length: SALES_PER_RUN }, (_, i) => JSON.stringify({ id: `run${k}-${i}`, ...planOf(k, i).input }));
      writeFileSync(file, lines.join('\n') + '\n');
      const delay = Math.round(KILL_AFTER_MS.min + rnd() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
      runs.push(await runAndKill(path, file, delay));
    }
    // a process either was killed or finished its file; none failed or complained on its own (a start-up after a crash included)
    const unexpected = runs.map((r, k) => ({ k, ...r })).filter((r) => (r.signal !== 'SIGKILL' && r.code !== 0) || r.stderr !== '');
    expect(unexpected).toEqual([]);

    const db = connect(path);
    let n: number;
    try {
      const receipts = expectConsistent(db, catalog);
      n = receipts.length;
      expect(db.prepare('SELECT count(*) FROM bulk_loads').pluck().get()).toBe(0);
      // each run sold a prefix of its file, in order, and the runs follow one another in the numbering
      const sold = Array.from({ length: ITERATIONS }, () => 0);
      const ids: string[] = [];
      for (const r of receipts) {
        const m = /^run(\d+)-(\d+)$/.exec(r.externalId ?? '');
        expect(m, `${r.number} has id ${r.externalId}`).not.toBeNull();
        const k = Number(m![1]);
        const i = Number(m![2]);
        ids.push(r.externalId!);
        sold[k] = Math.max(sold[k]!, i + 1);
        expectReceiptMatches(r, planOf(k, i));
      }
      expect(ids).toEqual(sold.flatMap((m, k) => Array.from({ length: m }, (_, i) => `run${k}-${i}`)));
      // a run that finished sold its whole file
      for (const [k, r] of runs.entries()) if (r.signal === null) expect(sold[k], `run ${k} exited ${r.code}`).toBe(SALES_PER_RUN);

      // the test did what it says: sales accumulated, and many processes died in the middle of selling
      expect(n).toBeGreaterThan(ITERATIONS);
      const killedWhileSelling = runs.filter((r, k) => r.signal === 'SIGKILL' && sold[k]! > 0 && sold[k]! < SALES_PER_RUN).length;
      const stats = `${n} receipts; ${killedWhileSelling} runs killed while selling, ${sold.filter((m) => m === 0).length} before their first sale`;
      expect(killedWhileSelling, `kills that landed between the first and the last sale of a run (${stats})`).toBeGreaterThan(ITERATIONS / 4);
    } finally {
      db.close();
    }

    // the database goes on: the next sales take the next numbers, the journal verifies, the shift counts them all
    const after = join(dir, 'after.jsonl');
    writeFileSync(after, pool.slice(0, 5).map((s, i) => JSON.stringify({ id: `after-${i}`, ...s.input })).join('\n') + '\n');
    const last = await tpv(['--db', path, 'sales', 'import', after, '--json']);
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    expect((last.json.data.results as { number: string }[]).map((r) => r.number)).toEqual([1, 2, 3, 4, 5].map((i) => receiptNumber(n + i)));
    const audit = await tpv(['--db', path, 'audit', 'verify', '--json']);
    expect({ code: audit.code, ok: audit.json?.data?.ok, entries: audit.json?.data?.entries }).toEqual({ code: 0, ok: true, entries: n + 5 });
    const status = await tpv(['--db', path, 'shift', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(status.json.data.receipts).toMatchObject({ count: n + 5, first: receiptNumber(1), last: receiptNumber(n + 5) });
    const check = connect(path);
    try {
      expect(expectConsistent(check, catalog).length).toBe(n + 5);
    } finally {
      check.close();
    }
  });
});
