/**
 * tpv benchmarks: every figure next to a baseline measured in the same run, with the ratio.
 * Prints figures and never asserts. Bundled by scripts/build-bench.mjs into dist/bench.js:
 *
 *   npm run bench                      1,000,000 rows, every section
 *   npm run bench -- --quick           100,000 rows, fewer iterations
 *   npm run bench -- --rows 250000 --only lookup
 *
 * Sections: import (tpv's CLI vs the sqlite3 CLI's .import and a bare better-sqlite3 loop), lookup
 * (lookupCode vs the same join as one prepared statement), search (listProducts vs a bare FTS5 query),
 * startup (`tpv --version` vs `node -e ''`), checkout, contention, zreport, tui, sync (bench/sync.ts: the
 * store server's catch-up, ingest, idle cost, and a sale beside the sync loop). Working files and results.json go in bench/out/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openApp } from '../src/app/open.js';
import type { ImportReport } from '../src/app/import.js';
import { listProducts, lookupCode } from '../src/app/products.js';
import { DEMO_ADMIN, DEMO_STORE, initStore } from '../src/app/store.js';
import { ftsQuery } from '../src/db/catalog.js';
import { benchCheckout, benchTillDuringImport, benchZReport } from './selling.js';
import { benchEinvoiceSubmit, type EinvoiceSubmitResult } from './einvoice.js';
import { benchSync, SYNC_FULL, SYNC_QUICK, type SyncResult } from './sync.js';
import { benchKeystroke, benchTuiStartup } from './tui.js';
import { BRANDS, ean13, prng, VARIETY, WORDS, writeCatalogCsv } from './generate.js';

/** The repository root: this file is bench/run.ts, or dist/bench.js once bundled. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const TPV_BIN = join(ROOT, 'bin', 'tpv');
const SQLITE3_CLI = '/usr/bin/sqlite3';

const SECTIONS = ['import', 'lookup', 'search', 'startup', 'checkout', 'contention', 'zreport', 'tui', 'sync', 'einvoice'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  rows: number;
  quick: boolean;
  only: Section | null;
}

/** Iteration counts (full run / --quick). */
interface Plan {
  lookupCodes: number;
  lookupCalls: number;
  lookupWarmup: number;
  searchQueries: number;
  searchReps: number;
  startupRuns: number;
}

const FULL: Plan = { lookupCodes: 10_000, lookupCalls: 100_000, lookupWarmup: 10_000, searchQueries: 200, searchReps: 10, startupRuns: 20 };
const QUICK: Plan = { lookupCodes: 10_000, lookupCalls: 20_000, lookupWarmup: 2_000, searchQueries: 60, searchReps: 3, startupRuns: 10 };

// ---------------------------------------------------------------- small helpers

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  let rows = quick ? 100_000 : 1_000_000;
  if (values.rows !== undefined) {
    rows = Number(values.rows.replace(/_/g, ''));
    if (!Number.isSafeInteger(rows) || rows < 1000) throw new Error(`--rows must be an integer ≥ 1000, got ${values.rows}`);
  }
  let only: Section | null = null;
  if (values.only !== undefined) {
    if (!(SECTIONS as readonly string[]).includes(values.only)) {
      throw new Error(`--only must be one of ${SECTIONS.join(', ')}, got ${values.only}`);
    }
    only = values.only as Section;
  }
  return { rows, quick, only };
}

/** 1000000 → "1m", 100000 → "100k" (names of the working files). */
function rowsLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

const nowNs = (): bigint => process.hrtime.bigint();
const msSince = (t0: bigint): number => Number(nowNs() - t0) / 1e6;

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

interface Stats {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

function stats(samples: ArrayLike<number>): Stats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

const fmt = (v: number, digits: number): string =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
const fmtRatio = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '-');
const fmtBytes = (b: number): string => `${(b / (1 << 20)).toFixed(1)} MiB`;

/** A plain text table: first column left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

const fileSize = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr lines with the time they arrived (ms since the spawn). */
  lines: { atMs: number; text: string }[];
}

/** Runs a process to its end and times it by the wall clock, process start included. */
function runTimed(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    const child = spawn(cmd, args, { cwd: ROOT, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: Timed['lines'] = [];
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      const atMs = msSince(t0);
      stderr += s;
      const parts = (partial + s).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ atMs, text });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = msSince(t0);
      if (partial) lines.push({ atMs: ms, text: partial });
      resolve({ ms, code, stdout, stderr, lines });
    });
    child.stdin.end(opts.input ?? '');
  });
}

function countLines(path: string): Promise<{ lines: number; header: string }> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let header: string | null = null;
    let head = '';
    createReadStream(path)
      .on('data', (chunk: Buffer | string) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (header === null) {
          head += b.toString('utf8', 0, Math.min(b.length, 4096));
          const nl = head.indexOf('\n');
          if (nl !== -1) header = head.slice(0, nl);
        }
        for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++;
      })
      .on('error', reject)
      .on('end', () => resolve({ lines, header: header ?? head }));
  });
}

/** The header line of a CSV file (the baselines' table has its columns). */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n).split('\n')[0]!.replace(/^\uFEFF/, '').trim();
  } finally {
    closeSync(fd);
  }
}

const CSV_HEADER = 'sku,name,price,tax_rate,barcodes,unit,category,active,stock,track_stock';

