/**
 * Sync benchmarks (issue 13): the store server as `tpv server` in its own process on 127.0.0.1,
 * tills from the normal init path, each figure beside a baseline measured in the same run.
 *
 *  - catch-up: one till pushes a day's outbox (100,000 events) to the server, on SQLite and on
 *    PostgreSQL, beside a bare loop inserting the same rows into the same database (no network,
 *    no protocol, batches of the protocol's 500 per transaction), and beside the server's own
 *    storage ingesting the same batches in the bench's process (what the network and the protocol add);
 *  - ingest: 10 tills (`tpv sync push` processes) push at once to one server process;
 *  - heartbeats: 50 tills connected (their sync loop, at the real 30 s interval: the client has no
 *    shorter one), the server's CPU and RSS beside the same server with none;
 *  - checkout: a sale with the sync loop running in the till's process vs without.
 *
 * Set TPV_BENCH_CPU_PROF=<dir> to run every server with `node --cpu-prof` (profiles written there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { actingUser } from '../src/app/auth.js';
import type { App } from '../src/app/context.js';
import { importProducts } from '../src/app/import.js';
import { uuidv7 } from '../src/app/ids.js';
import { sell } from '../src/app/sales.js';
import { openShift } from '../src/app/shifts.js';
import { DEMO_STORE, initStore } from '../src/app/store.js';
import { linkPath, pushOutbox, requireLink, runSync } from '../src/app/sync.js';
import { addTerminal } from '../src/server/admin.js';
import { newToken, normalEnrolCode, sha256Hex } from '../src/server/auth.js';
import { openPostgresStorage } from '../src/server/postgres.js';
import { openSqliteStorage } from '../src/server/sqlite.js';
import type { ServerStorage } from '../src/server/storage.js';
import { eventHash, MAX_BATCH_EVENTS } from '../src/sync/protocol.js';
import { startPostgres, type TestPostgres } from '../tests/pg.js';
import { type Latency, latency, twentyLines } from './selling.js';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));
const ADMIN = { code: 'admin', name: 'Admin', pin: '1234' };

// ---- the server process -------------------------------------------------------------------------

type Where = { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string };

interface ServerProc {
  url: string;
  pid: number;
  where: Where;
  stop(): Promise<void>;
}

/** `tpv server --listen 127.0.0.1:0` over a data dir or a PostgreSQL database; resolves once it listens. */
async function spawnServer(root: string, where: Where): Promise<ServerProc> {
  const prof = process.env.TPV_BENCH_CPU_PROF;
  const args = [
    ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
    join(root, 'bin', 'tpv'),
    'server',
    '--listen',
    '127.0.0.1:0',
    ...(where.kind === 'sqlite' ? ['--data', where.dir] : ['--database', where.url]),
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  // a bench that fails midway leaves no server behind
  const kill = (): void => void child.kill();
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  const tail: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        tail.push(l);
        if (tail.length > 20) tail.shift();
        const m = / listening address=[\d.]+:(\d+)/.exec(l);
        if (m) resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`tpv server exited with ${code}:\n${tail.join('\n')}`)));
  });
  return {
    url: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    where,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The admin side of the server's storage (what `tpv server terminals add` opens beside it). */
function adminStorage(where: Where): Promise<ServerStorage> {
  return where.kind === 'sqlite' ? openSqliteStorage(where.dir, { beside: true, create: false }) : openPostgresStorage(where.url);
}

/** CPU seconds (user + system) and RSS bytes of a process, from /proc. */
function usage(pid: number): { cpuS: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { cpuS: ticks / 100, rss: rssKb * 1024 };
}

// ---- tills ----------------------------------------------------------------------------------------

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '.sync']) rmSync(path + suffix, { force: true });
}

/** A till from the normal init path (register `register`); with the demo catalog, an open shift and one 20-line sale. */
async function makeTill(root: string, path: string, register: string, selling: boolean): Promise<App> {
  removeDb(path);
  const app = await initStore(path, { ...DEMO_STORE, registerCode: register, admin: ADMIN });
  if (selling) {
    await importProducts(app, actingUser(app.db), createReadStream(join(root, 'fixtures', 'demo-catalog.csv')), null);
    openShift(app, actingUser(app.db), 10000);
    sell(app, twentyLines(app), actingUser(app.db));
  }
  return app;
}

