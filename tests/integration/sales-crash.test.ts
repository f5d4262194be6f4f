/**
 * Crash safety of selling: `tpv sales import` is killed with SIGKILL at a random moment, again
 * and again, on the same database. Whatever the moment — opening the database, recovering the
 * WAL of the previous crash, in the middle of a sale's transaction, between two sales — every
 * sale is either wholly there (number, document, lines, taxes, payments, stock moves, journal
 * entry, outbox event) or not at all, the numbers stay gapless, and the next process goes on.
 *
 * Where the kills land: a process spends most of its start-up (~0.2 s) loading node and tpv,
 * which no kill can harm, so the kills are aimed. Four runs in five are killed a random moment
 * within SELLING_KILL_WITHIN_MS of their first write to the WAL after the PIN check (their PIN
 * attempt counted, then the count reset: their first sale follows): they die while selling, in a
 * transaction or between two. The fifth is killed a random moment after it opens the database
 * file (seen in /proc/PID/fd) and before it would usually sell: it dies opening the database,
 * recovering the previous crash, checking the PIN (an attempt killed there stays counted as a
 * failure until the next run's right PIN resets it) or preparing its first sale. The test
 * process never opens the database while the runs go on: each crash is recovered by the next
 * tpv process, alone on the database, as at a till.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection.js';
import { BIN, cli, tempDir, TEST_ADMIN } from '../helpers.js';
import { expectConsistent, expectReceiptMatches, planSales, prng, receiptNumber, setUpStore } from './sales-gen.js';

/** Processes started and killed, in one batch. */
const ITERATIONS = 100;
/** The runs killed between their first and last sale that make the test mean something; more batches run (up to MAX_BATCHES) until there are that many. */
const WANT_KILLED_WHILE_SELLING = ITERATIONS / 2;
const MAX_BATCHES = 3;
/** Sales in each process's file: more than it can sell before its kill (~1.5 ms a sale). */
const SALES_PER_RUN = 600;
/** One run in this many is killed while starting on the database, the others while selling. */
const STARTUP_KILL_EVERY = 5;
/** A selling run is killed up to this long after its first write (~60 sales). */
const SELLING_KILL_WITHIN_MS = 100;
/** Until runs have been timed: how long a process takes from opening the database to its first write. */
const OPEN_TO_WRITE_GUESS_MS = 50;
/** The same from the spawn (where /proc is missing). */
const SPAWN_TO_WRITE_GUESS_MS = 300;
const SEED = 0x7f4a7c15;
/** Where a process's open files are listed (Linux); elsewhere start-up kills come at a random moment after the spawn. */
const PROC = existsSync('/proc/self/fd');

const dir = tempDir('tpv-sales-crash-');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the spawn to the process opening the database file, when seen before it died. */
  opened: number | null;
  /** Milliseconds from the spawn to its first sale's write to the WAL (after the PIN check's two writes), when seen before it died. */
  firstWrite: number | null;
}

/** Size and modification time of the WAL: they change when a process writes (a stat takes no SQLite lock). */
function walStamp(path: string): string {
  try {
    const s = statSync(`${path}-wal`, { bigint: true });
    return `${s.size}:${s.mtimeNs}`;
  } catch {
    return 'none';
  }
}

/** Whether process `pid` has the file at `path` (a real path) open. */
function hasOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false; // gone
  }
}

type Kill = { afterOpen: number } | { afterSpawn: number } | { afterFirstWrite: number };

/** Starts `tpv sales import file` and kills it with SIGKILL at the moment `kill` says, unless it has exited. */
function runAndKill(path: string, file: string, kill: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const before = walStamp(path);
    const real = realpathSync(path);
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, '--db', path, 'sales', 'import', file, '--json'], {
      env: { ...process.env, TPV_LANG: 'en', NO_COLOR: '1', TPV_PIN: TEST_ADMIN.pin },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let opened: number | null = null;
    let firstWrite: number | null = null;
    let stamp = before;
    let writes = 0; // changes of the WAL past its header
    let exited = false;
    const timers: NodeJS.Timeout[] = [];
    const killIn = (ms: number): void => void timers.push(setTimeout(() => exited || child.kill('SIGKILL'), ms));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if ('afterSpawn' in kill) killIn(kill.afterSpawn);
    const watch = (): void => {
      if (exited) return;
      const at = performance.now() - started;
      if (opened === null && PROC && hasOpen(child.pid!, real)) {
        opened = at;
        if ('afterOpen' in kill) killIn(kill.afterOpen);
      }
      const now = walStamp(path);
      if (now !== stamp) {
        stamp = now;
        // writes (the WAL holding more than its header): the PIN attempt counted, scrypt, the count reset, then the first sale
        if (Number(now.split(':')[0]) > 32 && ++writes === 3) {
          firstWrite = at;
          if ('afterFirstWrite' in kill) killIn(kill.afterFirstWrite);
          if ('afterOpen' in kill && opened === null) killIn(0); // the open went unseen: the write is as late as it gets
          return;
        }
      }
      timers.push(setTimeout(watch, 1));
    };
    watch();
    killIn(10_000); // a run that never writes is killed all the same
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, stderr, opened, firstWrite });
    });
  });
}

