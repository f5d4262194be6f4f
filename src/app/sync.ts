/**
 * The till's side of sync (docs/sync.md): enrolment with a store server, and the client that ships
 * the outbox over one WebSocket.
 *
 * The link (`<db>.sync`, mode 0600, written whole: temp file + rename) holds the server, the
 * terminal and its token, and what `tpv sync status` shows: the server's high-water mark as last
 * heard, the last ack, heartbeat and error. The outbox is the truth: on every connect the server's
 * hello states its hwm and the till sends every row after it, in seq order, two batches in flight
 * (cut by count and by bytes); an ack marks rows `sent_at` (never deleted). Reads are
 * batches of at most MAX_BATCH_EVENTS rows through the primary key: a sale never waits on them.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { jitteredBackoff } from '../core/backoff.js';
import type { OutboxRow } from '../sync/events.js';
import { TpvError, type MessageKey } from '../core/errors.js';
import { immediate, prepared } from '../db/connection.js';
import { errorMessage } from '../i18n/index.js';
import {
  type EnrolError,
  ENROL_PATH,
  HEARTBEAT_S,
  MAX_BATCH_EVENTS,
  MAX_MESSAGE_BYTES,
  parseMessage,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  type ServerMessage,
  serverMessage,
  SYNC_PATH,
  type TillMessage,
} from '../sync/protocol.js';
import { VERSION } from '../version.js';
import { type Approver, auditLog, authorize, type UserRow } from './auth.js';
import { appendEvent } from './outbox.js';
import { advanceSeries } from './series.js';
import { type App, inTransaction, type Notice } from './context.js';

// ---- the link file ---------------------------------------------------------------------------

/** What `tpv sync status` shows between runs. */
export interface SyncState {
  /** The server's high-water mark for this till as last heard (hello or ack). */
  hwm: number | null;
  last_connected_at: string | null;
  last_ack_at: string | null;
  last_heartbeat_at: string | null;
  last_error: { code: string; message: string; at: string } | null;
}

export interface SyncLink {
  server: string;
  terminal: string;
  /** `CODE.SECRET`: never printed. */
  token: string;
  registered_at: string;
  state: SyncState;
}

const NO_STATE: SyncState = { hwm: null, last_connected_at: null, last_ack_at: null, last_heartbeat_at: null, last_error: null };

export const linkPath = (dbPath: string): string => `${dbPath}.sync`;

/** The link of a database, or undefined when it is not registered. A damaged file is an error naming it. */
export function readLink(dbPath: string): SyncLink | undefined {
  const path = linkPath(dbPath);
  if (!existsSync(path)) return undefined;
  let v: Partial<SyncLink>;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as Partial<SyncLink>;
  } catch {
    v = {};
  }
  if (typeof v.server !== 'string' || typeof v.terminal !== 'string' || typeof v.token !== 'string') throw new TpvError('invalid', 'sync.link_damaged', { path });
  return { server: v.server, terminal: v.terminal, token: v.token, registered_at: String(v.registered_at ?? ''), state: { ...NO_STATE, ...v.state } };
}

/** The link of a registered till (not found, naming `tpv sync register`, when it is not). */
export function requireLink(dbPath: string): SyncLink {
  const link = readLink(dbPath);
  if (!link) throw new TpvError('not_found', 'sync.not_registered', { path: dbPath });
  return link;
}

/** Writes the link whole, mode 0600: a temp file renamed over it (a reader never sees half a file). */
function writeLink(dbPath: string, link: SyncLink): void {
  const path = linkPath(dbPath);
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, JSON.stringify(link, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(tmp, path);
}

/**
 * Records what a session learnt, unless the link was replaced or removed meanwhile (another
 * `tpv sync register`): then false, and the session stops rather than write the old token back.
 */
function saveState(dbPath: string, link: SyncLink, change: Partial<SyncState>): boolean {
  const now = readLink(dbPath);
  if (!now || now.token !== link.token || now.server !== link.server) return false;
  link.state = { ...now.state, ...change };
  writeLink(dbPath, { ...now, state: link.state });
  return true;
}

// ---- enrolment ---------------------------------------------------------------------------------

/** `ws://host:port` (or wss) as typed, without a trailing slash; anything else is a usage error. */
export function serverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new TpvError('usage', 'sync.bad_server', { url: text });
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new TpvError('usage', 'sync.bad_server', { url: text });
  }
  return `${url.protocol}//${url.host}`;
}

