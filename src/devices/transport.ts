/**
 * The links to peripherals: a network printer (`tcp://host:9100`), a serial port
 * (`serial:/dev/ttyUSB0?baud=9600`), a USB printer's character device (`/dev/usb/lp0`) and a file
 * (`file:out.bin`, for tests and for printing to disk). One `Transport` interface hides which:
 * callers write jobs, and on two-way links they ask for status bytes.
 *
 * Every failure becomes a TpvError whose code says what the user can do about it (the port is
 * held by another program, the user lacks the group, the printer does not answer…); the system's
 * own message travels along as `detail`. `serialport` is imported only when a serial link is
 * opened, so commands that never touch one do not load its native addon.
 */
import { constants as fsConstants, existsSync } from 'node:fs';
import { type FileHandle, open as openFile } from 'node:fs/promises';
import { connect as connectTcp, isIP, isIPv6, type Socket } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import type { SerialPort } from 'serialport';
import { TpvError } from '../core/errors.js';

export type Parity = 'none' | 'even' | 'odd';

export type DeviceUrl =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'serial'; path: string; baudRate: number; dataBits: 5 | 6 | 7 | 8; parity: Parity; stopBits: 1 | 2; rtscts: boolean }
  | { kind: 'lp'; path: string }
  | { kind: 'file'; path: string };

export type SerialUrl = Extract<DeviceUrl, { kind: 'serial' }>;

/** The line settings of a serial link as serialport takes them (printers, displays and scanners alike). */
export function serialSettings(u: SerialUrl): { path: string; baudRate: number; dataBits: 5 | 6 | 7 | 8; parity: Parity; stopBits: 1 | 2; rtscts: boolean } {
  return { path: u.path, baudRate: u.baudRate, dataBits: u.dataBits, parity: u.parity, stopBits: u.stopBits, rtscts: u.rtscts };
}

export interface TransportOptions {
  /** How long a TCP connection may take to open (default 3000 ms). */
  connectTimeoutMs?: number;
  /** How long one write may take to reach the device (default 5000 ms); then the link is dropped. */
  writeTimeoutMs?: number;
}

export interface StatusOptions extends TransportOptions {
  /** How long to wait for each status byte before taking the silence as "no answer" (default 1000 ms). */
  replyTimeoutMs?: number;
}

/**
 * Whether a byte can be a reply to DLE EOT n: Epson fixes bit 1 and bit 4 at 1, bit 0 and bit 7 at 0
 * for every n (TM-T20III Technical Reference, DLE EOT), i.e. `(b & 0x93) === 0x12`. Anything else
 * (XON/XOFF on a serial link, the header of an automatic status back, line noise) is not a status,
 * and read as one it would say "offline" or "paper out" of a printer that is fine.
 */
export const isStatusByte = (b: number): boolean => (b & 0x93) === 0x12;

export interface Transport {
  /** Whether the device can answer (status requests); USB printer devices and files cannot. */
  readonly twoWay: boolean;
  /** Resolves once the bytes have left this process (TCP: handed to the kernel; serial: transmitted). */
  write(data: Uint8Array): Promise<void>;
  /**
   * Writes `data` and resolves with the next `replyBytes` bytes received (skipping those `accept`
   * refuses, when given); 'device.timeout' when they do not come.
   */
  request(data: Uint8Array, replyBytes: number, timeoutMs: number, accept?: (byte: number) => boolean): Promise<Uint8Array>;
  /** Every chunk received from now on (a scanner's codes, unsolicited status); returns the unsubscribe. */
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
}

export const DEFAULT_TCP_PORT = 9100;
const SERIAL_DEFAULTS = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false } as const;
const CONNECT_TIMEOUT_MS = 3000;
const WRITE_TIMEOUT_MS = 5000;
const REPLY_TIMEOUT_MS = 1000;
/** Long enough for a printer that drops the first connection while it finishes another job. */
const RETRY_DELAY_MS = 300;
/** How long `close` waits for the printer to close its side before dropping the connection. */
const CLOSE_GRACE_MS = 1000;
const MAX_BAUD = 4_000_000;
/** How often an open serial link checks that its device is still plugged in. */
export const PRESENCE_CHECK_MS = 1000;

// ── Parsing ────────────────────────────────────────────────────────────────────────────────────