/**
 * Fills the outbox up to `total` rows with copies of its last sale event: new ids (UUIDv7) and
 * seqs, a receipt number of their own, one ms apart. Inserted directly, in one transaction.
 */
function fillOutbox(app: App, total: number): void {
  const sale = app.db.prepare("SELECT type, version, payload FROM outbox WHERE type = 'sale' ORDER BY seq DESC LIMIT 1").get() as
    | { type: string; version: number; payload: string }
    | undefined;
  if (!sale) throw new Error('the till has no sale event to copy');
  const number = (JSON.parse(sale.payload) as { receipt: { number: string } }).receipt.number;
  const have = app.db.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
  const insert = app.db.prepare('INSERT INTO outbox (id, type, version, payload, created_at) VALUES (?, ?, ?, ?, ?)');
  const start = Date.now() - 24 * 3600_000;
  app.db.pragma('synchronous = OFF');
  app.db.transaction(() => {
    for (let i = have; i < total; i++) {
      const at = new Date(start + i);
      const payload = sale.payload.replaceAll(`"${number}"`, `"${number}-B${i}"`);
      insert.run(uuidv7(at), sale.type, sale.version, payload, at.toISOString());
    }
  })();
  app.db.pragma('synchronous = FULL');
}

/**
 * Adds the till's terminal on the server and enrols it: what `POST /enrol` does (the storage's
 * enrol with a new token), then the link file `tpv sync register` writes. Not through /enrol
 * itself: it takes 10 attempts a minute per address, and the bench enrols 70 tills.
 */
async function enrol(app: App, admin: ServerStorage, server: ServerProc): Promise<void> {
  const register = app.profile.register;
  const { enrol_code } = await addTerminal(admin, register, '', new Date());
  const token = newToken(register);
  const r = await admin.enrol(sha256Hex(normalEnrolCode(enrol_code)), register, sha256Hex(token), new Date().toISOString());
  if (typeof r === 'string') throw new Error(`enrolment of ${register} refused: ${r}`);
  const link = { server: server.url, terminal: register, token, registered_at: new Date().toISOString(), state: {} };
  writeFileSync(linkPath(app.path), JSON.stringify(link) + '\n', { mode: 0o600 });
}

// ---- a. catch-up, beside the raw insert rate --------------------------------------------------

type ServerRow = { id: string; seq: number; type: string; version: number; at: string; payload: string; hash: string };

/**
 * The rows of a till's outbox as the server stores them (payload canonical, the body's hash), one
 * batch of 500 at a time, each batch handed to `insert`: only `insert` is timed (ms returned).
 */