export interface Registered {
  server: string;
  terminal: string;
  link: string;
}

const ENROL_TIMEOUT_MS = 10_000;

/**
 * Enrols this till with a store server (`POST /enrol` with the one-time code and this database's
 * register): the token it answers is kept in `<db>.sync`, mode 0600, and never shown. Needs
 * `manage_store`. A refused code is a conflict (exit 5); a server that cannot be reached, exit 7.
 */
export async function registerTill(app: App, actor: UserRow, approver: Approver | undefined, input: { server: string; code: string }): Promise<Registered> {
  const server = serverUrl(input.server);
  const code = input.code.trim();
  if (!/^[\x20-\x7e]{1,100}$/.test(code)) throw new TpvError('invalid', 'sync.bad_code', { field: '--code' });
  authorize(app, actor, 'manage_store', approver);
  const register = app.profile.register;
  const url = server.replace(/^ws/, 'http') + ENROL_PATH;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, register }),
      signal: AbortSignal.timeout(ENROL_TIMEOUT_MS),
    });
  } catch (e) {
    throw unreachable(server, e);
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) throw enrolRefused(server, res.status, body, register);
  const { terminal, token } = (body ?? {}) as { terminal?: unknown; token?: unknown };
  if (typeof terminal !== 'string' || typeof token !== 'string' || !/^[A-Z0-9]{1,8}\.[\x21-\x7e]{16,200}$/.test(token) || !token.startsWith(`${terminal}.`)) {
    throw new TpvError('network', 'sync.bad_answer', { server });
  }
  // the server refuses a code made for another register; a till never keeps one that slipped through
  if (terminal !== register) throw new TpvError('conflict', 'sync.enrol.wrong_register', { server, register });
  const at = app.now().toISOString();
  writeLink(app.path, { server, terminal, token, registered_at: at, state: NO_STATE });
  immediate(app.db, () => auditLog(app.db, app.now(), actor.id, 'sync_register', { server, terminal }));
  return { server, terminal, link: linkPath(app.path) };
}

/** The refusals of `POST /enrol` a till can act on (the others are bugs of one side: their status is shown). */
const ENROL_REFUSALS = ['unknown', 'expired', 'used', 'wrong_register', 'rate_limited'] as const satisfies readonly EnrolError[];

/** Why the server refused an enrolment: its reason when tpv knows it, else its status. */
function enrolRefused(server: string, status: number, body: unknown, register: string): TpvError {
  if (status >= 500) return new TpvError('network', 'sync.server_failed', { server, status });
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const reason = ENROL_REFUSALS.find((r) => r === code);
  if (reason) return new TpvError('conflict', `sync.enrol.${reason}`, { server, register });
  return new TpvError('conflict', 'sync.enrol.refused', { server, status });
}

/** A server that could not be reached (refused, no route, DNS, timeout): exit 7. */
function unreachable(server: string, e: unknown): TpvError {
  // fetch wraps the system's error (ECONNREFUSED…) in its cause; ws gives it as it is; a timeout is a DOMException
  const err = e as { code?: unknown; cause?: { code?: string; message?: string } };
  const detail = err.cause?.code ?? (typeof err.code === 'string' ? err.code : undefined) ?? err.cause?.message ?? (e instanceof Error ? e.message : String(e));
  return new TpvError('network', 'sync.unreachable', { server, detail });
}

// ---- the outbox --------------------------------------------------------------------------------

const lastSeq = (app: App): number => (prepared(app.db, 'SELECT coalesce(max(seq), 0) FROM outbox').pluck().get() as number);
const backlogAfter = (app: App, hwm: number): number => prepared(app.db, 'SELECT count(*) FROM outbox WHERE seq > ?').pluck().get(hwm) as number;
const lastZ = (app: App): string | null =>
  (prepared(app.db, 'SELECT d.number FROM shifts s JOIN documents d ON d.id = s.z_document_id WHERE s.z_document_id IS NOT NULL ORDER BY s.id DESC LIMIT 1')
    .pluck()
    .get() as string | undefined) ?? null;