const badUrl = (url: string, reason: string): TpvError => new TpvError('invalid', 'device.url', { url, reason });

/** Bare paths are taken as USB printer devices only: a bare /dev/ttyUSB0 is more likely a serial port. */
const BARE_LP = /^\/dev\/(usb\/[^/]+|lp[^/]*)$/;

/**
 * Reads a device link as typed by the user. Errors name the part to fix (`reason`), because the
 * user typed the whole thing in one flag and needs to know which piece is wrong.
 */
export function parseDeviceUrl(text: string): DeviceUrl {
  const url = text.trim();
  if (url === '') throw badUrl(text, 'empty: expected tcp://HOST:PORT, serial:PATH, lp:PATH, a /dev/usb/… path or file:PATH');
  if (url.startsWith('/')) return bareLp(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const rest = url.slice((scheme?.length ?? 0) + 1);
  switch (scheme) {
    case 'tcp':
      return parseTcp(url, rest);
    case 'serial':
      return parseSerial(url, rest);
    case 'lp':
      return { kind: 'lp', path: absolutePath(url, pathPart(url, rest)) };
    case 'file':
      return { kind: 'file', path: resolve(pathPart(url, rest)) };
    default:
      throw badUrl(url, unknownScheme(url, scheme));
  }
}

/** `192.168.1.50:9100` is a printer's address typed without `tcp://`: say so rather than "unknown scheme". */
function unknownScheme(url: string, scheme: string | undefined): string {
  if (/^[^:/]+:\d+$/.test(url)) return `no scheme: write tcp://${url}`;
  return scheme ? `unknown scheme "${scheme}:" (tcp://, serial:, lp:, file:)` : 'no scheme: expected tcp://, serial:, lp: or file:';
}

function bareLp(url: string): DeviceUrl {
  if (BARE_LP.test(url)) return { kind: 'lp', path: url };
  const hint = /^\/dev\/tty/.test(url) ? `serial:${url}` : `file:${url}`;
  throw badUrl(url, `a bare path is taken only under /dev/usb/ or /dev/lp*: write ${hint} or lp:${url}`);
}

/** The path after `lp:`, `file:` or `serial:`, also accepting the `scheme:///abs/path` form. */
function pathPart(url: string, rest: string): string {
  if (rest.startsWith('///')) return rest.slice(2);
  if (rest.startsWith('//')) throw badUrl(url, 'after "//" comes a host, not a path: write SCHEME:PATH or SCHEME:///ABSOLUTE/PATH');
  if (rest === '') throw badUrl(url, 'missing path');
  return rest;
}

function absolutePath(url: string, path: string): string {
  if (!isAbsolute(path)) throw badUrl(url, `the device path must be absolute (like /dev/ttyUSB0), not "${path}"`);
  return path;
}

const HOSTNAME = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/i;

function parseTcp(url: string, rest: string): DeviceUrl {
  if (!rest.startsWith('//')) throw badUrl(url, 'expected tcp://HOST:PORT');
  const authority = rest.slice(2).replace(/\/$/, '');
  if (/[/?#]/.test(authority)) throw badUrl(url, 'unexpected path or query after HOST:PORT');
  const bracketed = authority.startsWith('[');
  if (!bracketed && authority.split(':').length > 2) throw badUrl(url, 'an IPv6 address goes in brackets: tcp://[::1]:9100');
  const m = bracketed ? /^\[([^\]]*)\](?::(.*))?$/.exec(authority) : /^([^:]*)(?::(.*))?$/.exec(authority);
  if (!m) throw badUrl(url, `bad host "${authority}"`);
  const host = m[1]!;
  if (host === '') throw badUrl(url, 'missing host');
  if (bracketed ? !isIPv6(host) : !HOSTNAME.test(host)) throw badUrl(url, `bad host "${host}"`);
  return { kind: 'tcp', host, port: m[2] === undefined ? DEFAULT_TCP_PORT : tcpPort(url, m[2]) };
}

function tcpPort(url: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw badUrl(url, `bad port "${text}" (1-65535)`);
  return port;
}

const SERIAL_KEYS = ['baud', 'data', 'parity', 'stop', 'flow'] as const;

function parseSerial(url: string, rest: string): DeviceUrl {
  const q = rest.indexOf('?');
  const path = absolutePath(url, pathPart(url, q < 0 ? rest : rest.slice(0, q)));
  const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!(SERIAL_KEYS as readonly string[]).includes(key)) throw badUrl(url, `unknown query key "${key}" (${SERIAL_KEYS.join(', ')})`);
    if (seen.has(key)) throw badUrl(url, `"${key}" given twice`);
    seen.add(key);
  }
  const pick = <T>(key: (typeof SERIAL_KEYS)[number], values: Record<string, T>, fallback: T, expected: string): T => {
    const v = params.get(key);
    if (v === null) return fallback;
    if (!Object.hasOwn(values, v.toLowerCase())) throw badUrl(url, `bad ${key} "${v}" (${expected})`);
    return values[v.toLowerCase()]!;
  };
  return {
    kind: 'serial',
    path,
    baudRate: baud(url, params.get('baud')),
    dataBits: pick('data', { 5: 5, 6: 6, 7: 7, 8: 8 } as const, SERIAL_DEFAULTS.dataBits, '5, 6, 7 or 8'),
    parity: pick('parity', { none: 'none', even: 'even', odd: 'odd' } as const, SERIAL_DEFAULTS.parity, 'none, even or odd'),
    stopBits: pick('stop', { 1: 1, 2: 2 } as const, SERIAL_DEFAULTS.stopBits, '1 or 2'),
    rtscts: pick('flow', { none: false, rtscts: true }, SERIAL_DEFAULTS.rtscts, 'none or rtscts'),
  };
}

