/**
 * What the store server's tests share: a real server on 127.0.0.1 (port 0) over a real SQLite data
 * dir, and a till spoken as a real `ws` client — the protocol by hand, so each test can send what a
 * well-behaved till never would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import { addTerminal } from '../../src/server/admin.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { openSqliteStorage } from '../../src/server/sqlite.js';
import type { ServerStorage } from '../../src/server/storage.js';
import { PROTOCOL_VERSION, type WireEvent } from '../../src/sync/protocol.js';
import { BIN } from '../helpers.js';
import { startPostgres, type TestPostgres } from '../pg.js';

export interface Harness {
  dir: string;
  storage: ServerStorage;
  server: RunningServer;
  /** `http://127.0.0.1:PORT`, for /enrol. */
  http: string;
  /** The server's log lines. */
  lines: string[];
  stop(): Promise<void>;
}

/** A server on `dir` (a new data dir under `root` when not given); stopped with `stop()`. */
export async function startHarness(root: string, opts: { dir?: string; now?: () => Date; pingMs?: number } = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(root, 'data-'));
  const storage = await openSqliteStorage(dir);
  const lines: string[] = [];
  const server = await startServer({ listen: '127.0.0.1:0', storage, log: (l) => lines.push(l), ...(opts.now ? { now: opts.now } : {}), ...(opts.pingMs ? { pingMs: opts.pingMs } : {}) });
  let stopped = false;
  return {
    dir,
    storage,
    server,
    http: `http://127.0.0.1:${server.port}`,
    lines,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await storage.close();
    },
  };
}

/** Where a server answers: the harness's, or a `tpv server` process's. */
export interface Endpoint {
  /** `http://127.0.0.1:PORT`, for /enrol. */
  http: string;
  server: { url: string };
}

/** The endpoint of a server at a ws:// URL. */
export const endpoint = (url: string): Endpoint => ({ http: url.replace(/^ws/, 'http'), server: { url } });

export interface HttpAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** `POST /enrol` with a body (an object as JSON, a string as it is). */
export async function postEnrol(h: Endpoint, body: unknown): Promise<HttpAnswer> {
  const res = await fetch(`${h.http}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** A terminal added and enrolled the way a till does it: its token. */
export async function enrolled(h: Harness, code: string): Promise<string> {
  const { enrol_code } = await addTerminal(h.storage, code, '', new Date());
  const r = await postEnrol(h, { code: enrol_code, register: code });
  if (r.status !== 200) throw new Error(`enrolment of ${code} failed: ${JSON.stringify(r)}`);
  return r.body.token as string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = any;

/** A till's socket: what the server sends, in order; how it closed. */
export class Till {
  private readonly queue: Message[] = [];
  private readonly waiters: ((m: Message) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => undefined); // seen through `closed`
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as Message;
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  /** The next message of the server, or `{type: 'closed', code}` when it closed first. */
  next(): Promise<Message> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return Promise.race([new Promise<Message>((resolve) => this.waiters.push(resolve)), this.closed.then((c) => ({ type: 'closed', ...c }))]);
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  /** Sends a message and answers the server's reply. */
  ask(m: unknown): Promise<Message> {
    this.send(m);
    return this.next();
  }

  hello(terminal: string, protocol = PROTOCOL_VERSION): Promise<Message> {
    return this.ask({ type: 'hello', protocol, terminal, version: '0.1.0' });
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.close();
      await this.closed;
    }
  }
}

/** Opens `/sync` with a token (none: no Authorization header): the socket, or the HTTP status the upgrade got. */
export function connect(h: Endpoint, token: string | undefined, opts: ClientOptions = {}): Promise<Till | { status: number; body: Message }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${h.server.url}/sync`, { ...opts, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
    const till = new Till(ws);
    ws.once('open', () => resolve(till));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || 'null') });
      });
    });
    till.closed.then(() => reject(new Error('closed before the upgrade answered')));
  });
}

/** A till that said hello: its socket and the server's hello. */
export async function online(h: Endpoint, terminal: string, token: string, opts: ClientOptions = {}): Promise<{ till: Till; hello: Message }> {
  const till = await connect(h, token, opts);
  if (!(till instanceof Till)) throw new Error(`upgrade refused: ${JSON.stringify(till)}`);
  return { till, hello: await till.hello(terminal) };
}

/** An outbox event as a till sends it (a no-sale: a small payload); `reason` changes its body. */
export function wire(seq: number, opts: { id?: string; reason?: string } = {}): WireEvent {
  const at = new Date(Date.parse('2026-11-21T09:00:00.000Z') + seq * 1000).toISOString();
  return { id: opts.id ?? randomUUID(), seq, type: 'no_sale', version: 1, at, payload: JSON.stringify({ user: 'admin', reason: opts.reason ?? 'cambio', drawer: 'drawer', at, approval: null }) };
}

export const batch = (from: number, to: number): WireEvent[] => Array.from({ length: to - from + 1 }, (_, i) => wire(from + i));

/** A test file's harnesses: `harness()` starts one in `root`, each stopped after its test. */
export function harnesses(root: string): (opts?: Parameters<typeof startHarness>[1]) => Promise<Harness> {
  let running: Harness[] = [];
  afterEach(async () => {
    for (const h of running) await h.stop();
    running = [];
  });
  return async (opts = {}) => {
    const h = await startHarness(root, opts);
    running.push(h);
    return h;
  };
}

/**
 * A private PostgreSQL cluster for a test file (tests/pg.ts) and built `tpv server` processes on
 * its databases, all stopped after the file. `serve` resolves once the server listens.
 */
export function postgresServers(): { database: () => Promise<string>; serve: (url: string) => Promise<{ child: ChildProcess; url: string }> } {
  let cluster: TestPostgres | undefined;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await cluster?.stop();
  });
  return {
    database: () => cluster!.createDatabase(),
    serve(url) {
      const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--database', url, '--no-log-file'], { env: { ...process.env, TPV_LANG: 'en' }, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      let err = '';
      return new Promise((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString('utf8');
          const found = /listening on (ws:\/\/\S+)/.exec(err)?.[1];
          if (found) resolve({ child, url: found });
        });
        child.on('exit', (code) => reject(new Error(`tpv server exited (${code}): ${err}`)));
      });
    },
  };
}