/** What a batch's message adds around its events (`{"type":"events","events":[` … `]}`). */
const ENVELOPE = '{"type":"events","events":[]}';

/**
 * The next batch after `after`: at most MAX_BATCH_EVENTS rows, and as many as fit in
 * MAX_MESSAGE_BYTES. An event too large to travel on its own stops the till's queue: an error.
 */
function nextBatch(app: App, after: number): { text: string; last: number } | undefined {
  const rows = prepared(app.db, 'SELECT seq, id, type, version, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(after, MAX_BATCH_EVENTS) as OutboxRow[];
  if (rows.length === 0) return undefined;
  const parts: string[] = [];
  let bytes = Buffer.byteLength(ENVELOPE);
  for (const r of rows) {
    // the payload travels as the text the outbox holds, a JSON string: never parsed here
    const part = JSON.stringify({ id: r.id, seq: r.seq, type: r.type, version: r.version, at: r.created_at, payload: r.payload });
    const size = Buffer.byteLength(part) + (parts.length ? 1 : 0);
    if (bytes + size > MAX_MESSAGE_BYTES) {
      if (parts.length === 0) throw new TpvError('conflict', 'sync.event_too_large', { seq: r.seq, size: Buffer.byteLength(part), limit: MAX_MESSAGE_BYTES });
      break;
    }
    parts.push(part);
    bytes += size;
  }
  return { text: `{"type":"events","events":[${parts.join(',')}]}`, last: rows[parts.length - 1]!.seq };
}

/** Marks the rows the server acknowledged, (from, to], keeping the first ack's time. */
function markSent(app: App, from: number, to: number): void {
  if (to <= from) return;
  const at = app.now().toISOString();
  immediate(app.db, () => prepared(app.db, 'UPDATE outbox SET sent_at = ? WHERE seq > ? AND seq <= ? AND sent_at IS NULL').run(at, from, to));
}

// ---- one connection ----------------------------------------------------------------------------

/**
 * How a connection ended: `done` (flushed, probed, or asked to stop), `lost` (the link failed or
 * could not be made: try again later), `fatal` (the server refused this till: diverged, revoked,
 * unauthorised, another protocol — trying again will not help).
 */
export type SessionEnd = { end: 'done'; hwm: number | null; sent: number; resolution?: Resolution } | { end: 'lost' | 'fatal'; error: TpvError; hwm: number | null; sent: number; connected: boolean };

export interface SessionOptions {
  /**
   * `push`: until the server holds every event; `run`: until `signal` aborts; `probe`: the server's
   * hello only; `resolve`: find where this till's history parted from the server's and move past it.
   */
  mode: 'push' | 'run' | 'probe' | 'resolve';
  /** `resolve`: who resolves (an outbox `resync` event names them). */
  by?: string;
  signal?: AbortSignal;
  /** Log lines (stderr in the CLI). */
  log?: (n: Notice) => void;
  /** How long the connection and the server's hello may take. */
  connectTimeoutMs?: number;
  /** Told when the server's hello or an ack was heard (true), and when the connection ends (false). */
  onLink?: (online: boolean) => void;
}

/** Codes of the server's `error` after which trying again cannot help. */
const FATAL = new Set(['protocol', 'unauthorized', 'revoked', 'diverged']);
/** A link silent for this long (no message, no pong) is dead: terminated, not closed. */
const SILENT_MS = (HEARTBEAT_S * 2 + 15) * 1000;
const POLL_MS = 500;
/** Batches in flight at once: two keep both ends busy (the till reads the next while the server stores one). */
const PIPELINE = 2;

/** Opens one connection to the server and ships the outbox until it ends (see {@link SessionEnd}). */
export function syncSession(app: App, link: SyncLink, opts: SessionOptions): Promise<SessionEnd> {
  const log = opts.log ?? (() => {});
  const { server, terminal } = link;
  return new Promise((resolve) => {
    const ws = new WebSocket(server + SYNC_PATH, {
      headers: { Authorization: `Bearer ${link.token}` },
      handshakeTimeout: opts.connectTimeoutMs ?? 10_000,
      maxPayload: MAX_MESSAGE_BYTES,
    });
    let hwm: number | null = null;
    let connected = false;
    /** Batches sent and not acknowledged yet, oldest first (the server answers them in order). */
    const inFlight: { last: number }[] = [];
    /** Acks still due for batches sent after one the server acked short: awaited, then sending goes on from its hwm. */
    let stale = 0;
    let sent = 0;
    /** Events sent since the queue was last empty (logged once it empties). */
    let sentSinceIdle = 0;
    /** Heartbeats sent and not acknowledged yet (a push ends once the server heard the last one). */
    let beating = 0;
    /** Whether the server took the event at its hwm as a duplicate (see `pump`). */
    let checked = false;
    let heard = Date.now();
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    const every = (ms: number, fn: () => void): void => void timers.push(setInterval(guard(fn), ms));

    const finish = (result: SessionEnd): void => {
      if (ended) return;
      ended = true;
      for (const t of timers) clearInterval(t);
      clearTimeout(helloTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (connected) opts.onLink?.(false);
      if (result.end !== 'done') {
        const e = result.error;
        try {
          saveState(app.path, link, { last_error: { code: e.code, message: errorMessage(e.code, e.params), at: app.now().toISOString() } });
        } catch {
          // the link file cannot be written: the error is reported all the same
        }
      }
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1000);
        // a server that never answers the close is cut off
        setTimeout(() => ws.terminate(), 2000).unref();
      } else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      resolve(result);
    };
    const lost = (code: MessageKey, params: Record<string, string | number> = {}): void =>
      finish({ end: 'lost', error: new TpvError('network', code, { server, ...params }), hwm, sent, connected });
    const fatal = (error: TpvError): void => finish({ end: 'fatal', error, hwm, sent, connected });
    const send = (m: TillMessage | string): void => ws.send(typeof m === 'string' ? m : JSON.stringify(m));
    /** A handler whose failure (the database, the link file) ends the session instead of escaping. */
    function guard<A extends unknown[]>(fn: (...a: A) => void): (...a: A) => void {
      return (...a) => {
        if (ended) return;
        try {
          fn(...a);
        } catch (e) {
          if (e instanceof TpvError && e.kind !== 'network') fatal(e);
          else lost('sync.failed', { detail: e instanceof Error ? e.message : String(e) });
        }
      };
    }
    const save = (change: Partial<SyncState>): void => {
      if (!saveState(app.path, link, change)) fatal(new TpvError('conflict', 'sync.link_changed', { path: linkPath(app.path) }));
    };

    const helloTimer = setTimeout(() => lost('sync.no_hello'), (opts.connectTimeoutMs ?? 10_000) + 1000);
    const onAbort = (): void => finish({ end: 'done', hwm, sent });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);

    const heartbeat = (): void => {
      if (Date.now() - heard > SILENT_MS) {
        ws.terminate();
        return lost('sync.silent', { seconds: Math.round(SILENT_MS / 1000) });
      }
      ws.ping();
      beat(backlogAfter(app, hwm ?? 0));
    };
    /** The backlog the server heard last. */
    let told = -1;
    const beat = (backlog: number): void => {
      told = backlog;
      beating++;
      send({ type: 'heartbeat', at: app.now().toISOString(), version: VERSION, backlog, last_z: lastZ(app) });
    };

    /**
     * Keeps {@link PIPELINE} batches in flight (the next one is read and sent while the server
     * stores the one before); in a push, ends once the server holds everything.
     */
    const pump = (): void => {
      if (ended || hwm === null || stale > 0) return;
      while (inFlight.length < PIPELINE) {
        // a connection's first batch starts with the event at the server's hwm: held there with the
        // same id and body it is a duplicate, proving both sides share their history up to it; a till
        // restored from an old backup that sold again under the seqs it lost gets `diverged` instead
        const batch = nextBatch(app, inFlight.at(-1)?.last ?? (checked ? hwm : Math.max(hwm - 1, 0)));
        if (batch) {
          inFlight.push(batch);
          send(batch.text);
          continue;
        }
        if (inFlight.length > 0) return;
        if (sentSinceIdle > 0 && opts.mode === 'run') log({ code: 'sync.log.caught_up', params: { count: sentSinceIdle, hwm } });
        // caught up: the server hears it (and the last Z) at once, not at the next heartbeat
        if (told !== 0 || sentSinceIdle > 0) beat(0);
        else if (opts.mode === 'push' && beating === 0) finish({ end: 'done', hwm, sent });
        sentSinceIdle = 0;
        return;
      }
    };

    const onHello = (m: Extract<ServerMessage, { type: 'hello' }>): void => {
      if (m.protocol !== PROTOCOL_VERSION) return fatal(new TpvError('conflict', 'sync.protocol', { server }));
      connected = true;
      clearTimeout(helloTimer);
      // numbers the server holds are never issued again here (a till restored from an old backup)
      if (opts.mode !== 'probe') {
        for (const moved of advanceSeries(app, m.series, 'sync')) log({ code: 'sync.log.series_moved', params: { ...moved } });
      }
      if (opts.mode === 'resolve') {
        hwm = m.hwm;
        return void resolveFrom(m.hwm).catch((e: unknown) => fatal(e instanceof TpvError ? e : new TpvError('internal', 'sync.failed', { detail: String(e) })));
      }
      if (m.diverged) return fatal(new TpvError('conflict', 'sync.diverged', { server, terminal }));
      const last = lastSeq(app);
      // the server holds events this outbox does not have: this database is older than what it sent
      if (m.hwm > last) return fatal(new TpvError('conflict', 'sync.behind_server', { server, terminal, hwm: m.hwm, seq: last }));
      markSent(app, Math.min(link.state.hwm ?? 0, m.hwm), m.hwm);
      hwm = m.hwm;
      checked = hwm === 0;
      const at = app.now().toISOString();
      save({ hwm, last_connected_at: at, last_error: null });
      if (opts.mode === 'probe') return finish({ end: 'done', hwm, sent });
      opts.onLink?.(true);
      if (opts.mode === 'run') log({ code: 'sync.log.connected', params: { server, terminal, hwm, backlog: last - hwm } });
      beat(last - hwm);
      every(HEARTBEAT_S * 1000, heartbeat);
      every(POLL_MS, () => {
        if (inFlight.length === 0 && hwm !== null && lastSeq(app) > hwm) pump();
      });
      pump();
    };

    // ---- `tpv sync resolve`: probes, one at a time, then the move and the server's word
    let answer: ((m: ServerMessage) => void) | null = null;
    const ask = (m: TillMessage): Promise<ServerMessage> =>
      new Promise((res) => {
        answer = res;
        send(m);
      });
    /** Whether the server holds this till's event at seq (0: the start both share). */
    const shared = async (seq: number): Promise<boolean> => {
      if (seq === 0) return true;
      const id = prepared(app.db, 'SELECT id FROM outbox WHERE seq = ?').pluck().get(seq) as string | undefined;
      if (id === undefined) return false;
      const a = await ask({ type: 'probe', seq, id });
      return a.type === 'probe_ack' && a.seq === seq && a.held;
    };
    const resolveFrom = async (serverHwm: number): Promise<void> => {
      // both share a history up to the fork and part after it: a binary search over the seqs both have
      let lo = 0;
      let hi = Math.min(lastSeq(app), serverHwm);
      if (await shared(hi)) lo = hi;
      else {
        hi--;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (await shared(mid)) lo = mid;
          else hi = mid - 1;
        }
      }
      const moved = moveAfterFork(app, { server, fork: lo, serverHwm, by: opts.by ?? 'sync' });
      markSent(app, 0, lo);
      const a = await ask({ type: 'resolve', fork: lo });
      if (a.type !== 'resolved') return lost('sync.unexpected', { type: a.type });
      save({ hwm: a.hwm, last_connected_at: app.now().toISOString(), last_error: null });
      finish({ end: 'done', hwm: a.hwm, sent: 0, resolution: { server, terminal, fork: lo, server_hwm: serverHwm, ...moved } });
    };

    const onAck = (m: Extract<ServerMessage, { type: 'ack' }>): void => {
      const batch = inFlight.shift();
      if (!batch || hwm === null) return lost('sync.unexpected', { type: 'ack' });
      for (const q of m.quarantined) log({ code: 'sync.log.quarantined', params: { id: q.id, reason: q.reason } });
      // a batch acked short (the server stopped at a gap) resends from its hwm once the batches sent
      // after it are answered; one acked with no progress at all would be sent again for ever
      const behind = stale > 0;
      if (behind) stale--;
      if (m.hwm < hwm || (!behind && m.hwm === hwm && batch.last > hwm)) return fatal(new TpvError('conflict', 'sync.stalled', { server, seq: hwm + 1, hwm: m.hwm }));
      if (!behind && m.hwm < batch.last) stale = inFlight.length;
      markSent(app, Math.min(hwm, m.hwm), m.hwm);
      checked = true;
      sent += m.hwm - hwm;
      sentSinceIdle += m.hwm - hwm;
      hwm = m.hwm;
      save({ hwm, last_ack_at: app.now().toISOString() });
      opts.onLink?.(true);
      pump();
    };

    ws.on('open', guard(() => send({ type: 'hello', protocol: PROTOCOL_VERSION, terminal, version: VERSION })));
    ws.on('pong', () => (heard = Date.now()));
    ws.on(
      'message',
      guard((data: WebSocket.RawData, binary: boolean) => {
        heard = Date.now();
        const text = binary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
        const r = parseMessage(serverMessage, text);
        if (!r.ok) {
          send({ type: 'error', code: r.code, message: r.message });
          return lost('sync.bad_message', { detail: r.message });
        }
        const m = r.value;
        // an error may come at any time (before the hello too: a refused hello)
        if (m.type !== 'hello' && m.type !== 'error' && hwm === null) return lost('sync.unexpected', { type: m.type });
        switch (m.type) {
          case 'hello':
            return hwm === null ? onHello(m) : lost('sync.unexpected', { type: m.type });
          case 'ack':
            return onAck(m);
          case 'probe_ack':
          case 'resolved': {
            const waiting = answer;
            answer = null;
            return waiting ? waiting(m) : lost('sync.unexpected', { type: m.type });
          }
          case 'heartbeat_ack':
            beating = Math.max(beating - 1, 0);
            save({ last_heartbeat_at: app.now().toISOString() });
            return pump();
          case 'error': {
            const key = (PROTOCOL_ERRORS as readonly string[]).includes(m.code) ? (`sync.${m.code}` as MessageKey) : 'sync.refused';
            const error = new TpvError(FATAL.has(m.code) ? 'conflict' : 'network', key, { server, terminal, message: m.message });
            return FATAL.has(m.code) ? fatal(error) : finish({ end: 'lost', error, hwm, sent, connected });
          }
        }
      }),
    );
    // the upgrade refused with a status: the token (401) or the till (403) is not accepted
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401) fatal(new TpvError('conflict', 'sync.unauthorized', { server, terminal, message: `HTTP ${status}` }));
      else if (status === 403) fatal(new TpvError('conflict', 'sync.revoked', { server, terminal, message: `HTTP ${status}` }));
      else lost('sync.server_failed', { status });
    });
    ws.on('error', (e: Error) => {
      if (!connected) finish({ end: 'lost', error: unreachable(server, e), hwm, sent, connected });
      else lost('sync.failed', { detail: e.message });
    });
    ws.on('close', (code: number, reason: Buffer) => lost('sync.closed', { code, reason: reason.toString('utf8') || '-' }));
  });
}