function baud(url: string, text: string | null): number {
  if (text === null) return SERIAL_DEFAULTS.baudRate;
  const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 50 && n <= MAX_BAUD)) throw badUrl(url, `bad baud "${text}" (a whole number such as 9600 or 115200)`);
  return n;
}

/** The canonical text of a link (what is stored): defaults left out except the serial speed. */
export function formatDeviceUrl(u: DeviceUrl): string {
  switch (u.kind) {
    case 'tcp':
      return `tcp://${hostPort(u.host, u.port)}`;
    case 'serial': {
      const q = [`baud=${u.baudRate}`];
      if (u.dataBits !== SERIAL_DEFAULTS.dataBits) q.push(`data=${u.dataBits}`);
      if (u.parity !== SERIAL_DEFAULTS.parity) q.push(`parity=${u.parity}`);
      if (u.stopBits !== SERIAL_DEFAULTS.stopBits) q.push(`stop=${u.stopBits}`);
      if (u.rtscts) q.push('flow=rtscts');
      return `serial:${u.path}?${q.join('&')}`;
    }
    case 'lp':
      return BARE_LP.test(u.path) ? u.path : `lp:${u.path}`;
    case 'file':
      return `file:${u.path}`;
  }
}

/** A short technical label for lists and messages (locale-free: `192.168.1.50:9100`, `/dev/ttyUSB0 9600 8N1`). */
export function describe(u: DeviceUrl): string {
  switch (u.kind) {
    case 'tcp':
      return hostPort(u.host, u.port);
    case 'serial':
      return `${u.path} ${u.baudRate} ${u.dataBits}${u.parity[0]!.toUpperCase()}${u.stopBits}${u.rtscts ? ' RTS/CTS' : ''}`;
    case 'lp':
      return u.path;
    case 'file':
      return `file ${u.path}`;
  }
}

const hostPort = (host: string, port: number): string => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

// ── Opening ────────────────────────────────────────────────────────────────────────────────────

interface Limits {
  url: string;
  connectTimeoutMs: number;
  writeTimeoutMs: number;
}

/** Opens the link; nothing is written yet, so a failure here is always safe to retry. */
export async function openTransport(url: DeviceUrl, opts: TransportOptions = {}): Promise<Transport> {
  const limits: Limits = {
    url: formatDeviceUrl(url),
    connectTimeoutMs: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    writeTimeoutMs: opts.writeTimeoutMs ?? WRITE_TIMEOUT_MS,
  };
  switch (url.kind) {
    case 'tcp':
      return openTcp(url.host, url.port, limits);
    case 'serial':
      return openSerial(url, limits);
    case 'lp':
    case 'file':
      return openOneWay(url, limits);
  }
}

/**
 * Sends one job: open, write, close. A TCP connection that fails to open is tried once more
 * (printers refuse a second client while busy); once bytes may have left, never again, because
 * a receipt printed twice is worse than an error.
 */