/** The generated catalog of `rows` products: reused when a file with that many rows exists. */
async function catalogCsv(rows: number): Promise<{ path: string; bytes: number; columns: string[]; reused: boolean }> {
  const path = join(OUT, `catalog-${rowsLabel(rows)}.csv`);
  let reused = false;
  if (existsSync(path)) {
    const { lines, header } = await countLines(path); // also brings the file into the page cache
    reused = lines === rows + 1 && header === CSV_HEADER;
  }
  if (!reused) {
    process.stdout.write(`generating ${relative(ROOT, path)} (${rows.toLocaleString('en-US')} rows)… `);
    const t0 = nowNs();
    await writeCatalogCsv(path, rows);
    process.stdout.write(`${(msSince(t0) / 1000).toFixed(1)} s\n`);
  }
  return { path, bytes: statSync(path).size, columns: firstLine(path).split(','), reused };
}

/** The FTS5 options of tpv's products_fts (migrations/0001), so the baselines index names the same way. */
const FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2', prefix='2 3', detail=column, columnsize=0";
const BASELINE_INDEXES = [
  'CREATE UNIQUE INDEX products_raw_sku ON products_raw (sku);',
  `CREATE VIRTUAL TABLE products_raw_fts USING fts5(name, content='products_raw', content_rowid='rowid', ${FTS_OPTIONS});`,
  "INSERT INTO products_raw_fts(products_raw_fts) VALUES('rebuild');",
];

// ---------------------------------------------------------------- a. import

interface ImportVariant {
  name: string;
  seconds: number;
  rowsPerSec: number;
  rowsLoaded: number;
  dbBytes: number;
  /** Time ratio to the sqlite3 CLI (tpv's goal: ≤ 2). */
  ratioToCli: number;
  note?: string;
}

interface ImportResult {
  rows: number;
  csv: string;
  csvBytes: number;
  csvReused: boolean;
  variants: ImportVariant[];
  /** When tpv's progress lines (every ~3 s, on stderr) were seen: where its time goes, roughly. */
  tpvProgress: { phase: string; atSec: number; text: string }[];
  tpvReport: Pick<ImportReport, 'rows' | 'created' | 'updated' | 'rejected' | 'written'> | null;
}

/** Baseline 1: the sqlite3 shell's .import plus the same indexes, in one CLI session. */
async function importSqliteCli(csv: string, columns: string[], db: string): Promise<{ ms: number; rows: number }> {
  removeDb(db);
  const script = [
    '.bail on',
    'PRAGMA journal_mode=WAL;',
    'PRAGMA synchronous=FULL;',
    `CREATE TABLE products_raw (${columns.map((c) => `"${c}" TEXT`).join(', ')});`,
    `.import --csv --skip 1 "${csv}" products_raw`,
    ...BASELINE_INDEXES,
    '',
  ].join('\n');
  const run = await runTimed(SQLITE3_CLI, [db], { input: script });
  if (run.code !== 0) throw new Error(`sqlite3 exited with ${run.code}: ${run.stderr.trim()}`);
  return { ms: run.ms, rows: countRows(db, 'products_raw') };
}

/**
 * Baseline 2: a bare better-sqlite3 loop. The generator quotes every name and nothing else, and the
 * only comma inside a name is the unit "1,5 L": so the name is whatever sits between `,"` and `",`.
 */
async function importBareLoop(csv: string, columns: string[], db: string): Promise<{ ms: number; rows: number }> {
  removeDb(db);
  const t0 = nowNs();
  const conn = new Database(db);
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.exec(`CREATE TABLE products_raw (${columns.map((c) => `"${c}" TEXT`).join(', ')})`);
  const insert = conn.prepare(`INSERT INTO products_raw VALUES (${columns.map(() => '?').join(', ')})`);
  const insertBatch = conn.transaction((batch: string[][]) => {
    for (const r of batch) insert.run(r);
  });
  const BATCH = 10_000;
  let batch: string[][] = [];
  let rows = 0;
  let rest = '';
  let header = true;
  const onLine = (line: string): void => {
    if (header) {
      header = false;
      return;
    }
    if (line === '') return;
    const a = line.indexOf(',"');
    const b = line.indexOf('",', a + 2);
    batch.push([line.slice(0, a), line.slice(a + 2, b), ...line.slice(b + 2).split(',')]);
    if (batch.length === BATCH) {
      insertBatch(batch);
      rows += batch.length;
      batch = [];
    }
  };
  for await (const chunk of createReadStream(csv, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  }
  onLine(rest);
  if (batch.length) {
    insertBatch(batch);
    rows += batch.length;
  }
  for (const sql of BASELINE_INDEXES) conn.exec(sql);
  conn.close();
  return { ms: msSince(t0), rows };
}

function countRows(db: string, table: string): number {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    conn.close();
  }
}

const ADMIN = { code: 'admin', name: 'Admin', pin: '1234' };

/** tpv: a store made through the app layer, then the built CLI's `products import` as a subprocess. */
async function importTpv(csv: string, db: string): Promise<{ ms: number; run: Timed; report: ImportReport | null }> {
  removeDb(db);
  const app = await initStore(db, { ...DEMO_STORE, admin: ADMIN });
  app.close();
  const run = await runTimed(process.execPath, [TPV_BIN, '--db', db, 'products', 'import', csv, '--json'], {
    env: { ...process.env, TPV_LANG: 'en', TPV_PIN: ADMIN.pin },
  });
  let report: ImportReport | null = null;
  try {
    const doc = JSON.parse(run.stdout) as { ok: boolean; data?: ImportReport };
    if (doc.ok && doc.data) report = doc.data;
  } catch {
    // reported below
  }
  if (run.code !== 0 || !report) {
    process.stdout.write(`  tpv import exited with ${run.code}: ${(run.stdout + run.stderr).trim().slice(0, 2000)}\n`);
  }
  return { ms: run.ms, run, report };
}

