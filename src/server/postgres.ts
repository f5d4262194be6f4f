/**
 * The store server's storage on PostgreSQL (node-postgres), for chains: several server processes
 * may share one database. Tables are created when missing, under an advisory lock (two processes
 * starting at once). A batch is ingested in one transaction that first locks its terminal's row,
 * so batches of one terminal serialize across processes; the events' primary key keeps each id
 * once whatever happens. Times are stored as the ISO text they came as (like the SQLite adapter).
 */
import pg from 'pg';
import { TpvError } from '../core/errors.js';
import { PROJECTION_SCHEMA, project, type ProjectedDocument, reportQueries, salesReportOf, Unappliable } from './report.js';
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
${PROJECTION_SCHEMA('bigint')}`;

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
    await tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await c.query(SCHEMA);
    });
  } catch (e) {
    await pool.end();
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

  // each new event applied: its documents, or the reason it cannot be (rule 3: kept apart, acked)
  const projected = new Map<string, ProjectedDocument[]>();
  const numbers = new Set<string>();
  for (const e of store) {
    try {
      projected.set(e.id, project(code, e));
      for (const d of projected.get(e.id)!) numbers.add(d.number);
    } catch (err) {
      if (!(err instanceof Unappliable)) throw err;
      quarantine.push({ ...e, reason: err.message });
    }
  }
  const heldNumbers = new Set(
    numbers.size === 0 ? [] : (await c.query<{ number: string }>('SELECT number FROM documents WHERE terminal = $1 AND number = ANY($2::text[])', [code, [...numbers]])).rows.map((r) => r.number),
  );
  for (const e of store) {
    const docs = projected.get(e.id);
    const taken = docs?.find((d) => heldNumbers.has(d.number));
    if (taken) {
      projected.delete(e.id);
      quarantine.push({ ...e, reason: `document ${taken.number} already held` });
    }
    for (const d of projected.get(e.id) ?? []) heldNumbers.add(d.number);
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
  await insertDocuments(c, code, store.flatMap((e) => (projected.get(e.id) ?? []).map((d) => ({ ...d, event: e.id }))));
  const last = store.at(-1);
  await c.query('UPDATE terminals SET hwm = $2, last_seen_at = $3, last_event_at = COALESCE($4, last_event_at) WHERE code = $1', [code, hwm, now, last?.at ?? null]);
  quarantine.sort((a, b) => a.seq - b.seq);
  return { hwm, stored: store.length, duplicates, quarantined: quarantine.map((e) => ({ id: e.id, reason: e.reason })), gap, diverged: false };
}

/** The documents of the events just stored, their taxes and payments: one statement per table. */
async function insertDocuments(c: pg.PoolClient, code: string, docs: (ProjectedDocument & { event: string })[]): Promise<void> {
  if (docs.length === 0) return;
  const col = <K extends keyof (typeof docs)[number]>(k: K) => docs.map((d) => d[k]);
  await c.query(
    `INSERT INTO documents (terminal, number, type, created_at, business_day, user_code, currency, total, rounding, shift_uid, event_id)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::text[])`,
    [code, col('number'), col('type'), col('created_at'), col('business_day'), col('user_code'), col('currency'), col('total'), col('rounding'), col('shift_uid'), col('event')],
  );
  const taxes = docs.flatMap((d) => d.taxes.map((t) => ({ number: d.number, ...t })));
  if (taxes.length) {
    await c.query('INSERT INTO document_taxes (terminal, number, rate, base, tax) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[])', [
      code,
      taxes.map((t) => t.number),
      taxes.map((t) => t.rate),
      taxes.map((t) => t.base),
      taxes.map((t) => t.tax),
    ]);
  }
  const payments = docs.flatMap((d) => d.payments.map((p) => ({ number: d.number, ...p })));
  if (payments.length) {
    await c.query('INSERT INTO document_payments (terminal, number, method, amount) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])', [
      code,
      payments.map((p) => p.number),
      payments.map((p) => p.method),
      payments.map((p) => p.amount),
    ]);
  }
}