export async function sendJob(url: DeviceUrl, data: Uint8Array, opts: TransportOptions = {}): Promise<void> {
  const link = await openWithRetry(url, opts);
  try {
    await link.write(data);
  } finally {
    await link.close();
  }
}

/**
 * Sends each status request (e.g. DLE EOT 1 = `10 04 01`) and reads a one-byte reply; null where
 * the device stayed silent or sent only bytes that are not status bytes ({@link isStatusByte}).
 * One-way links cannot answer.
 */
export async function queryStatus(url: DeviceUrl, requests: Uint8Array[], opts: StatusOptions = {}): Promise<(number | null)[]> {
  if (url.kind === 'lp' || url.kind === 'file') throw new TpvError('device', 'device.one_way', { url: formatDeviceUrl(url) });
  const link = await openWithRetry(url, opts);
  try {
    return await askStatus(link, requests, opts.replyTimeoutMs ?? REPLY_TIMEOUT_MS);
  } finally {
    await link.close();
  }
}

/**
 * The one-byte replies to DLE EOT requests on an open two-way link; null where it stayed silent.
 * Bytes that cannot be a status ({@link isStatusByte}) are skipped, not taken as the answer.
 */
export async function askStatus(link: Transport, requests: readonly Uint8Array[], timeoutMs: number): Promise<(number | null)[]> {
  const replies: (number | null)[] = [];
  for (const req of requests) replies.push(await replyByte(link, req, timeoutMs));
  return replies;
}

async function replyByte(link: Transport, req: Uint8Array, timeoutMs: number): Promise<number | null> {
  try {
    return (await link.request(req, 1, timeoutMs, isStatusByte))[0]!;
  } catch (e) {
    if (e instanceof TpvError && e.code === 'device.timeout') return null;
    throw e;
  }
}

/** Opens a link, retrying a TCP connection once when it failed (nothing was sent yet). */
export async function openWithRetry(url: DeviceUrl, opts: TransportOptions = {}): Promise<Transport> {
  try {
    return await openTransport(url, opts);
  } catch (e) {
    const connectFailed = e instanceof TpvError && (e.code === 'device.unreachable' || e.code === 'device.timeout');
    if (url.kind !== 'tcp' || !connectFailed) throw e;
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    return openTransport(url, opts);
  }
}

// ── Shared plumbing ────────────────────────────────────────────────────────────────────────────

const timeout = (url: string, ms: number): TpvError => new TpvError('device', 'device.timeout', { url, ms });
const ioError = (url: string, e: unknown): TpvError => (e instanceof TpvError ? e : new TpvError('device', 'device.io', { url, detail: detailOf(e) }));

/** The system's words for a failure; Node's multi-address connect reports an AggregateError with no message of its own. */
function detailOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return e.errors.map(detailOf).join('; ');
  if (e instanceof Error) return e.message || ((e as NodeJS.ErrnoException).code ?? e.name);
  return String(e);
}

