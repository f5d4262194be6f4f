/**
 * The store server (docs/sync.md): `POST /enrol` spends a one-time code for a token; `/sync` is
 * one WebSocket per till, authenticated in the upgrade request, speaking src/sync/protocol.ts.
 *
 * Each socket's messages are handled one at a time, in order; an ack is sent only once the batch
 * committed. A message that is not valid gets `error` and the socket closed, nothing written;
 * the other sockets never notice. Ping/pong finds half-open links (terminated, not closed).
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttp, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { TpvError } from '../core/errors.js';
import { terminalText } from '../core/text.js';
import {
  ENROL_PATH,
  enrolRequest,
  type EnrolError,
  eventHash,
  MAX_ENROL_BYTES,
  MAX_MESSAGE_BYTES,
  parseMessage,
  PROTOCOL_VERSION,
  type ProtocolError,
  type ServerMessage,
  SYNC_PATH,
  tillMessage,
  type TillMessage,
  type WireEvent,
} from '../sync/protocol.js';
import { VERSION } from '../version.js';
import { newToken, normalEnrolCode, sameHash, sha256Hex, TOKEN } from './auth.js';
import type { IncomingEvent, ServerStorage } from './storage.js';

export interface ServerOptions {
  /** `host:port` (`[::1]:8787` for IPv6); port 0 picks a free one. */
  listen: string;
  storage: ServerStorage;
  /** One line per connect, disconnect, enrolment, quarantined event and error (default: stderr). */
  log?: (line: string) => void;
  now?: () => Date;
  tls?: { cert: Buffer; key: Buffer };
  /** Milliseconds between pings (15 s); a socket that answered none for two of them is terminated. */
  pingMs?: number;
}

export interface RunningServer {
  /** `ws://127.0.0.1:8787` (wss with TLS; the loopback address when listening on every address). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Enrolment attempts a remote address may make per minute. */
const ENROL_RATE = 10;
/** Messages of one socket waiting their turn before the socket stops being read (backpressure). */
const MAX_PENDING = 4;

/** `0.0.0.0:8787`, `[::]:8787`, `:8787` → host and port; else a usage error naming --listen. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new TpvError('usage', 'server.listen', { value: text });
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

interface Conn {
  id: string;
  ws: WebSocket;
  terminal: string;
  from: string;
  hello: boolean;
  /** Set once the socket is being closed: what is still queued is dropped unread. */
  closing: boolean;
  queue: Promise<void>;
  pending: number;
  lastPong: number;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { storage } = opts;
  const now = opts.now ?? (() => new Date());
  const write = opts.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const pingMs = opts.pingMs ?? 15_000;
  const { host, port } = parseListen(opts.listen);