const median = (xs: number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);

describe('sales killed at random moments', () => {
  it(`processes killed while selling (at least ${WANT_KILLED_WHILE_SELLING} of ${ITERATIONS}) leave whole sales, gapless numbers and a verifying journal`, { timeout: 180_000 }, async () => {
    const { path, catalog } = await setUpStore(dir, 'crash.db');
    const pool = await planSales(path, catalog, SEED, 997);
    const rnd = prng(SEED);
    const file = join(dir, 'run.jsonl');
    // sale i of run k is pool[(k * 131 + i) % pool.length], with the id `run{k}-{i}`
    const planOf = (k: number, i: number) => pool[(k * 131 + i) % pool.length]!;
    const runs: Run[] = [];
    let n = 0;
    let killedWhileSelling = 0;
    let stats = '';
    for (let batch = 0; batch < MAX_BATCHES && killedWhileSelling < WANT_KILLED_WHILE_SELLING; batch++) {
      for (let k = runs.length, end = runs.length + ITERATIONS; k < end; k++) {
        const lines = Array.from({ length: SALES_PER_RUN }, (_, i) => JSON.stringify({ id: `run${k}-${i}`, ...planOf(k, i).input }));
        writeFileSync(file, lines.join('\n') + '\n');
        let kill: Kill = { afterFirstWrite: Math.round(rnd() * SELLING_KILL_WITHIN_MS) };
        if (k % STARTUP_KILL_EVERY === STARTUP_KILL_EVERY - 1) {
          const timed = runs.filter((r) => r.opened !== null && r.firstWrite !== null);
          const openToWrite = timed.length ? median(timed.map((r) => r.firstWrite! - r.opened!)) : OPEN_TO_WRITE_GUESS_MS;
          const spawnToWrite = median(runs.map((r) => r.firstWrite).filter((x) => x !== null));
          kill = PROC ? { afterOpen: Math.round(rnd() * openToWrite) } : { afterSpawn: Math.round(rnd() * (spawnToWrite || SPAWN_TO_WRITE_GUESS_MS)) };
        }
        runs.push(await runAndKill(path, file, kill));
      }
      // a process either was killed or finished its file; none failed or complained on its own (a start-up after a crash included)
      const unexpected = runs.map((r, k) => ({ k, ...r })).filter((r) => (r.signal !== 'SIGKILL' && r.code !== 0) || r.stderr !== '');
      expect(unexpected).toEqual([]);

      const db = connect(path);
      try {
        const receipts = expectConsistent(db, catalog);
        n = receipts.length;
        expect(db.prepare('SELECT count(*) FROM bulk_loads').pluck().get()).toBe(0);
        // each run sold a prefix of its file, in order, and the runs follow one another in the numbering
        const sold = Array.from({ length: runs.length }, () => 0);
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
        expect(n).toBeGreaterThan(runs.length);
        killedWhileSelling = runs.filter((r, k) => r.signal === 'SIGKILL' && sold[k]! > 0 && sold[k]! < SALES_PER_RUN).length;
        const ms = (xs: (number | null)[]): string => String(Math.round(median(xs.filter((x) => x !== null))));
        stats = `${runs.length} runs, ${n} receipts; ${killedWhileSelling} runs killed while selling, ${sold.filter((m) => m === 0).length} before their first sale (${runs.filter((r, k) => sold[k] === 0 && r.opened !== null).length} of them after opening the database); median ms from the spawn to opening the database ${ms(runs.map((r) => r.opened))}, to the first write ${ms(runs.map((r) => r.firstWrite))}`;
      } finally {
        db.close();
      }
    }
    expect(killedWhileSelling, `kills that landed between the first and the last sale of a run (${stats})`).toBeGreaterThanOrEqual(WANT_KILLED_WHILE_SELLING);

    // the database goes on (checked in-process): the next sales take the next numbers, the journal verifies, the shift counts them all
    const after = join(dir, 'after.jsonl');
    writeFileSync(after, pool.slice(0, 5).map((s, i) => JSON.stringify({ id: `after-${i}`, ...s.input })).join('\n') + '\n');
    const last = await cli(['--db', path, 'sales', 'import', after, '--json']);
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    expect((last.json.data.results as { number: string }[]).map((r) => r.number)).toEqual([1, 2, 3, 4, 5].map((i) => receiptNumber(n + i)));
    const audit = await cli(['--db', path, 'audit', 'verify', '--json']);
    expect({ code: audit.code, ok: audit.json?.data?.ok, entries: audit.json?.data?.entries }).toEqual({ code: 0, ok: true, entries: n + 5 + 1 }); // and the shift opening
    const status = await cli(['--db', path, 'shift', 'status', '--json']);
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