// ---- a diverged till ---------------------------------------------------------------------------

/** What `tpv sync resolve` did. */
export interface Resolution {
  server: string;
  terminal: string;
  /** The last seq both histories share. */
  fork: number;
  server_hwm: number;
  /** This till's events after the fork, moved to follow the server's hwm (0: none, or moved before). */
  moved: number;
  /** Where they start now. */
  from: number | null;
}

/**
 * Moves this till's events after `fork` to follow the server's hwm, in order, unsent, in one
 * transaction, with a `resync` event after them; the seqs between are the server's events this
 * database lost. Done once: events already past the hwm are not moved again. A till with nothing
 * after the fork gets the `resync` event at hwm + 1, so its next event follows the server's.
 */
export function moveAfterFork(app: App, r: { server: string; fork: number; serverHwm: number; by: string }): { moved: number; from: number | null } {
  return inTransaction(app, () => {
    const first = prepared(app.db, 'SELECT min(seq) FROM outbox WHERE seq > ?').pluck().get(r.fork) as number | null;
    let moved = 0;
    let from: number | null = null;
    if (first !== null && first <= r.serverHwm) {
      const shift = r.serverHwm + 1 - first;
      // through negative seqs: no two rows share a seq midway
      moved = app.db.prepare('UPDATE outbox SET seq = -(seq + ?), sent_at = NULL WHERE seq >= ?').run(shift, first).changes;
      app.db.prepare('UPDATE outbox SET seq = -seq WHERE seq < 0').run();
      from = r.serverHwm + 1;
    }
    const last = lastSeq(app);
    // moved, or behind the server with nothing to move: the event that says so (and keeps the next seq past the hwm)
    if (moved > 0 || last < r.serverHwm) {
      const id = appendEvent(app, 'resync', { server: r.server, fork: r.fork, server_hwm: r.serverHwm, moved, from, by: r.by });
      if (last < r.serverHwm) prepared(app.db, 'UPDATE outbox SET seq = ? WHERE id = ?').run(r.serverHwm + 1, id);
    }
    return { moved, from };
  });
}