  const log = (event: string, fields: Record<string, string | number | undefined> = {}): void => {
    const kv = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      // what a till sent may hold anything: quoted, and escaped for the terminal the log is read on
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/^[\w.:/@+-]+$/.test(v) ? terminalText(JSON.stringify(v)) : v}`);
    write([now().toISOString(), event, ...kv].join(' '));
  };

  const conns = new Map<string, Conn>();
  const enrolAttempts = new Map<string, number[]>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const http: Server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key }) : createHttp();

  // ---- POST /enrol

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  };
  const refuseEnrol = (res: ServerResponse, status: number, code: EnrolError | 'not_found' | 'method', message: string, from: string, register?: string): void => {
    log('enrol_refused', { register, from, status, code });
    if (status === 413) res.setHeader('Connection', 'close');
    reply(res, status, { error: { code, message } });
  };

  /** Whether the address may try again: at most {@link ENROL_RATE} attempts in the last minute. */
  const mayEnrol = (from: string): boolean => {
    const t = Date.now();
    const recent = (enrolAttempts.get(from) ?? []).filter((at) => t - at < 60_000);
    enrolAttempts.set(from, recent);
    if (recent.length >= ENROL_RATE) return false;
    recent.push(t);
    return true;
  };

  const enrol = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const from = req.socket.remoteAddress ?? '?';
    if (new URL(req.url ?? '/', 'http://x').pathname !== ENROL_PATH) return refuseEnrol(res, 404, 'not_found', 'not found', from);
    if (req.method !== 'POST') return refuseEnrol(res, 405, 'method', 'POST only', from);
    if (!mayEnrol(from)) {
      res.setHeader('Retry-After', '60');
      return refuseEnrol(res, 429, 'rate_limited', `at most ${ENROL_RATE} enrolment attempts a minute`, from);
    }
    const text = await readBody(req, MAX_ENROL_BYTES);
    if (text === null) return refuseEnrol(res, 413, 'too_large', `the body is at most ${MAX_ENROL_BYTES} bytes`, from);
    const body = parseMessage(enrolRequest, text);
    if (!body.ok) return refuseEnrol(res, 400, 'malformed', body.message, from);
    const { code, register } = body.value;
    const token = newToken(register);
    const r = await storage.enrol(sha256Hex(normalEnrolCode(code)), register, sha256Hex(token), now().toISOString());
    if (r === 'unknown') return refuseEnrol(res, 401, r, 'no such enrolment code', from, register);
    if (r === 'expired') return refuseEnrol(res, 401, r, 'the enrolment code has expired: make a new one', from, register);
    if (r === 'used') return refuseEnrol(res, 401, r, 'the enrolment code was used already', from, register);
    if (r === 'wrong_register') return refuseEnrol(res, 409, 'wrong_register', `the enrolment code is not for register ${register}`, from, register);
    log('enrol', { terminal: r.code, from });
    reply(res, 200, { terminal: r.code, token });
  };

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    enrol(req, res).catch((e: unknown) => {
      log('error', { where: 'enrol', message: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) reply(res, 500, { error: { code: 'internal', message: 'the server failed; it is logged' } });
      else res.destroy();
    });
  });

  // ---- the upgrade to /sync: the token checked before any WebSocket exists

  const rejectUpgrade = (socket: Duplex, status: number, code: string, from: string, terminal?: string): void => {
    log('refused', { terminal, from, status, code });
    const body = JSON.stringify({ error: { code, message: STATUS_CODES[status] ?? '' } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const from = req.socket.remoteAddress ?? '?';
    if (new URL(req.url ?? '/', 'http://x').pathname !== SYNC_PATH) return rejectUpgrade(socket, 404, 'not_found', from);
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const terminal = TOKEN.exec(token)?.[1];
    if (!terminal) return rejectUpgrade(socket, 401, 'unauthorized', from);
    const creds = await storage.credentials(terminal);
    if (!creds?.tokenHash || !sameHash(sha256Hex(token), creds.tokenHash)) return rejectUpgrade(socket, 401, 'unauthorized', from, terminal);
    if (creds.terminal.revokedAt !== null) return rejectUpgrade(socket, 403, 'revoked', from, terminal);
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws, terminal, from));
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgrade(req, socket, head).catch((e: unknown) => {
      log('error', { where: 'upgrade', message: e instanceof Error ? e.message : String(e) });
      if (!socket.destroyed) rejectUpgrade(socket, 500, 'internal', req.socket.remoteAddress ?? '?');
    });
  });

  // ---- a till's socket

  const send = (conn: Conn, m: ServerMessage): void => {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(m));
  };

  /** `error` to the till, then the socket closed: what is still queued is dropped. */
  const refuse = (conn: Conn, code: ProtocolError, message: string): void => {
    log('error', { terminal: conn.terminal, conn: conn.id, code, message });
    send(conn, { type: 'error', code, message });
    conn.closing = true;
    conn.ws.close(code === 'internal' ? 1011 : 1008, code);
  };

  const connected = (ws: WebSocket, terminal: string, from: string): void => {
    const conn: Conn = { id: randomUUID().slice(0, 8), ws, terminal, from, hello: false, closing: false, queue: Promise.resolve(), pending: 0, lastPong: Date.now() };
    const old = conns.get(terminal);
    if (old) {
      log('replaced', { terminal, conn: old.id, by: conn.id });
      old.closing = true;
      old.ws.close(4000, 'replaced');
    }
    conns.set(terminal, conn);
    log('connect', { terminal, conn: conn.id, from });
    ws.on('pong', () => (conn.lastPong = Date.now()));
    ws.on('error', (e: Error & { code?: string }) => {
      log('error', { terminal, conn: conn.id, code: e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_large' : (e.code ?? 'socket'), message: e.message });
    });
    ws.on('close', (code: number) => {
      conn.closing = true;
      if (conns.get(terminal) === conn) conns.delete(terminal);
      log('disconnect', { terminal, conn: conn.id, code });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (conn.closing) return;
      if (++conn.pending > MAX_PENDING) ws.pause();
      conn.queue = conn.queue
        .then(() => handle(conn, data, isBinary))
        .catch((e: unknown) => {
          log('error', { terminal, conn: conn.id, where: 'storage', message: e instanceof Error ? e.message : String(e) });
          if (!conn.closing) refuse(conn, 'internal', 'the server could not store this; it is logged: try again later');
        })
        .finally(() => {
          if (--conn.pending <= MAX_PENDING && ws.isPaused) ws.resume();
        });
    });
  };

  const handle = async (conn: Conn, data: RawData, isBinary: boolean): Promise<void> => {
    if (conn.closing) return;
    if (isBinary) return refuse(conn, 'malformed', 'messages are JSON text');
    const parsed = parseMessage(tillMessage, (data as Buffer).toString('utf8'));
    if (!parsed.ok) return refuse(conn, parsed.code, parsed.message);
    const m = parsed.value;
    if (!conn.hello) return hello(conn, m);
    switch (m.type) {
      case 'hello':
        return refuse(conn, 'protocol', 'hello was said already');
      case 'events':
        return events(conn, m.events);
      case 'heartbeat':
        return heartbeat(conn, m);
      case 'probe': {
        const [e] = await storage.events(conn.terminal, m.seq - 1, 1);
        return send(conn, { type: 'probe_ack', seq: m.seq, held: e?.seq === m.seq && e.id === m.id });
      }
      case 'resolve':
        return resolve(conn, m.fork);
      case 'error':
        log('till_error', { terminal: conn.terminal, conn: conn.id, code: m.code, message: m.message });
        return;
    }
  };

  const hello = async (conn: Conn, m: TillMessage): Promise<void> => {
    if (m.type !== 'hello') return refuse(conn, 'protocol', 'the first message is hello');
    if (m.protocol !== PROTOCOL_VERSION) return refuse(conn, 'protocol', `this server speaks protocol ${PROTOCOL_VERSION}, not ${m.protocol}`);
    if (m.terminal !== conn.terminal) return refuse(conn, 'unauthorized', `the token is terminal ${conn.terminal}'s, not ${m.terminal}'s`);
    const t = (await storage.credentials(conn.terminal))?.terminal;
    if (!t || t.revokedAt !== null) return refuse(conn, 'revoked', 'this terminal was revoked');
    // a diverged till hears the numbers the server holds all the same: it moves its series past them
    const series = await storage.lastNumbers(conn.terminal);
    log('hello', { terminal: conn.terminal, conn: conn.id, version: m.version, hwm: t.hwm, ...(t.diverged ? { diverged: 'yes' } : {}) });
    send(conn, { type: 'hello', protocol: PROTOCOL_VERSION, server: VERSION, hwm: t.hwm, series, diverged: t.diverged });
    // a diverged till may probe and resolve; its events are refused (storage.ingest)
    conn.hello = true;
  };

  /** `tpv sync resolve` moved the till's events after `fork` past the hwm: it is no longer diverged. */
  const resolve = async (conn: Conn, fork: number): Promise<void> => {
    const t = (await storage.credentials(conn.terminal))?.terminal;
    if (!t || t.revokedAt !== null) return refuse(conn, 'revoked', 'this terminal was revoked');
    if (fork > t.hwm) return refuse(conn, 'malformed', `fork ${fork} is past what the server holds (${t.hwm})`);
    await storage.resolve(conn.terminal);
    log('resolved', { terminal: conn.terminal, conn: conn.id, fork, hwm: t.hwm, ...(t.diverged ? { was: 'diverged' } : {}) });
    send(conn, { type: 'resolved', hwm: t.hwm });
  };

  const events = async (conn: Conn, batch: WireEvent[]): Promise<void> => {
    const t = (await storage.credentials(conn.terminal))?.terminal;
    if (!t || t.revokedAt !== null) return refuse(conn, 'revoked', 'this terminal was revoked');
    const r = await storage.ingest(conn.terminal, batch.map(toIncoming), now().toISOString());
    for (const q of r.quarantined) log('quarantine', { terminal: conn.terminal, conn: conn.id, id: q.id, reason: q.reason });
    if (r.diverged) return refuse(conn, 'diverged', 'a known seq came with another id (a till restored from an old backup?): nothing more is stored from this till; see docs/sync.md');
    send(conn, { type: 'ack', hwm: r.hwm, quarantined: r.quarantined });
  };

  const heartbeat = async (conn: Conn, m: Extract<TillMessage, { type: 'heartbeat' }>): Promise<void> => {
    const tillAt = Date.parse(m.at);
    if (Number.isNaN(tillAt)) return refuse(conn, 'malformed', 'at: not a date and time');
    const at = now();
    await storage.heartbeat(conn.terminal, { at: at.toISOString(), version: m.version, backlog: m.backlog, lastZ: m.last_z, skewMs: at.getTime() - tillAt });
    send(conn, { type: 'heartbeat_ack', at: at.toISOString() });
  };

  // ---- half-open links, revocations of open sockets, the rate limiter's memory

  const sweep = async (): Promise<void> => {
    const t = Date.now();
    for (const conn of conns.values()) {
      if (t - conn.lastPong > 2 * pingMs) {
        log('half_open', { terminal: conn.terminal, conn: conn.id, silent_ms: t - conn.lastPong });
        conn.closing = true;
        conn.ws.terminate();
        continue;
      }
      conn.ws.ping();
      if (conn.hello && !conn.closing && (await storage.credentials(conn.terminal))?.terminal.revokedAt != null) refuse(conn, 'revoked', 'this terminal was revoked');
    }
    for (const [from, attempts] of enrolAttempts) if (attempts.every((at) => t - at >= 60_000)) enrolAttempts.delete(from);
  };
  const timer = setInterval(() => {
    sweep().catch((e: unknown) => log('error', { where: 'sweep', message: e instanceof Error ? e.message : String(e) }));
  }, pingMs);
  timer.unref();

  // ---- listen, close

  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException): void => {
      const address = `${host}:${port}`;
      reject(e.code === 'EADDRINUSE' ? new TpvError('conflict', 'server.address_in_use', { address }) : new TpvError('conflict', 'server.listen_failed', { address, reason: e.message }));
    };
    http.once('error', failed);
    http.listen(port, host, () => {
      http.off('error', failed);
      resolve();
    });
  }).catch((e: unknown) => {
    clearInterval(timer);
    throw e;
  });
  http.on('error', (e: Error) => log('error', { where: 'http', message: e.message }));
  const bound = (http.address() as { port: number }).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  log('listening', { address: `${host.includes(':') ? `[${host}]` : host}:${bound}` });

  return {
    url: `${opts.tls ? 'wss' : 'ws'}://${shown}:${bound}`,
    port: bound,
    async close(): Promise<void> {
      clearInterval(timer);
      const open = [...conns.values()];
      for (const conn of open) {
        conn.closing = true;
        conn.ws.close(1001, 'server stopping');
      }
      // what a socket was handling (a batch being stored) finishes before the storage closes
      await Promise.all(open.map((c) => c.queue));
      await Promise.all(open.map((c) => closed(c.ws, 1000)));
      wss.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      log('stopped');
    },
  };
}

/** The event as stored: its payload as canonical JSON, the hash of its body (what makes a resend a duplicate). */
function toIncoming(e: WireEvent): IncomingEvent {
  return { id: e.id, seq: e.seq, type: e.type, version: e.version, at: e.at, payload: e.payload, hash: eventHash(e) };
}

/** Resolves once the socket closed, terminating it when its peer does not answer the close in `ms`. */
function closed(ws: WebSocket, ms: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), ms);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A request's body, at most `limit` bytes (null when larger: the rest is not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else {
        req.pause();
        resolve(null);
      }
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