const tpvDbPath = (rows: number): string => join(OUT, `tpv-${rowsLabel(rows)}.db`);

async function benchImport(opts: Options): Promise<ImportResult> {
  const csv = await catalogCsv(opts.rows);
  const label = rowsLabel(opts.rows);
  process.stdout.write(
    `\n== a. import: ${opts.rows.toLocaleString('en-US')} rows from ${relative(ROOT, csv.path)} (${fmtBytes(csv.bytes)}${csv.reused ? ', reused' : ''})\n`,
  );

  const variants: ImportVariant[] = [];
  const add = (name: string, ms: number, rowsLoaded: number, dbBytes: number, note?: string): void => {
    const cli = variants[0];
    const v: ImportVariant = {
      name,
      seconds: ms / 1000,
      rowsPerSec: opts.rows / (ms / 1000),
      rowsLoaded,
      dbBytes,
      ratioToCli: cli ? ms / 1000 / cli.seconds : 1,
      ...(note ? { note } : {}),
    };
    variants.push(v);
    process.stdout.write(`  ${name}: ${v.seconds.toFixed(2)} s, ${fmt(v.rowsPerSec, 0)} rows/s\n`);
  };

  const cliDb = join(OUT, `base-sqlite3-${label}.db`);
  const cli = await importSqliteCli(csv.path, csv.columns, cliDb);
  add('sqlite3 CLI .import + indexes', cli.ms, cli.rows, fileSize(cliDb), 'one process, one transaction');
  removeDb(cliDb);

  const loopDb = join(OUT, `base-loop-${label}.db`);
  const loop = await importBareLoop(csv.path, csv.columns, loopDb);
  add('better-sqlite3 loop + indexes', loop.ms, loop.rows, fileSize(loopDb), 'in-process, 10,000 rows per transaction');
  removeDb(loopDb);

  const db = tpvDbPath(opts.rows);
  const tpv = await importTpv(csv.path, db);
  const loaded = tpv.report?.created ?? 0;
  add('tpv products import (CLI)', tpv.ms, loaded, fileSize(db), 'subprocess incl. start-up; validate, then write 2,000-row batches');

  const tpvProgress = tpv.run.lines
    .filter((l) => /^(Checking|Writing):/.test(l.text))
    .map((l) => ({ phase: l.text.startsWith('Checking') ? 'validate' : 'write', atSec: l.atMs / 1000, text: l.text }));
  const r = tpv.report;
  return {
    rows: opts.rows,
    csv: relative(ROOT, csv.path),
    csvBytes: csv.bytes,
    csvReused: csv.reused,
    variants,
    tpvProgress,
    tpvReport: r ? { rows: r.rows, created: r.created, updated: r.updated, rejected: r.rejected, written: r.written } : null,
  };
}

/** The tpv database the read sections use: made by the import section, or now if missing or of another size. */
async function ensureTpvDb(rows: number): Promise<string> {
  const db = tpvDbPath(rows);
  if (existsSync(db)) {
    try {
      if (countRows(db, 'products') === rows) return db;
    } catch {
      // not a usable store: rebuilt below
    }
  }
  process.stdout.write(`(${relative(ROOT, db)} missing or not ${rows} products: importing it with tpv first)\n`);
  const csv = await catalogCsv(rows);
  const r = await importTpv(csv.path, db);
  if (!r.report || r.report.created !== rows) throw new Error(`could not build ${db}`);
  return db;
}

// ---------------------------------------------------------------- b. lookup

interface LatencyPair {
  tpv: Stats;
  baseline: Stats;
  ratioP50: number;
  ratioP99: number;
}

interface LookupResult extends LatencyPair {
  unit: 'µs';
  codes: number;
  calls: number;
  misses: { tpv: number; baseline: number };
  /** p50 of timing an empty function the same way: the floor of these figures. */
  timerFloorUs: number;
}

/** Times fn(input) call by call, in blocks alternating between the two functions so drift hits both alike. */
function timePairs<T>(
  inputs: readonly T[],
  calls: number,
  a: (x: T) => unknown,
  b: (x: T) => unknown,
  block: number,
): { a: Float64Array; b: Float64Array } {
  const ta = new Float64Array(calls);
  const tb = new Float64Array(calls);
  const run = (fn: (x: T) => unknown, out: Float64Array, from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const x = inputs[i % inputs.length]!;
      const t0 = process.hrtime.bigint();
      fn(x);
      out[i] = Number(process.hrtime.bigint() - t0);
    }
  };
  for (let from = 0, k = 0; from < calls; from += block, k++) {
    const to = Math.min(calls, from + block);
    if (k % 2 === 0) {
      run(a, ta, from, to);
      run(b, tb, from, to);
    } else {
      run(b, tb, from, to);
      run(a, ta, from, to);
    }
  }
  return { a: ta, b: tb };
}

const scaled = (ns: Float64Array, div: number): Float64Array => ns.map((v) => v / div);

/** The statement catalog.ts prepares for byBarcode (barcodes → products → tax_categories, left join categories). */
const BY_BARCODE_SQL = `SELECT p.id, p.sku, p.name, p.price, t.rate AS tax_rate, p.tax_category_id, p.unit,
  c.name AS category, p.category_id, p.active, p.track_stock, p.on_hand
  FROM barcodes b JOIN products p ON p.id = b.product_id
  JOIN tax_categories t ON t.id = p.tax_category_id LEFT JOIN categories c ON c.id = p.category_id
  WHERE b.code = ?`;

