/**
 * The store server's storage on PostgreSQL (node-postgres), for chains: several server processes
 * may share one database. Tables are created when missing, and the schema upgraded (its version in
 * server_schema), under an advisory lock (two processes starting at once). A batch is ingested in
 * one transaction that first locks its terminal's row, so batches of one terminal serialize across
 * processes; the events' primary key keeps each id once whatever happens. Times are stored as the ISO text they came as (like the SQLite adapter).
 */
import pg from 'pg';
import { TpvError } from '../core/errors.js';
import {
  addRows,
  DROP_PROJECTION,
  emptyRows,
  postgresInsert,
  PROJECTION_SCHEMA,
  PROJECTION_TABLE_NAMES,
  PROJECTION_TABLES,
  type Projection,
  projectOrReason,
  type ProjectionRows,
  rebuildProjections,
} from './projection.js';
import { lastNumberSql, lastNumbersOf, reportQueries, salesReportOf } from './report.js';
import type { IncomingEvent, IngestResult, ServerStorage, TerminalRecord } from './storage.js';
import { redactedUrl } from './url.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS terminals (
  code text PRIMARY KEY,
  name text NOT NULL,
  enrol_hash text NOT NULL UNIQUE,
  enrol_expires_at text NOT NULL,
  enrolled_at text,
  token_hash text,
  revoked_at text,
  hwm bigint NOT NULL DEFAULT 0,
  diverged boolean NOT NULL DEFAULT false,
  created_at text NOT NULL,
  last_seen_at text,
  last_event_at text,
  hb_at text,
  hb_version text,
  hb_backlog integer,
  hb_last_z text,
  hb_skew_ms bigint
);
CREATE TABLE IF NOT EXISTS events (
  id uuid PRIMARY KEY,
  terminal text NOT NULL REFERENCES terminals (code),
  seq bigint NOT NULL,
  type text NOT NULL,
  version integer NOT NULL,
  at text NOT NULL,
  payload text NOT NULL,
  hash text NOT NULL,
  received_at text NOT NULL,
  UNIQUE (terminal, seq)
);
CREATE TABLE IF NOT EXISTS quarantine (
  terminal text NOT NULL REFERENCES terminals (code),
  id uuid NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL,
  version integer NOT NULL,
  at text NOT NULL,
  payload text NOT NULL,
  hash text NOT NULL,
  reason text NOT NULL,
  received_at text NOT NULL,
  PRIMARY KEY (terminal, id, hash)
);
CREATE INDEX IF NOT EXISTS quarantine_seq ON quarantine (terminal, seq);
${PROJECTION_SCHEMA('bigint')}
CREATE TABLE IF NOT EXISTS server_schema (version integer NOT NULL);`;

/**
 * The schema this program writes, the one row of server_schema: the same numbers as the SQLite
 * adapter's user_version (3: documents in their series, lines, store-credit movements, Z figures).
 * A database without server_schema was written before it existed (version 2 at most). Opening an
 * older one rebuilds what the server applies from its events.
 */
const SCHEMA_VERSION = 3;

/** The advisory lock key of the schema's creation ('tpv' server schema). */
const SCHEMA_LOCK = 7_370_001;

/** Connections per server process: ingests are short transactions. */
const POOL_SIZE = 4;

const SAME_ID = 'same id as a held event, another body';

const TERMINAL = `SELECT t.*, (SELECT count(*) FROM quarantine q WHERE q.terminal = t.code) AS quarantined FROM terminals t`;

interface TerminalRow {
  code: string;
  name: string;
  enrolled_at: string | null;
  token_hash: string | null;
  revoked_at: string | null;
  hwm: string;
  diverged: boolean;
  last_seen_at: string | null;
  last_event_at: string | null;
  hb_at: string | null;
  hb_version: string | null;
  hb_backlog: number | null;
  hb_last_z: string | null;
  hb_skew_ms: string | null;
  quarantined: string;
}

function terminal(r: TerminalRow): TerminalRecord {
  return {
    code: r.code,
    name: r.name,
    enrolled: r.enrolled_at !== null,
    revokedAt: r.revoked_at,
    hwm: Number(r.hwm),
    diverged: r.diverged,
    lastSeenAt: r.last_seen_at,
    heartbeat: r.hb_at === null ? null : { at: r.hb_at, version: r.hb_version ?? '', backlog: r.hb_backlog ?? 0, lastZ: r.hb_last_z, skewMs: Number(r.hb_skew_ms ?? 0) },
    lastEventAt: r.last_event_at,
    quarantined: Number(r.quarantined),
  };
}

export async function openPostgresStorage(url: string): Promise<ServerStorage> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, application_name: 'tpv-server' });
  // an idle connection that dies (the database restarted) leaves the pool; the next query opens another
  pool.on('error', () => {});

  async function tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      c.release();
      return result;
    } catch (e) {
      // a connection whose rollback fails is broken: destroyed, not returned to the pool
      const broken = await c.query('ROLLBACK').then(() => undefined, (err: Error) => err);
      c.release(broken);
      throw e;
    }
  }

  try {
    await tx((c) => migrate(c, redactedUrl(url)));
  } catch (e) {
    await pool.end();
    if (e instanceof TpvError) throw e;
    throw new TpvError('network', 'server.database_unreachable', { url: redactedUrl(url), detail: (e as Error).message });
  }

  async function record(c: pg.ClientBase, code: string): Promise<TerminalRecord | undefined> {
    const r = await c.query<TerminalRow>(`${TERMINAL} WHERE t.code = $1`, [code]);
    return r.rows[0] && terminal(r.rows[0]);
  }

  return {
    async addTerminal(code, name, enrolHash, expiresAt, now) {
      // new, or still pending, or revoked: (re)issued; enrolled and not revoked: refused
      const r = await pool.query(
        `INSERT INTO terminals (code, name, enrol_hash, enrol_expires_at, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = $2, enrol_hash = $3, enrol_expires_at = $4, enrolled_at = NULL, token_hash = NULL, revoked_at = NULL
         WHERE terminals.enrolled_at IS NULL OR terminals.revoked_at IS NOT NULL`,
        [code, name, enrolHash, expiresAt, now],
      );
      if (r.rowCount === 0) throw new TpvError('conflict', 'server.terminal_enrolled', { code });
    },

    enrol(enrolHash, register, tokenHash, now) {
      return tx(async (c) => {
        const r = await c.query<{ code: string; enrolled_at: string | null; revoked_at: string | null; enrol_expires_at: string }>(
          'SELECT code, enrolled_at, revoked_at, enrol_expires_at FROM terminals WHERE enrol_hash = $1 FOR UPDATE',
          [enrolHash],
        );
        const t = r.rows[0];
        if (!t) return 'unknown';
        if (t.enrolled_at !== null) return 'used';
        if (t.revoked_at !== null || Date.parse(now) >= Date.parse(t.enrol_expires_at)) return 'expired';
        if (t.code !== register) return 'wrong_register';
        await c.query('UPDATE terminals SET enrolled_at = $2, token_hash = $3, diverged = false WHERE code = $1', [t.code, now, tokenHash]);
        return (await record(c, t.code))!;
      });
    },

    async credentials(code) {
      const r = await pool.query<TerminalRow>(`${TERMINAL} WHERE t.code = $1`, [code]);
      const row = r.rows[0];
      return row && { terminal: terminal(row), tokenHash: row.token_hash };
    },

    async revoke(code, now) {
      const r = await pool.query('UPDATE terminals SET revoked_at = COALESCE(revoked_at, $2) WHERE code = $1', [code, now]);
      return r.rowCount === 1;
    },

    async listTerminals() {
      return (await pool.query<TerminalRow>(`${TERMINAL} ORDER BY t.code`)).rows.map(terminal);
    },

    async heartbeat(code, beat) {
      await pool.query(
        `UPDATE terminals SET hb_at = $2, hb_version = $3, hb_backlog = $4, hb_last_z = $5, hb_skew_ms = $6, last_seen_at = $2 WHERE code = $1`,
        [code, beat.at, beat.version, beat.backlog, beat.lastZ, beat.skewMs],
      );
    },

    ingest(code, events, now) {
      return tx((c) => ingest(c, code, events, now));
    },

    async resolve(code) {
      await pool.query('UPDATE terminals SET diverged = false WHERE code = $1', [code]);
    },

    async lastNumbers(code) {
      const sql = lastNumberSql((n) => `$${n}`);
      return lastNumbersOf(async (type) => (await pool.query<Record<string, string>>(sql, [code, type])).rows[0]);
    },

    async events(code, afterSeq = 0, limit) {
      const r = await pool.query<{ id: string; seq: string; type: string; version: number; at: string; payload: string; hash: string }>(
        'SELECT id, seq, type, version, at, payload, hash FROM events WHERE terminal = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [code, afterSeq, limit ?? null],
      );
      return r.rows.map((e) => ({ ...e, seq: Number(e.seq) }));
    },

    async salesReport(by, range) {
      const q = reportQueries(by, range, (n) => `$${n}`);
      const all = async (x: { sql: string; params: string[] }) => (await pool.query<Record<string, string | number | null>>(x.sql, x.params)).rows;
      return salesReportOf(by, range, { rows: await all(q.rows), rounding: (await all(q.rounding))[0]!, totals: (await all(q.totals))[0]!, currencies: await all(q.currencies) });
    },

    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

/**
 * Brings the database to {@link SCHEMA_VERSION}, in the caller's transaction, under an advisory
 * lock (server processes starting at once): a new database gets its tables; one written by an
 * older tpv (an older server_schema, or none beside existing tables) gets its projection tables
 * dropped and created anew and every stored event applied to them again (src/server/projection.ts).
 */
async function migrate(c: pg.PoolClient, where: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
  const found = await c.query<{ versioned: boolean; existing: boolean }>(
    "SELECT to_regclass('server_schema') IS NOT NULL AS versioned, to_regclass('events') IS NOT NULL AS existing",
  );
  const { versioned, existing } = found.rows[0]!;
  const version = versioned ? ((await c.query<{ version: number | null }>('SELECT max(version) AS version FROM server_schema')).rows[0]!.version ?? 0) : 0;
  if (version > SCHEMA_VERSION) throw new TpvError('conflict', 'server.schema_newer', { path: where, version, known: SCHEMA_VERSION });
  if (version === SCHEMA_VERSION) return;
  if (existing) await c.query(DROP_PROJECTION);
  await c.query(SCHEMA);
  if (existing) {
    await rebuildProjections({
      terminals: async () => (await c.query<{ terminal: string }>('SELECT DISTINCT terminal FROM events ORDER BY terminal')).rows.map((r) => r.terminal),
      events: async (terminal, after, limit) => {
        const r = await c.query<IncomingEvent & { seq: string }>(
          'SELECT id, seq, type, version, at, payload, hash FROM events WHERE terminal = $1 AND seq > $2 ORDER BY seq LIMIT $3',
          [terminal, after, limit],
        );
        return r.rows.map((e) => ({ ...e, seq: Number(e.seq) }));
      },
      write: (terminal, rows) => writeRows(c, terminal, rows),
    });
  }
  await c.query('DELETE FROM server_schema');
  await c.query('INSERT INTO server_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
}

/**
 * One batch, inside its transaction: the terminal's row locked first (batches of one terminal
 * serialize, across processes too), what the database holds at the batch's seqs and ids read in
 * one query, each event decided in seq order, then the new events and the quarantined ones written
 * in one statement each and the hwm advanced.
 */
async function ingest(c: pg.PoolClient, code: string, batch: IncomingEvent[], now: string): Promise<IngestResult> {
  const t = (await c.query<{ hwm: string; diverged: boolean }>('SELECT hwm, diverged FROM terminals WHERE code = $1 FOR UPDATE', [code])).rows[0];
  if (!t) throw new TpvError('not_found', 'server.terminal_unknown', { code });
  const held = Number(t.hwm);
  const refused: IngestResult = { hwm: held, stored: 0, duplicates: 0, quarantined: [], gap: false, diverged: true };
  if (t.diverged) return refused;

  const sorted = [...batch].sort((a, b) => a.seq - b.seq);
  const seqs = sorted.map((e) => e.seq);
  // what is held: this terminal's events at these seqs, and any event with one of these ids
  const bySeq = new Map<number, { id: string; hash: string }>();
  const ids = new Set<string>();
  const known = await c.query<{ id: string; terminal: string; seq: string; hash: string }>(
    'SELECT id, terminal, seq, hash FROM events WHERE (terminal = $1 AND seq = ANY($2::bigint[])) OR id = ANY($3::uuid[])',
    [code, seqs, sorted.map((e) => e.id)],
  );
  for (const k of known.rows) {
    ids.add(k.id);
    if (k.terminal === code) bySeq.set(Number(k.seq), k);
  }
  // seqs already acked whose event was quarantined: a resend of it is quarantined (acked) again
  const quarantinedAt = new Map<number, { id: string; reason: string }[]>();
  if (seqs[0]! <= held) {
    const q = await c.query<{ id: string; seq: string; reason: string }>('SELECT id, seq, reason FROM quarantine WHERE terminal = $1 AND seq = ANY($2::bigint[])', [code, seqs]);
    for (const r of q.rows) quarantinedAt.set(Number(r.seq), [...(quarantinedAt.get(Number(r.seq)) ?? []), r]);
  }

  let hwm = held;
  let duplicates = 0;
  let gap = false;
  const store: IncomingEvent[] = [];
  const quarantine: (IncomingEvent & { reason: string })[] = [];
  for (const e of sorted) {
    const atSeq = bySeq.get(e.seq);
    const keptApart = quarantinedAt.get(e.seq);
    if (atSeq || keptApart) {
      // a known seq: the same event again (a duplicate, or the same id with another body), or another event (diverged)
      if (atSeq ? atSeq.id !== e.id : !keptApart!.some((q) => q.id === e.id)) {
        await c.query('UPDATE terminals SET diverged = true, last_seen_at = $2 WHERE code = $1', [code, now]);
        return refused;
      }
      if (atSeq && atSeq.hash === e.hash) duplicates++;
      else quarantine.push({ ...e, reason: keptApart?.find((q) => q.id === e.id)?.reason ?? SAME_ID });
      continue;
    }
    if (e.seq > hwm + 1) {
      gap = true;
      break;
    }
    if (ids.has(e.id)) quarantine.push({ ...e, reason: SAME_ID });
    else store.push(e);
    ids.add(e.id);
    bySeq.set(e.seq, e);
    hwm = Math.max(hwm, e.seq);
  }

  // each new event applied: what it applies, or the reason it cannot be (rule 3: kept apart, acked)
  const projected = new Map<string, Projection>();
  const numbers = new Set<string>();
  for (const e of store) {
    const p = projectOrReason(code, e);
    if (typeof p === 'string') {
      quarantine.push({ ...e, reason: p });
      continue;
    }
    projected.set(e.id, p);
    for (const d of p.documents) numbers.add(d.number);
  }
  const heldNumbers = new Set(
    numbers.size === 0 ? [] : (await c.query<{ number: string }>('SELECT number FROM documents WHERE terminal = $1 AND number = ANY($2::text[])', [code, [...numbers]])).rows.map((r) => r.number),
  );
  for (const e of store) {
    const docs = projected.get(e.id)?.documents;
    const taken = docs?.find((d) => heldNumbers.has(d.number));
    if (taken) {
      projected.delete(e.id);
      quarantine.push({ ...e, reason: `document ${taken.number} already held` });
    }
    for (const d of projected.get(e.id)?.documents ?? []) heldNumbers.add(d.number);
  }
  store.splice(0, store.length, ...store.filter((e) => projected.has(e.id)));

  const cols = (events: IncomingEvent[]) => [events.map((e) => e.id), events.map((e) => e.seq), events.map((e) => e.type), events.map((e) => e.version), events.map((e) => e.at), events.map((e) => e.payload), events.map((e) => e.hash)];
  const rows = `unnest($3::uuid[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[]) AS u (id, seq, type, version, at, payload, hash)`;
  if (store.length) {
    const inserted = await c.query<{ id: string }>(
      `INSERT INTO events (id, terminal, seq, type, version, at, payload, hash, received_at)
       SELECT id, $1, seq, type, version, at, payload, hash, $2 FROM ${rows} ON CONFLICT (id) DO NOTHING RETURNING id`,
      [code, now, ...cols(store)],
    );
    // an id another terminal stored meanwhile (it held no row lock of ours): kept apart like any other
    if (inserted.rowCount !== store.length) {
      const done = new Set(inserted.rows.map((r) => r.id));
      quarantine.push(...store.filter((e) => !done.has(e.id)).map((e) => ({ ...e, reason: SAME_ID })));
      store.splice(0, store.length, ...store.filter((e) => done.has(e.id)));
    }
  }
  if (quarantine.length) {
    await c.query(
      `INSERT INTO quarantine (terminal, id, seq, type, version, at, payload, hash, reason, received_at)
       SELECT $1, id, seq, type, version, at, payload, hash, reason, $2 FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS u (id, seq, type, version, at, payload, hash, reason) ON CONFLICT DO NOTHING`,
      [code, now, ...cols(quarantine), quarantine.map((e) => e.reason)],
    );
  }
  const applied = emptyRows();
  for (const e of store) addRows(applied, e.id, projected.get(e.id)!);
  await writeRows(c, code, applied);
  const last = store.at(-1);
  await c.query('UPDATE terminals SET hwm = $2, last_seen_at = $3, last_event_at = COALESCE($4, last_event_at) WHERE code = $1', [code, hwm, now, last?.at ?? null]);
  quarantine.sort((a, b) => a.seq - b.seq);
  return { hwm, stored: store.length, duplicates, quarantined: quarantine.map((e) => ({ id: e.id, reason: e.reason })), gap, diverged: false };
}

const INSERTS = PROJECTION_TABLE_NAMES.map((table) => [table, postgresInsert(table), Object.values(PROJECTION_TABLES[table])] as const);

/**
 * Writes projection rows: one statement per table, its columns as arrays (unnest). An integer
 * column goes as its array literal, joined here: safe integers need no quoting, and node-postgres'
 * element-by-element escaping was a quarter of the time of a batch's lines.
 */
async function writeRows(c: pg.PoolClient, code: string, rows: ProjectionRows): Promise<void> {
  for (const [table, sql, types] of INSERTS) {
    const list = rows[table];
    if (list.length === 0) continue;
    const columns = types.map((type, i) => (type === 'int' ? `{${list.map((r) => r[i] ?? 'NULL').join(',')}}` : list.map((r) => r[i])));
    await c.query(sql, [code, ...columns]);
  }
}