/**
 * `tpv sync resolve`: a till restored from an old backup (diverged, or behind the server) finds
 * where its history parted from the server's and moves its own events after that point past the
 * server's hwm, then the server clears its mark (docs/sync.md, a diverged till). Needs manage_store.
 */
export async function resolveDivergence(app: App, actor: UserRow, approver: Approver | undefined, log?: (n: Notice) => void): Promise<Resolution> {
  authorize(app, actor, 'manage_store', approver);
  const link = requireLink(app.path);
  const r = await syncSession(app, link, { mode: 'resolve', by: actor.code, ...(log ? { log } : {}) });
  if (r.end !== 'done' || !r.resolution) throw r.end === 'done' ? new TpvError('network', 'sync.failed', { detail: 'no resolution' }) : r.error;
  auditLog(app.db, app.now(), actor.id, 'sync.resolve', r.resolution);
  return r.resolution;
}

// ---- push, run, status -------------------------------------------------------------------------

export interface PushResult {
  server: string;
  terminal: string;
  /** Events the server acknowledged in this push. */
  sent: number;
  /** The server's high-water mark: it holds every event up to it. */
  hwm: number;
  last_seq: number;
}

/** Connects, sends everything the server lacks, and returns once it holds every event. */
export async function pushOutbox(app: App, link: SyncLink, log?: (n: Notice) => void): Promise<PushResult> {
  const r = await syncSession(app, link, { mode: 'push', ...(log ? { log } : {}) });
  if (r.end !== 'done') throw r.error;
  return { server: link.server, terminal: link.terminal, sent: r.sent, hwm: r.hwm ?? 0, last_seq: lastSeq(app) };
}