/** Settles with `work`, or rejects with `expire()` when `ms` pass first (`expire` also drops the link). */
function within<T>(ms: number, work: Promise<T>, expire: () => TpvError): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(expire()), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolvePromise(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

interface Waiter {
  need: number;
  accept: ((byte: number) => boolean) | undefined;
  parts: Buffer[];
  have: number;
  resolve(reply: Uint8Array): void;
  reject(e: TpvError): void;
}

/**
 * Received bytes go to every `onData` listener and to the one request waiting for a reply. Bytes
 * that arrive while nobody waits are not kept: a late answer to a request that timed out must not
 * be taken as the answer to the next one.
 */
class Inbox {
  private readonly listeners = new Set<(chunk: Buffer) => void>();
  private waiter: Waiter | null = null;
  private failure: TpvError | null = null;

  push(chunk: Buffer): void {
    for (const l of this.listeners) l(chunk);
    const w = this.waiter;
    if (!w) return;
    const part = w.accept ? Buffer.from(chunk.filter(w.accept)) : chunk;
    w.parts.push(part);
    w.have += part.length;
    if (w.have < w.need) return;
    this.waiter = null;
    w.resolve(new Uint8Array(Buffer.concat(w.parts).subarray(0, w.need)));
  }

  /** The link is gone: a waiting request learns it now instead of at its timeout. */
  fail(e: TpvError): void {
    this.failure ??= e;
    this.waiter?.reject(e);
    this.waiter = null;
  }

  expect(need: number, accept?: (byte: number) => boolean): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolvePromise, reject) => {
      this.waiter = { need, accept, parts: [], have: 0, resolve: resolvePromise, reject };
    });
  }

  cancel(): void {
    this.waiter = null;
  }

  subscribe(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** The two-way transport over any byte link: requests run one at a time so replies are not mixed up. */
function twoWayTransport(link: { url: string; write(data: Uint8Array): Promise<void>; close(): Promise<void> }, inbox: Inbox): Transport {
  let queue: Promise<unknown> = Promise.resolve();
  const ask = async (data: Uint8Array, replyBytes: number, timeoutMs: number, accept?: (byte: number) => boolean): Promise<Uint8Array> => {
    const reply = inbox.expect(replyBytes, accept); // armed before writing: a fast device answers at once
    reply.catch(() => undefined); // the write may fail first; then nobody awaits the reply
    try {
      await link.write(data);
      return await within(timeoutMs, reply, () => timeout(link.url, timeoutMs));
    } finally {
      inbox.cancel();
    }
  };
  return {
    twoWay: true,
    write: (data) => link.write(data),
    request(data, replyBytes, timeoutMs, accept) {
      const run = (): Promise<Uint8Array> => ask(data, replyBytes, timeoutMs, accept);
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    onData: (listener) => inbox.subscribe(listener),
    close: () => link.close(),
  };
}

// ── TCP ────────────────────────────────────────────────────────────────────────────────────────

async function openTcp(host: string, port: number, limits: Limits): Promise<Transport> {
  const { url, writeTimeoutMs } = limits;
  const socket = await connectSocket(host, port, limits);
  socket.setNoDelay(true);
  const inbox = new Inbox();
  socket.on('data', (chunk: Buffer) => inbox.push(chunk));
  socket.on('error', (e) => inbox.fail(ioError(url, e)));
  socket.on('close', () => inbox.fail(new TpvError('device', 'device.io', { url, detail: 'connection closed' })));
  const stuck = (): TpvError => {
    socket.destroy();
    return timeout(url, writeTimeoutMs);
  };
  const write = (data: Uint8Array): Promise<void> =>
    within(writeTimeoutMs, new Promise<void>((done, reject) => void socket.write(data, (e) => (e ? reject(ioError(url, e)) : done()))), stuck);
  return twoWayTransport({ url, write, close: () => endSocket(socket) }, inbox);
}

function connectSocket(host: string, port: number, { url, connectTimeoutMs }: Limits): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = connectTcp({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(timeout(url, connectTimeoutMs));
    }, connectTimeoutMs);
    const failed = (e: Error): void => {
      clearTimeout(timer);
      reject(new TpvError('device', 'device.unreachable', { url, detail: detailOf(e) }));
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      resolvePromise(socket);
    });
  });
}

/** Half-closes so the printer sees the end of the job, then waits (briefly) for it to close too. */
function endSocket(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.end();
  });
}

// ── Serial ─────────────────────────────────────────────────────────────────────────────────────

async function openSerial(u: SerialUrl, { url, writeTimeoutMs }: Limits): Promise<Transport> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ ...serialSettings(u), lock: true, autoOpen: false });
  await new Promise<void>((done, reject) => port.open((e) => (e ? reject(serialOpenError(e, u.path, url)) : done())));
  const inbox = new Inbox();
  port.on('data', (chunk: Buffer) => inbox.push(chunk));
  port.on('error', (e) => inbox.fail(ioError(url, e)));
  // an unplugged device can leave serialport reading 0 bytes forever without a 'close'
  // (bindings-cpp #162): a port whose device node is gone is closed here
  const watch = setInterval(() => {
    if (existsSync(u.path)) return;
    inbox.fail(new TpvError('device', 'device.io', { url, detail: 'device gone' }));
    void closeSerial(port);
  }, PRESENCE_CHECK_MS).unref();
  // a write waiting to drain when the port closes (unplugged) fails now, not at its timeout
  const writing = new Set<(e: TpvError) => void>();
  port.on('close', () => {
    clearInterval(watch);
    const closed = new TpvError('device', 'device.io', { url, detail: 'port closed' });
    inbox.fail(closed);
    for (const fail of writing) fail(closed);
    writing.clear();
  });
  const stuck = (): TpvError => {
    void closeSerial(port);
    return timeout(url, writeTimeoutMs);
  };
  const write = (data: Uint8Array): Promise<void> => {
    if (!port.isOpen) return Promise.reject(new TpvError('device', 'device.io', { url, detail: 'port closed' }));
    return within(writeTimeoutMs, serialWrite(port, data, url, writing), stuck);
  };
  return twoWayTransport({ url, write, close: () => closeSerial(port) }, inbox);
}