async function benchLookup(opts: Options, plan: Plan): Promise<LookupResult> {
  const dbPath = await ensureTpvDb(opts.rows);
  process.stdout.write(`\n== b. barcode lookup on ${relative(ROOT, dbPath)}\n`);
  const n = opts.rows;
  const rnd = prng(1234);
  const codes: string[] = [];
  for (let k = 0; k < plan.lookupCodes; k++) {
    const i = 1 + Math.floor(rnd() * n);
    // every 5th product also has the barcode ean13(n + i) (bench/generate.ts)
    codes.push(i % 5 === 0 && rnd() < 0.5 ? ean13(n + i) : ean13(i));
  }

  const app = await openApp(dbPath);
  const raw = new Database(dbPath, { fileMustExist: true });
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  try {
    const stmt = raw.prepare(BY_BARCODE_SQL);
    const misses = { tpv: 0, baseline: 0 };
    for (const c of codes) {
      if (stmt.get(c) === undefined) misses.baseline++;
      if (lookupCode(app, c) === null) misses.tpv++;
    }
    const rawGet = (c: string): unknown => stmt.get(c);
    const tpvGet = (c: string): unknown => lookupCode(app, c);
    timePairs(codes, plan.lookupWarmup, rawGet, tpvGet, 1000); // warm-up
    const floor = timePairs(codes, Math.min(plan.lookupCalls, 20_000), () => 0, () => 0, 10_000);
    const t = timePairs(codes, plan.lookupCalls, rawGet, tpvGet, 1000);
    const baseline = stats(scaled(t.a, 1000));
    const tpv = stats(scaled(t.b, 1000));
    return {
      unit: 'µs',
      codes: codes.length,
      calls: plan.lookupCalls,
      misses,
      timerFloorUs: stats(scaled(floor.a, 1000)).p50,
      tpv,
      baseline,
      ratioP50: tpv.p50 / baseline.p50,
      ratioP99: tpv.p99 / baseline.p99,
    };
  } finally {
    raw.close();
    app.close();
  }
}

// ---------------------------------------------------------------- c. search

interface SearchResult extends LatencyPair {
  unit: 'ms';
  queries: number;
  reps: number;
  examples: string[];
  /** Queries where tpv and the bare FTS query returned a different number of rows. */
  countMismatches: number;
  meanRows: { tpv: number; baseline: number };
  slowest: { query: string; tpvMs: number; baselineMs: number }[];
}

/** What a cashier types: 1–3 word prefixes (2–5 letters) from the generator's vocabulary. */
function searchQueries(count: number): string[] {
  const vocabulary = [...WORDS, ...VARIETY.slice(0, 300), ...BRANDS.slice(0, 300)];
  const out = ['choc', 'leche ent', 'ca', 'gel du', 'pap hig'];
  const rnd = prng(99);
  const seen = new Set(out);
  while (out.length < count) {
    const words = 1 + Math.floor(rnd() * 3);
    const parts: string[] = [];
    for (let w = 0; w < words; w++) {
      const word = vocabulary[Math.floor(rnd() * vocabulary.length)]!.toLowerCase();
      parts.push(word.slice(0, Math.min(word.length, 2 + Math.floor(rnd() * 4))));
    }
    const q = parts.join(' ');
    if (!seen.has(q)) {
      seen.add(q);
      out.push(q);
    }
  }
  return out.slice(0, count);
}

async function benchSearch(opts: Options, plan: Plan): Promise<SearchResult> {
  const dbPath = await ensureTpvDb(opts.rows);
  process.stdout.write(`\n== c. name search on ${relative(ROOT, dbPath)}\n`);
  const queries = searchQueries(plan.searchQueries);
  const app = await openApp(dbPath);
  const raw = new Database(dbPath, { fileMustExist: true });
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  try {
    const stmt = raw.prepare('SELECT rowid FROM products_fts WHERE products_fts MATCH ? LIMIT 50');
    // the baseline gets the MATCH expression ready-made; tpv builds it from the typed text
    const inputs = queries.map((q) => ({ q, match: ftsQuery(q)! }));
    let countMismatches = 0;
    let rowsTpv = 0;
    let rowsRaw = 0;
    for (const { q, match } of inputs) {
      const a = stmt.all(match).length;
      const b = listProducts(app, { search: q, limit: 50 }).length;
      rowsRaw += a;
      rowsTpv += b;
      if (a !== b) countMismatches++;
    }
    const rawRun = (x: { match: string }): unknown => stmt.all(x.match);
    const tpvRun = (x: { q: string }): unknown => listProducts(app, { search: x.q, limit: 50 });
    timePairs(inputs, inputs.length, rawRun, tpvRun, inputs.length); // warm-up
    const calls = inputs.length * plan.searchReps;
    const t = timePairs(inputs, calls, rawRun, tpvRun, inputs.length);
    const baseline = stats(scaled(t.a, 1e6));
    const tpv = stats(scaled(t.b, 1e6));
    // per query: the median over its repetitions, to name the slowest ones
    const perQuery = inputs.map(({ q }, i) => {
      const a: number[] = [];
      const b: number[] = [];
      for (let k = i; k < calls; k += inputs.length) {
        a.push(t.a[k]! / 1e6);
        b.push(t.b[k]! / 1e6);
      }
      return { query: q, tpvMs: stats(b).p50, baselineMs: stats(a).p50 };
    });
    perQuery.sort((x, y) => y.tpvMs - x.tpvMs);
    return {
      unit: 'ms',
      queries: inputs.length,
      reps: plan.searchReps,
      examples: queries.slice(0, 12),
      countMismatches,
      meanRows: { tpv: rowsTpv / inputs.length, baseline: rowsRaw / inputs.length },
      slowest: perQuery.slice(0, 5),
      tpv,
      baseline,
      ratioP50: tpv.p50 / baseline.p50,
      ratioP99: tpv.p99 / baseline.p99,
    };
  } finally {
    raw.close();
    app.close();
  }
}