export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;

/** Capped exponential backoff with full jitter: a random wait up to min(60 s, 1 s × 2^failures). */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  return Math.floor(jitteredBackoff(failures, BACKOFF_MIN_MS, BACKOFF_MAX_MS, random));
}

/** What the cashier terminal shows of the loop: linked or not, and the events the server has not acknowledged. */
export interface LoopState {
  online: boolean;
  /** Outbox rows after the last ack (seqs have no gaps: the server never acks past one). */
  pending: number;
  /** The refusal that stopped the loop (a message key: `sync.revoked`…). */
  error?: MessageKey;
}

/**
 * The sync loop (`tpv sync run`, and the cashier terminal in the background): one session after
 * another, waiting with backoff between failures, until `signal` aborts. A refusal that trying
 * again cannot cure (diverged, revoked…) ends it with that error. `onState` hears every change of
 * {@link LoopState}: at once on a connect, an ack or a lost link, and within POLL_MS of a sale
 * (one `max(seq)` read through the primary key, online or not).
 */
export async function runSync(app: App, link: SyncLink, signal: AbortSignal, log: (n: Notice) => void = () => {}, onState?: (s: LoopState) => void): Promise<void> {
  let online = false;
  let told = '';
  /** Tells `onState` of a change; never throws (it runs inside the session's handlers). */
  const report = (error?: TpvError): void => {
    if (!onState) return;
    let pending: number;
    try {
      pending = Math.max(0, lastSeq(app) - (link.state.hwm ?? 0));
    } catch {
      return; // the database is busy or closing: the next tick tells
    }
    const state: LoopState = { online, pending, ...(error ? { error: error.code } : {}) };
    const key = JSON.stringify(state);
    if (key === told) return;
    told = key;
    try {
      onState(state);
    } catch {
      // an observer's failure is not the loop's
    }
  };
  /** The refusal that ended the loop: the bar keeps saying it, and keeps counting the sales made since. */
  let fatal: TpvError | undefined;
  const poll = onState ? setInterval(() => report(fatal), POLL_MS) : undefined;
  try {
    report();
    await loop();
  } catch (e) {
    if (e instanceof TpvError) report((fatal = e));
    throw e;
  } finally {
    // after a refusal the count goes on until the till quits (the signal); otherwise it ends here
    if (fatal && poll && !signal.aborted) signal.addEventListener('abort', () => clearInterval(poll), { once: true });
    else clearInterval(poll);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    const onLink = (now: boolean): void => {
      online = now;
      report();
    };
    while (!signal.aborted) {
      const r = await syncSession(app, link, { mode: 'run', signal, log, onLink });
      if (r.end === 'done') return;
      if (r.end === 'fatal') throw r.error;
      // a link that worked starts the backoff again; one taken over by another connection of this
      // terminal (the server closes the older with 4000) backs off, or the two would take turns
      const replaced = r.error.code === 'sync.closed' && r.error.params.code === 4000;
      failures = r.connected && !replaced ? 0 : failures + 1;
      const wait = backoffMs(failures);
      log({ code: 'sync.log.retry', params: { message: errorMessage(r.error.code, r.error.params), seconds: (wait / 1000).toFixed(1) } });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        signal.addEventListener('abort', done);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
    }
  }
}