async function timedBatches(app: App, insert: (rows: ServerRow[]) => unknown): Promise<number> {
  const read = app.db.prepare('SELECT seq, id, type, version, payload, created_at AS at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
  let total = 0;
  for (let after = 0; ; ) {
    const rows = (read.all(after, MAX_BATCH_EVENTS) as ServerRow[]).map((r) => ({ ...r, hash: eventHash(r) }));
    if (rows.length === 0) return total;
    after = rows[rows.length - 1]!.seq;
    const t0 = process.hrtime.bigint();
    await insert(rows);
    total += ms(t0);
  }
}

/**
 * The baseline: the same rows inserted into the same database (a file beside server.db with its
 * `events` table, or a copy of the table in the server's PostgreSQL database), batches of 500 per
 * transaction, WAL + synchronous=FULL / durable commits: no network, no protocol, no checks.
 */
async function rawInsert(where: Where, app: App): Promise<number> {
  const now = new Date().toISOString();
  if (where.kind === 'sqlite') {
    const server = new Database(join(where.dir, 'server.db'), { readonly: true, fileMustExist: true });
    const ddl = server.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().get() as string;
    server.close();
    const path = join(where.dir, 'raw.db');
    removeDb(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = OFF');
    db.exec(ddl);
    const insert = db.prepare('INSERT INTO events (id, terminal, seq, type, version, at, payload, hash, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const batch = db.transaction((b: ServerRow[]) => {
      for (const r of b) insert.run(r.id, 'RAW', r.seq, r.type, r.version, r.at, r.payload, r.hash, now);
    });
    const took = await timedBatches(app, batch);
    db.close();
    removeDb(path);
    return took;
  }
  const client = new pg.Client(where.url);
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_raw_events; CREATE TABLE bench_raw_events (LIKE events INCLUDING ALL)');
    const took = await timedBatches(app, async (b) => {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bench_raw_events (id, terminal, seq, type, version, at, payload, hash, received_at)
         SELECT id, 'RAW', seq, type, version, at, payload, hash, $7 FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[], $8::text[]) AS u(id, seq, type, version, at, payload, hash)`,
        [b.map((r) => r.id), b.map((r) => r.seq), b.map((r) => r.type), b.map((r) => r.version), b.map((r) => r.at), b.map((r) => r.payload), now, b.map((r) => r.hash)],
      );
      await client.query('COMMIT');
    });
    await client.query('DROP TABLE bench_raw_events');
    return took;
  } finally {
    await client.end();
  }
}

/**
 * The server's own storage in the bench's process: `ingest` of the same batches into a fresh
 * database of the same kind (store, check, apply) — what the server does, without the network and
 * the protocol. Milliseconds.
 */
async function inProcessIngest(where: Where, app: App): Promise<number> {
  const storage = where.kind === 'sqlite' ? await openSqliteStorage(where.dir) : await openPostgresStorage(where.url);
  try {
    const register = app.profile.register;
    await storage.addTerminal(register, '', sha256Hex(`bench-${register}`), new Date(Date.now() + 3600_000).toISOString(), new Date().toISOString());
    const now = new Date().toISOString();
    return await timedBatches(app, (rows) => storage.ingest(register, rows, now));
  } finally {
    await storage.close();
  }
}

export interface CatchUpResult {
  storage: 'sqlite' | 'postgres';
  events: number;
  seconds: number;
  perSec: number;
  rawSeconds: number;
  rawPerSec: number;
  ratio: number;
  /** The server's storage ingesting the same batches in-process (no network, no protocol). */
  inProcessSeconds: number;
  inProcessPerSec: number;
  /** Server CPU seconds during the push (of its wall seconds). */
  serverCpuS: number;
}

async function catchUp(root: string, out: string, server: ServerProc, events: number, inProcess: Where): Promise<CatchUpResult> {
  const path = join(out, `sync-catchup-${server.where.kind}.db`);
  const app = await makeTill(root, path, 'T01', true);
  try {
    fillOutbox(app, events);
    const rawMs = await rawInsert(server.where, app);
    const inProcessMs = await inProcessIngest(inProcess, app);
    const admin = await adminStorage(server.where);
    try {
      await enrol(app, admin, server);
    } finally {
      await admin.close();
    }
    const u0 = usage(server.pid);
    const t0 = process.hrtime.bigint();
    const r = await pushOutbox(app, requireLink(app.path));
    const took = ms(t0);
    const u1 = usage(server.pid);
    if (r.hwm !== events || r.sent !== events) throw new Error(`catch-up: the server holds ${r.hwm} of ${events} events (sent ${r.sent})`);
    return {
      storage: server.where.kind,
      events,
      seconds: took / 1000,
      perSec: (events / took) * 1000,
      rawSeconds: rawMs / 1000,
      rawPerSec: (events / rawMs) * 1000,
      ratio: rawMs / took,
      inProcessSeconds: inProcessMs / 1000,
      inProcessPerSec: (events / inProcessMs) * 1000,
      serverCpuS: u1.cpuS - u0.cpuS,
    };
  } finally {
    app.close();
    removeDb(path);
  }
}

// ---- b. 10 tills at once ---------------------------------------------------------------------------

export interface IngestResult {
  storage: 'sqlite' | 'postgres';
  tills: number;
  events: number;
  seconds: number;
  perSec: number;
  /** Server CPU seconds over the wall seconds (1 = one core busy). */
  serverCores: number;
  serverRss: number;
}

async function ingestMany(root: string, out: string, server: ServerProc, tills: number, perTill: number): Promise<IngestResult> {
  const paths: string[] = [];
  const admin = await adminStorage(server.where);
  try {
    for (let i = 0; i < tills; i++) {
      const path = join(out, `sync-ingest-${i}.db`);
      const app = await makeTill(root, path, `I${server.where.kind === 'sqlite' ? 'S' : 'P'}${String(i).padStart(2, '0')}`, true);
      try {
        fillOutbox(app, perTill);
        await enrol(app, admin, server);
      } finally {
        app.close();
      }
      paths.push(path);
    }
  } finally {
    await admin.close();
  }
  const u0 = usage(server.pid);
  let peakRss = u0.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, usage(server.pid).rss)), 250);
  const t0 = process.hrtime.bigint();
  const runs = paths.map(
    (db) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [join(root, 'bin', 'tpv'), '--db', db, 'sync', 'push', '--json'], {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, TPV_PIN: ADMIN.pin },
        });
        let text = '';
        let errors = '';
        child.stdout!.setEncoding('utf8').on('data', (s: string) => (text += s));
        child.stderr!.setEncoding('utf8').on('data', (s: string) => (errors += s));
        child.on('exit', (code) => {
          if (code !== 0) return reject(new Error(`tpv sync push (${db}) exited with ${code}: ${errors}`));
          const hwm = (JSON.parse(text) as { data: { hwm: number } }).data.hwm;
          if (hwm !== perTill) return reject(new Error(`${db}: the server holds ${hwm} of ${perTill}`));
          resolve();
        });
      }),
  );
  try {
    await Promise.all(runs);
  } finally {
    clearInterval(sampler);
  }
  const took = ms(t0);
  const u1 = usage(server.pid);
  for (const p of paths) removeDb(p);
  return {
    storage: server.where.kind,
    tills,
    events: tills * perTill,
    seconds: took / 1000,
    perSec: ((tills * perTill) / took) * 1000,
    serverCores: (u1.cpuS - u0.cpuS) / (took / 1000),
    serverRss: peakRss,
  };
}

// ---- c. 50 tills heartbeating ---------------------------------------------------------------------

export interface IdleResult {
  tills: number;
  seconds: number;
  /** % of one core, RSS bytes at the end: with the tills, and the same server with none. */
  cpuPct: number;
  rss: number;
  idleCpuPct: number;
  idleRss: number;
}

async function heartbeats(root: string, out: string, server: ServerProc, tills: number, seconds: number): Promise<IdleResult> {
  const apps: App[] = [];
  const admin = await adminStorage(server.where);
  try {
    for (let i = 0; i < tills; i++) {
      const app = await makeTill(root, join(out, `sync-hb-${i}.db`), `H${String(i).padStart(2, '0')}`, false);
      apps.push(app);
      await enrol(app, admin, server);
    }
  } finally {
    await admin.close();
  }
  const measure = async (): Promise<{ cpuPct: number; rss: number }> => {
    const u0 = usage(server.pid);
    const t0 = process.hrtime.bigint();
    await sleep(seconds * 1000);
    const u1 = usage(server.pid);
    return { cpuPct: ((u1.cpuS - u0.cpuS) / (ms(t0) / 1000)) * 100, rss: u1.rss };
  };
  const idle = await measure();
  const stop = new AbortController();
  setMaxListeners(tills * 2, stop.signal); // each till's loop listens for the one stop
  const loops = apps.map((app) => runSync(app, requireLink(app.path), stop.signal));
  await sleep(3000); // every till connected, its hello and first heartbeat answered
  const busy = await measure();
  stop.abort();
  await Promise.all(loops);
  for (const app of apps) {
    app.close();
    removeDb(app.path);
  }
  return { tills, seconds, cpuPct: busy.cpuPct, rss: busy.rss, idleCpuPct: idle.cpuPct, idleRss: idle.rss };
}

// ---- d. checkout with the sync loop --------------------------------------------------------------

export interface CheckoutSyncResult {
  alone: Latency;
  withSync: Latency;
  /** Events the server held at the end (every sale's, pushed while selling). */
  pushed: number;
}

async function checkoutWithSync(root: string, out: string, server: ServerProc, sales: number): Promise<CheckoutSyncResult> {
  const path = join(out, 'sync-checkout.db');
  const app = await makeTill(root, path, 'C01', true);
  const admin = await adminStorage(server.where);
  try {
    await enrol(app, admin, server);
  } finally {
    await admin.close();
  }
  const input = twentyLines(app);
  const actor = actingUser(app.db);
  const run = async (n: number): Promise<Latency> => {
    const samples: number[] = [];
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      sell(app, input, actor);
      samples.push(ms(t));
      await sleep(20);
    }
    return latency(samples, ms(start));
  };
  try {
    await run(50); // warm-up
    const alone = await run(sales);
    const stop = new AbortController();
    const loop = runSync(app, requireLink(app.path), stop.signal);
    await sleep(1000);
    const withSync = await run(sales);
    await sleep(1500); // the last sales' events go out
    stop.abort();
    await loop;
    return { alone, withSync, pushed: requireLink(app.path).state.hwm ?? 0 };
  } finally {
    app.close();
    removeDb(path);
  }
}

// ---- the section -----------------------------------------------------------------------------------

export interface SyncResult {
  catchUp: CatchUpResult[];
  ingest: IngestResult[];
  heartbeats: IdleResult;
  checkout: CheckoutSyncResult;
}

export interface SyncPlan {
  catchUpEvents: number;
  ingestTills: number;
  ingestPerTill: number;
  heartbeatTills: number;
  heartbeatSeconds: number;
  checkoutSales: number;
}

export const SYNC_FULL: SyncPlan = { catchUpEvents: 100_000, ingestTills: 10, ingestPerTill: 10_000, heartbeatTills: 50, heartbeatSeconds: 30, checkoutSales: 500 };
export const SYNC_QUICK: SyncPlan = { catchUpEvents: 20_000, ingestTills: 10, ingestPerTill: 2_000, heartbeatTills: 50, heartbeatSeconds: 15, checkoutSales: 200 };

export async function benchSync(root: string, out: string, plan: SyncPlan, say: (line: string) => void): Promise<SyncResult> {
  const work = join(out, 'sync');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const catchUps: CatchUpResult[] = [];
  const ingests: IngestResult[] = [];
  let heartbeat: IdleResult;
  let checkout: CheckoutSyncResult;

  const sqlite = await spawnServer(root, { kind: 'sqlite', dir: join(work, 'server') });
  try {
    say(`  catch-up of ${plan.catchUpEvents.toLocaleString('en-US')} events, SQLite…`);
    catchUps.push(await catchUp(root, work, sqlite, plan.catchUpEvents, { kind: 'sqlite', dir: join(work, 'server-in-process') }));
    say(`  ${plan.ingestTills} tills × ${plan.ingestPerTill.toLocaleString('en-US')} events at once, SQLite…`);
    ingests.push(await ingestMany(root, work, sqlite, plan.ingestTills, plan.ingestPerTill));
  } finally {
    await sqlite.stop();
  }
  // a server with a fresh data dir for the idle and checkout figures
  const quiet = await spawnServer(root, { kind: 'sqlite', dir: join(work, 'server-idle') });
  try {
    say(`  ${plan.heartbeatTills} tills connected, ${plan.heartbeatSeconds} s without them then ${plan.heartbeatSeconds} s with them…`);
    heartbeat = await heartbeats(root, work, quiet, plan.heartbeatTills, plan.heartbeatSeconds);
    say(`  checkout with and without the sync loop, ${plan.checkoutSales} sales each…`);
    checkout = await checkoutWithSync(root, work, quiet, plan.checkoutSales);
  } finally {
    await quiet.stop();
  }

  let cluster: TestPostgres | undefined;
  try {
    cluster = await startPostgres({ sharedBuffers: '128MB', maxConnections: 60 });
    const url = await cluster.createDatabase();
    const server = await spawnServer(root, { kind: 'postgres', url });
    try {
      say(`  catch-up of ${plan.catchUpEvents.toLocaleString('en-US')} events, PostgreSQL…`);
      catchUps.push(await catchUp(root, work, server, plan.catchUpEvents, { kind: 'postgres', url: await cluster.createDatabase() }));
      say(`  ${plan.ingestTills} tills at once, PostgreSQL…`);
      ingests.push(await ingestMany(root, work, server, plan.ingestTills, plan.ingestPerTill));
    } finally {
      await server.stop();
    }
  } catch (e) {
    say(`  PostgreSQL figures skipped: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await cluster?.stop();
  }
  rmSync(work, { recursive: true, force: true });
  return { catchUp: catchUps, ingest: ingests, heartbeats: heartbeat, checkout };
}