/** Resolves once the bytes are on the wire (`drain` = tcdrain), not just queued in the port's stream. */
function serialWrite(port: SerialPort, data: Uint8Array, url: string, writing: Set<(e: TpvError) => void>): Promise<void> {
  return new Promise((done, reject) => {
    const fail = (e: TpvError): void => {
      writing.delete(fail);
      reject(e);
    };
    writing.add(fail);
    port.write(Buffer.from(data), (e) => {
      if (e) fail(ioError(url, e));
    });
    port.drain((e) => {
      writing.delete(fail);
      if (e) reject(ioError(url, e));
      else done();
    });
  });
}

function closeSerial(port: SerialPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((done) => port.close(() => done()));
}

/**
 * serialport (bindings-cpp) reports open failures as plain Errors without `code`, e.g.
 * "Error: Permission denied, cannot open /dev/ttyUSB0" or, when another process holds the
 * flock, "Error Resource temporarily unavailable Cannot lock port"; so the text is matched.
 */
export function serialOpenError(e: Error, path: string, url: string): TpvError {
  const text = `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`;
  if (/Cannot lock port|EBUSY|busy|is locked/i.test(text)) return new TpvError('device', 'device.busy', { url, path });
  if (/EACCES|EPERM|Permission denied|not permitted/i.test(text)) return new TpvError('device', 'device.permission', { url, path, group: 'dialout' });
  if (/ENOENT|No such file|ENODEV|ENXIO|No such device|does not exist/i.test(text)) return new TpvError('device', 'device.not_found', { url, path });
  if (/ENOTTY|Inappropriate ioctl/i.test(text)) return new TpvError('device', 'device.not_serial', { url, path });
  return new TpvError('device', 'device.unreachable', { url, detail: e.message });
}

// ── USB printer device and file ────────────────────────────────────────────────────────────────

/**
 * A USB printer's character device (opened write-only and never created: a missing /dev/usb/lp0
 * means the printer is unplugged, not that a file should appear) or a file that each job is
 * appended to. Neither can answer.
 */
async function openOneWay(u: Extract<DeviceUrl, { kind: 'lp' | 'file' }>, { url, writeTimeoutMs }: Limits): Promise<Transport> {
  const flags = u.kind === 'lp' ? fsConstants.O_WRONLY : 'a';
  const handle = await openFile(u.path, flags).catch((e: NodeJS.ErrnoException) => {
    throw fsOpenError(e, u.kind, u.path, url);
  });
  let abandoned = false;
  const abandon = (): TpvError => {
    // a blocked write cannot be cancelled; the handle closes itself once the write returns
    abandoned = true;
    handle.close().catch(() => undefined);
    return timeout(url, writeTimeoutMs);
  };
  return {
    twoWay: false,
    write: (data) => within(writeTimeoutMs, writeAll(handle, data, url), abandon),
    request: () => Promise.reject(new TpvError('device', 'device.one_way', { url })),
    onData: () => () => undefined,
    close: () => (abandoned ? Promise.resolve() : handle.close()),
  };
}

async function writeAll(handle: FileHandle, data: Uint8Array, url: string): Promise<void> {
  try {
    await handle.writeFile(data);
  } catch (e) {
    throw ioError(url, e);
  }
}

function fsOpenError(e: NodeJS.ErrnoException, kind: 'lp' | 'file', path: string, url: string): TpvError {
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return kind === 'lp' ? new TpvError('device', 'device.permission', { url, path, group: 'lp' }) : ioError(url, e);
    case 'EBUSY':
      return new TpvError('device', 'device.busy', { url, path });
    case 'ENOENT':
    case 'ENODEV':
    case 'ENXIO':
      return new TpvError('device', 'device.not_found', { url, path });
    default:
      return ioError(url, e);
  }
}