export interface SyncStatus {
  registered: boolean;
  server: string | null;
  terminal: string | null;
  registered_at: string | null;
  last_seq: number;
  /** Events the server does not hold yet (after its hwm as heard now, or last heard). */
  backlog: number;
  /** The server's hwm as last heard, and when. */
  hwm: number | null;
  last_connected_at: string | null;
  last_ack_at: string | null;
  last_heartbeat_at: string | null;
  last_error: SyncState['last_error'];
  /** Whether the server answered now (within 2 s), and the hwm it stated. */
  reachable: boolean | null;
  server_hwm: number | null;
}

export const STATUS_TIMEOUT_MS = 2000;

/** What `tpv sync status` shows: the link, the backlog, and the server's hwm if it answers within 2 s. */
export async function syncStatus(app: App): Promise<SyncStatus> {
  const link = readLink(app.path);
  const last = lastSeq(app);
  if (!link) {
    return { registered: false, server: null, terminal: null, registered_at: null, last_seq: last, backlog: backlogAfter(app, 0), ...NO_STATE, reachable: null, server_hwm: null };
  }
  const probe = await syncSession(app, link, { mode: 'probe', connectTimeoutMs: STATUS_TIMEOUT_MS });
  const serverHwm = probe.end === 'done' ? probe.hwm : null;
  const s = link.state;
  return {
    registered: true,
    server: link.server,
    terminal: link.terminal,
    registered_at: link.registered_at,
    last_seq: last,
    backlog: backlogAfter(app, serverHwm ?? s.hwm ?? 0),
    hwm: s.hwm,
    last_connected_at: s.last_connected_at,
    last_ack_at: s.last_ack_at,
    last_heartbeat_at: s.last_heartbeat_at,
    last_error: s.last_error,
    reachable: probe.end === 'done',
    server_hwm: serverHwm,
  };
}