// ---------------------------------------------------------------- d. startup

interface StartupResult {
  runs: number;
  version: string;
  tpv: Stats;
  baseline: Stats;
  ratioMedian: number;
  ratioP90: number;
}

function benchStartup(plan: Plan): StartupResult {
  process.stdout.write(`\n== d. start-up: node bin/tpv --version vs node -e ''\n`);
  const time = (args: string[]): { ms: number; out: string } => {
    const t0 = nowNs();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    const ms = msSince(t0);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    return { ms, out: r.stdout.trim() };
  };
  const node = ['-e', ''];
  const tpvArgs = [TPV_BIN, '--version'];
  for (let i = 0; i < 2; i++) {
    time(node);
    time(tpvArgs);
  }
  const a: number[] = [];
  const b: number[] = [];
  let version = '';
  for (let i = 0; i < plan.startupRuns; i++) {
    if (i % 2 === 0) {
      a.push(time(node).ms);
      const r = time(tpvArgs);
      b.push(r.ms);
      version = r.out;
    } else {
      const r = time(tpvArgs);
      b.push(r.ms);
      version = r.out;
      a.push(time(node).ms);
    }
  }
  const baseline = stats(a);
  const tpv = stats(b);
  return { runs: plan.startupRuns, version, tpv, baseline, ratioMedian: tpv.p50 / baseline.p50, ratioP90: tpv.p90 / baseline.p90 };
}

// ---------------------------------------------------------------- main

interface SummaryRow {
  figure: string;
  tpv: string;
  baseline: string;
  ratio: string;
  goal: string;
}

function sqliteCliVersion(): string {
  const r = spawnSync(SQLITE3_CLI, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(' ').slice(0, 2).join(' ') : 'unavailable';
}

function bundledSqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.close();
  }
}

const loadText = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const plan = opts.quick ? QUICK : FULL;
  mkdirSync(OUT, { recursive: true });
  const runs = (s: Section): boolean => opts.only === null || opts.only === s;
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(),
    rows: opts.rows,
    quick: opts.quick,
    only: opts.only,
    plan,
    node: process.version,
    sqliteCli: sqliteCliVersion(),
    betterSqlite3Sqlite: bundledSqliteVersion(),
    cpu: `${cpus[0]?.model ?? '?'} × ${cpus.length}`,
    platform: `${os.platform()} ${os.release()}`,
    /** 1/5/15-minute load averages at the start and the end: other work on the machine skews every figure. */
    loadavg: { start: os.loadavg(), end: [] as number[] },
  };
  process.stdout.write(
    `tpv bench — ${opts.rows.toLocaleString('en-US')} rows${opts.quick ? ' (quick)' : ''}${opts.only ? `, only ${opts.only}` : ''}\n` +
      `node ${meta.node}; sqlite3 CLI ${meta.sqliteCli}; better-sqlite3's SQLite ${meta.betterSqlite3Sqlite}; ${meta.cpu}; ` +
      `load average ${loadText(meta.loadavg.start)}\n`,
  );

  const summary: SummaryRow[] = [];
  const results: {
    meta: typeof meta;
    import?: ImportResult;
    lookup?: LookupResult;
    search?: SearchResult;
    startup?: StartupResult;
    sync?: SyncResult;
    einvoice?: EinvoiceSubmitResult;
    summary: SummaryRow[];
  } = { meta, summary };
  const label = rowsLabel(opts.rows);

  if (runs('import')) {
    const r = await benchImport(opts);
    results.import = r;
    process.stdout.write(
      '\n' +
        table(
          ['import variant', 'seconds', 'rows/s', 'time vs sqlite3 CLI', 'rows loaded', 'db size'],
          r.variants.map((v) => [v.name, v.seconds.toFixed(2), fmt(v.rowsPerSec, 0), fmtRatio(v.ratioToCli), fmt(v.rowsLoaded, 0), fmtBytes(v.dbBytes)]),
        ) +
        '\n',
    );
    if (r.tpvProgress.length) {
      process.stdout.write('  tpv progress lines (stderr, about every 3 s):\n');
      for (const p of r.tpvProgress) process.stdout.write(`    ${p.atSec.toFixed(1).padStart(6)} s  ${p.text}\n`);
    }
    const [cli, loop, tpv] = r.variants;
    if (cli && loop && tpv) {
      summary.push({ figure: `import ${label} rows/s vs sqlite3 CLI (time ratio)`, tpv: fmt(tpv.rowsPerSec, 0), baseline: fmt(cli.rowsPerSec, 0), ratio: fmtRatio(tpv.ratioToCli), goal: '≤ 2×' });
      summary.push({ figure: `import ${label} rows/s vs better-sqlite3 loop`, tpv: fmt(tpv.rowsPerSec, 0), baseline: fmt(loop.rowsPerSec, 0), ratio: fmtRatio(tpv.seconds / loop.seconds), goal: '-' });
    }
  }

  if (runs('lookup')) {
    const r = await benchLookup(opts, plan);
    results.lookup = r;
    process.stdout.write(
      table(
        ['barcode lookup (µs)', 'p50', 'p90', 'p99', 'mean', 'max'],
        [
          ['raw prepared statement', ...[r.baseline.p50, r.baseline.p90, r.baseline.p99, r.baseline.mean, r.baseline.max].map((v) => fmt(v, 2))],
          ['tpv lookupCode', ...[r.tpv.p50, r.tpv.p90, r.tpv.p99, r.tpv.mean, r.tpv.max].map((v) => fmt(v, 2))],
        ],
      ) +
        `\n  ${r.calls.toLocaleString('en-US')} calls each over ${r.codes.toLocaleString('en-US')} barcodes; misses raw ${r.misses.baseline}, tpv ${r.misses.tpv}; timer floor p50 ${fmt(r.timerFloorUs, 2)} µs\n`,
    );
    summary.push({ figure: 'lookup p50 µs vs raw statement', tpv: fmt(r.tpv.p50, 2), baseline: fmt(r.baseline.p50, 2), ratio: fmtRatio(r.ratioP50), goal: '≤ 1.5×' });
    summary.push({ figure: 'lookup p99 µs vs raw statement', tpv: fmt(r.tpv.p99, 2), baseline: fmt(r.baseline.p99, 2), ratio: fmtRatio(r.ratioP99), goal: '≤ 1.5×' });
  }

  if (runs('search')) {
    const r = await benchSearch(opts, plan);
    results.search = r;
    process.stdout.write(
      table(
        ['name search (ms)', 'p50', 'p90', 'p99', 'mean', 'max'],
        [
          ['raw FTS5 MATCH … LIMIT 50', ...[r.baseline.p50, r.baseline.p90, r.baseline.p99, r.baseline.mean, r.baseline.max].map((v) => fmt(v, 3))],
          ['tpv listProducts', ...[r.tpv.p50, r.tpv.p90, r.tpv.p99, r.tpv.mean, r.tpv.max].map((v) => fmt(v, 3))],
        ],
      ) +
        `\n  ${r.queries} queries × ${r.reps} reps, e.g. ${r.examples.slice(0, 8).map((q) => `"${q}"`).join(', ')}` +
        `\n  rows per query: raw ${r.meanRows.baseline.toFixed(1)}, tpv ${r.meanRows.tpv.toFixed(1)} (count differs on ${r.countMismatches})` +
        `\n  slowest for tpv (median ms, tpv / raw): ${r.slowest.map((s) => `"${s.query}" ${fmt(s.tpvMs, 2)} / ${fmt(s.baselineMs, 2)}`).join(', ')}\n`,
    );
    summary.push({ figure: 'search p50 ms vs raw FTS5', tpv: fmt(r.tpv.p50, 3), baseline: fmt(r.baseline.p50, 3), ratio: fmtRatio(r.ratioP50), goal: '-' });
    summary.push({ figure: 'search p99 ms vs raw FTS5', tpv: fmt(r.tpv.p99, 3), baseline: fmt(r.baseline.p99, 3), ratio: fmtRatio(r.ratioP99), goal: 'p99 < 10 ms' });
  }

  if (runs('startup')) {
    const r = benchStartup(plan);
    results.startup = r;
    process.stdout.write(
      table(
        ['start-up (ms)', 'median', 'p90', 'min', 'max'],
        [
          [`node -e ''`, ...[r.baseline.p50, r.baseline.p90, r.baseline.min, r.baseline.max].map((v) => fmt(v, 1))],
          [`node bin/tpv --version (${r.version})`, ...[r.tpv.p50, r.tpv.p90, r.tpv.min, r.tpv.max].map((v) => fmt(v, 1))],
        ],
      ) + `\n  ${r.runs} runs each, alternating, after 2 warm-up runs\n`,
    );
    summary.push({ figure: 'start-up median ms vs node -e ""', tpv: fmt(r.tpv.p50, 1), baseline: fmt(r.baseline.p50, 1), ratio: fmtRatio(r.ratioMedian), goal: '≤ 1.5×' });
    summary.push({ figure: 'start-up p90 ms vs node -e ""', tpv: fmt(r.tpv.p90, 1), baseline: fmt(r.baseline.p90, 1), ratio: fmtRatio(r.ratioP90), goal: '-' });
  }

  if (runs('checkout')) {
    process.stdout.write('\n== e. checkout: a 20-line sale, 2 payments, 20 stock moves, WAL + synchronous=FULL\n');
    const r = await benchCheckout(ROOT, OUT, opts.quick ? 500 : 2000);
    process.stdout.write(
      table(
        ['checkout', 'sales/s', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ['raw prepared statements (same writes)', fmt(r.raw.perSec, 0), fmt(r.raw.p50, 2), fmt(r.raw.p99, 2), fmt(r.raw.max, 2)],
          ['tpv sell() (app layer, journal, outbox)', fmt(r.tpv.perSec, 0), fmt(r.tpv.p50, 2), fmt(r.tpv.p99, 2), fmt(r.tpv.max, 2)],
          ['tpv sell() with VERI*FACTU on (+ its record)', fmt(r.verifactu.perSec, 0), fmt(r.verifactu.p50, 2), fmt(r.verifactu.p99, 2), fmt(r.verifactu.max, 2)],
        ],
      ) + '\n',
    );
    summary.push({ figure: 'checkout sales/s vs raw statements', tpv: fmt(r.tpv.perSec, 0), baseline: fmt(r.raw.perSec, 0), ratio: fmtRatio(r.ratio), goal: '≥ 0.75×' });
    summary.push({ figure: 'checkout p99 ms', tpv: fmt(r.tpv.p99, 2), baseline: fmt(r.raw.p99, 2), ratio: fmtRatio(r.tpv.p99 / r.raw.p99), goal: '≤ 5 ms' });
    summary.push({ figure: 'checkout sales/s, VERI*FACTU on vs off', tpv: fmt(r.verifactu.perSec, 0), baseline: fmt(r.tpv.perSec, 0), ratio: fmtRatio(r.verifactu.perSec / r.tpv.perSec), goal: 'little' });
    summary.push({ figure: 'checkout p99 ms, VERI*FACTU on vs off', tpv: fmt(r.verifactu.p99, 2), baseline: fmt(r.tpv.p99, 2), ratio: fmtRatio(r.verifactu.p99 / r.tpv.p99), goal: 'little' });
  }

  if (runs('zreport')) {
    const receipts = opts.quick ? 20_000 : 100_000;
    process.stdout.write(`\n== f. Z report of a shift of ${receipts.toLocaleString('en-US')} receipts\n`);
    const r = await benchZReport(ROOT, OUT, receipts);
    process.stdout.write(`  close + Z report: ${fmt(r.ms, 1)} ms\n`);
    summary.push({ figure: `Z report, ${receipts.toLocaleString('en-US')} receipts (ms)`, tpv: fmt(r.ms, 1), baseline: '-', ratio: '-', goal: '≤ 200 ms' });
  }

  if (runs('contention')) {
    const { path: csv } = await catalogCsv(opts.rows);
    process.stdout.write(`\n== g. a till selling every 20 ms while tpv imports ${opts.rows.toLocaleString('en-US')} rows into the same database\n`);
    const r = await benchTillDuringImport(ROOT, OUT, csv, opts.rows);
    process.stdout.write(
      table(
        ['till checkout (ms)', 'sales', 'p50', 'p99', 'max'],
        [
          ['alone', String(r.alone.n), fmt(r.alone.p50, 2), fmt(r.alone.p99, 2), fmt(r.alone.max, 2)],
          ['during the import', String(r.duringImport.n), fmt(r.duringImport.p50, 2), fmt(r.duringImport.p99, 2), fmt(r.duringImport.max, 2)],
        ],
      ) + `\n  the import took ${fmt(r.importMs / 1000, 1)} s (exit ${r.importExit})\n`,
    );
    summary.push({ figure: 'till checkout p99 during a big import (ms)', tpv: fmt(r.duringImport.p99, 1), baseline: fmt(r.alone.p99, 1), ratio: fmtRatio(r.duringImport.p99 / r.alone.p99), goal: '≤ 100 ms' });
  }

  if (runs('tui')) {
    process.stdout.write(`\n== h. cashier terminal: first frame in tmux (vs node printing the same prompt); a keystroke on a 200-line cart\n`);
    const db = join(OUT, 'tui.db');
    removeDb(db);
    (await initStore(db, { ...DEMO_STORE, admin: DEMO_ADMIN })).close();
    const start = benchTuiStartup(TPV_BIN, db, opts.quick ? 5 : 15);
    const keys = benchKeystroke(opts.quick ? 200 : 1000);
    const [s1, s0, k1, k0] = [stats(start.tpv), stats(start.baseline), stats(keys.tpv), stats(keys.baseline)];
    process.stdout.write(
      table(
        ['terminal (ms)', 'p50', 'p90', 'p99', 'max'],
        [
          ['first frame: node printing the prompt', ...[s0.p50, s0.p90, s0.p99, s0.max].map((v) => fmt(v, 1))],
          ['first frame: tpv pos (login screen)', ...[s1.p50, s1.p90, s1.p99, s1.max].map((v) => fmt(v, 1))],
          ['keystroke: Ink frame of 23 fixed rows', ...[k0.p50, k0.p90, k0.p99, k0.max].map((v) => fmt(v, 2))],
          ['keystroke: tpv, 200-line cart', ...[k1.p50, k1.p90, k1.p99, k1.max].map((v) => fmt(v, 2))],
        ],
      ) + '\n',
    );
    summary.push({ figure: 'terminal first frame (ms)', tpv: fmt(s1.p50, 0), baseline: fmt(s0.p50, 0), ratio: fmtRatio(s1.p50 / s0.p50), goal: 'short' });
    summary.push({ figure: 'keystroke on a 200-line cart, p99 (ms)', tpv: fmt(k1.p99, 2), baseline: fmt(k0.p99, 2), ratio: fmtRatio(k1.p99 / k0.p99), goal: '≪ 50 ms' });
  }

  if (runs('einvoice')) {
    const records = opts.quick ? 2_000 : 10_000;
    process.stdout.write(`\n== j. VERI*FACTU: ${records.toLocaleString('en-US')} pending records submitted to an AEAT on 127.0.0.1 (TLS with a client certificate, wait 0)\n`);
    const r = await benchEinvoiceSubmit(OUT, records);
    results.einvoice = r;
    process.stdout.write(`  ${fmt(r.records, 0)} records in ${r.requests} requests: ${fmt(r.seconds, 2)} s (${fmt(r.perSec, 0)} records/s); building the same envelopes alone ${fmt(r.buildSeconds, 2)} s\n`);
    summary.push({ figure: `VERI*FACTU submit of ${fmt(r.records, 0)} records (s) vs building the envelopes`, tpv: fmt(r.seconds, 2), baseline: fmt(r.buildSeconds, 2), ratio: fmtRatio(r.seconds / r.buildSeconds), goal: '-' });
  }

  if (runs('sync')) {
    process.stdout.write('\n== i. sync: `tpv server` on 127.0.0.1 (its own process), tills from the normal init path\n');
    const r = await benchSync(ROOT, OUT, opts.quick ? SYNC_QUICK : SYNC_FULL, (line) => void process.stdout.write(line + '\n'));
    results.sync = r;
    const name = (s: string): string => (s === 'sqlite' ? 'SQLite' : 'PostgreSQL');
    process.stdout.write(
      table(
        ['catch-up of one till', 'events', 'seconds', 'events/s', 'raw insert s', 'raw events/s', 'rate vs raw', 'storage in-process events/s', 'rate vs in-process', 'server CPU s'],
        r.catchUp.map((c) => [name(c.storage), fmt(c.events, 0), fmt(c.seconds, 2), fmt(c.perSec, 0), fmt(c.rawSeconds, 2), fmt(c.rawPerSec, 0), fmtRatio(c.ratio), fmt(c.inProcessPerSec, 0), fmtRatio(c.perSec / c.inProcessPerSec), fmt(c.serverCpuS, 1)]),
      ) +
        '\n' +
        table(
          ['tills pushing at once', 'events', 'seconds', 'events/s', 'server cores busy', 'server peak RSS'],
          r.ingest.map((c) => [`${c.tills} tills, ${name(c.storage)}`, fmt(c.events, 0), fmt(c.seconds, 2), fmt(c.perSec, 0), fmt(c.serverCores, 2), fmtBytes(c.serverRss)]),
        ) +
        `\n  server process with ${r.heartbeats.tills} tills connected (heartbeat every 30 s, ping every 15 s), over ${r.heartbeats.seconds} s: ` +
        `CPU ${fmt(r.heartbeats.cpuPct, 2)} % of a core, RSS ${fmtBytes(r.heartbeats.rss)}; with none: CPU ${fmt(r.heartbeats.idleCpuPct, 2)} %, RSS ${fmtBytes(r.heartbeats.idleRss)}\n` +
        table(
          ['till checkout, a sale every 20 ms (ms)', 'sales', 'p50', 'p99', 'max'],
          [
            ['without the sync loop', String(r.checkout.alone.n), fmt(r.checkout.alone.p50, 2), fmt(r.checkout.alone.p99, 2), fmt(r.checkout.alone.max, 2)],
            ['with the sync loop running', String(r.checkout.withSync.n), fmt(r.checkout.withSync.p50, 2), fmt(r.checkout.withSync.p99, 2), fmt(r.checkout.withSync.max, 2)],
          ],
        ) +
        `\n  the server held ${r.checkout.pushed} events of the till at the end\n`,
    );
    for (const c of r.catchUp) {
      summary.push({ figure: `sync catch-up ${fmt(c.events, 0)} events, ${name(c.storage)} (s)`, tpv: fmt(c.seconds, 2), baseline: fmt(c.rawSeconds, 2), ratio: fmtRatio(c.seconds / c.rawSeconds), goal: '≤ 10 s' });
      summary.push({ figure: `sync catch-up rate vs raw insert, ${name(c.storage)} (events/s)`, tpv: fmt(c.perSec, 0), baseline: fmt(c.rawPerSec, 0), ratio: fmtRatio(c.ratio), goal: '≥ 0.5×' });
      summary.push({ figure: `sync catch-up rate vs the server's storage in-process, ${name(c.storage)} (events/s)`, tpv: fmt(c.perSec, 0), baseline: fmt(c.inProcessPerSec, 0), ratio: fmtRatio(c.perSec / c.inProcessPerSec), goal: '-' });
    }
    for (const c of r.ingest) {
      const raw = r.catchUp.find((x) => x.storage === c.storage);
      summary.push({ figure: `sync ingest, ${c.tills} tills at once, ${name(c.storage)} (events/s)`, tpv: fmt(c.perSec, 0), baseline: raw ? fmt(raw.rawPerSec, 0) : '-', ratio: raw ? fmtRatio(c.perSec / raw.rawPerSec) : '-', goal: '≥ 2,000' });
    }
    const hb = r.heartbeats;
    summary.push({ figure: `server CPU, ${hb.tills} tills heartbeating (% of a core)`, tpv: fmt(hb.cpuPct, 2), baseline: fmt(hb.idleCpuPct, 2), ratio: fmtRatio(hb.cpuPct / hb.idleCpuPct), goal: '≤ 2 %' });
    summary.push({ figure: `server RSS, ${hb.tills} tills heartbeating (MiB)`, tpv: fmt(hb.rss / (1 << 20), 1), baseline: fmt(hb.idleRss / (1 << 20), 1), ratio: fmtRatio(hb.rss / hb.idleRss), goal: '≤ 150 MB' });
    summary.push({ figure: 'checkout p99 with the sync loop (ms)', tpv: fmt(r.checkout.withSync.p99, 2), baseline: fmt(r.checkout.alone.p99, 2), ratio: fmtRatio(r.checkout.withSync.p99 / r.checkout.alone.p99), goal: 'within noise' });
  }

  process.stdout.write(
    `\n== summary (${opts.rows.toLocaleString('en-US')} rows${opts.quick ? ', quick' : ''})\n` +
      table(['figure', 'tpv', 'baseline', 'ratio', 'goal'], summary.map((s) => [s.figure, s.tpv, s.baseline, s.ratio, s.goal])) +
      '\n',
  );
  meta.loadavg.end = os.loadavg();
  process.stdout.write(`load average ${loadText(meta.loadavg.start)} at the start, ${loadText(meta.loadavg.end)} at the end\n`);
  const resultsPath = join(OUT, 'results.json');
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nwrote ${relative(ROOT, resultsPath)}\n`);
}

await main();
