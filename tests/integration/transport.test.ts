/**
 * The transports against real endpoints: TCP servers on 127.0.0.1, serial ports that are socat
 * pseudo-terminal pairs, files standing in for USB printer devices. Connection attempts are
 * counted through Node's `net.client.socket` diagnostics channel, so "exactly one retry" is seen
 * rather than inferred from timings.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TpvError } from '../../src/core/errors.js';
import {
  describe as describeUrl,
  type DeviceUrl,
  formatDeviceUrl,
  isStatusByte,
  openTransport,
  parseDeviceUrl,
  queryStatus,
  sendJob,
  type Transport,
} from '../../src/devices/transport.js';
import { SIMULATED_STATES, statusReply } from '../../src/devices/simulators.js';
import { until } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tpv-transport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DLE_EOT_1 = Uint8Array.of(0x10, 0x04, 0x01);
const DLE_EOT_4 = Uint8Array.of(0x10, 0x04, 0x04);

/** The TpvError a promise rejects with (fails the test if it resolves or throws something else). */
async function rejection(p: Promise<unknown>): Promise<TpvError> {
  const e: unknown = await p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  if (!(e instanceof TpvError)) throw e;
  return e;
}

const waitFor = (cond: () => boolean, what: string): Promise<boolean> => until(cond, what);

/** Counts TCP connection attempts made by this process while `fn` runs. */
async function countingConnects<T>(fn: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; attempts: number }> {
  let attempts = 0;
  const seen = (): void => void attempts++;
  subscribe('net.client.socket', seen);
  try {
    const [result] = await Promise.allSettled([fn()]);
    return { result: result!, attempts };
  } finally {
    unsubscribe('net.client.socket', seen);
  }
}

// ── TCP ────────────────────────────────────────────────────────────────────────────────────────

interface Sink {
  url: DeviceUrl;
  port: number;
  server: Server;
  /** One entry per connection that ended, in order. */
  jobs: Buffer[];
  connections: number;
}

const servers: { server: Server; sockets: Set<Socket> }[] = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
});

/** A printer on 127.0.0.1: keeps what each connection sent; `onSocket` may answer or misbehave. */
async function sink(onSocket?: (socket: Socket, sink: Sink) => void, options: { pauseOnConnect?: boolean } = {}): Promise<Sink> {
  const sockets = new Set<Socket>();
  const server = createServer({ pauseOnConnect: options.pauseOnConnect ?? false });
  const s: Sink = { url: { kind: 'tcp', host: '127.0.0.1', port: 0 }, port: 0, server, jobs: [], connections: 0 };
  server.on('connection', (socket) => {
    s.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (onSocket) return onSocket(socket, s);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => s.jobs.push(Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ server, sockets });
  s.port = (server.address() as { port: number }).port;
  s.url = { kind: 'tcp', host: '127.0.0.1', port: s.port };
  return s;
}

/** A port nothing listens on (just released by a server of our own). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Answers every DLE EOT n in the stream with `replies[n]`; stays silent for the others. */
function statusPrinter(replies: Record<number, number>): (socket: Socket) => void {
  return (socket) => {
    let seen = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      seen = Buffer.concat([seen, c]);
      for (let i = seen.indexOf(Buffer.of(0x10, 0x04)); i >= 0 && i + 2 < seen.length; i = seen.indexOf(Buffer.of(0x10, 0x04))) {
        const reply = replies[seen[i + 2]!];
        if (reply !== undefined) socket.write(Buffer.of(reply));
        seen = seen.subarray(i + 3);
      }
    });
  };
}

describe('tcp', () => {
  it('delivers a job byte for byte', async () => {
    const s = await sink();
    const job = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(1 << 20)]);
    await sendJob(s.url, job);
    await waitFor(() => s.jobs.length === 1, 'the job');
    expect(s.jobs[0]!.equals(job)).toBe(true);
  });

  it('sends two jobs in a row as two connections, in order', async () => {
    const s = await sink();
    await sendJob(s.url, Buffer.from('first\n'));
    await sendJob(s.url, Buffer.from('second\n'));
    await waitFor(() => s.jobs.length === 2, 'both jobs');
    expect(s.jobs.map(String)).toEqual(['first\n', 'second\n']);
  });

  it('retries a refused connection exactly once, then reports the printer unreachable', async () => {
    const url: DeviceUrl = { kind: 'tcp', host: '127.0.0.1', port: await closedPort() };
    const { result, attempts } = await countingConnects(() => sendJob(url, Buffer.from('x')));
    expect(attempts).toBe(2);
    expect(result.status).toBe('rejected');
    const e = (result as PromiseRejectedResult).reason as TpvError;
    expect(e).toBeInstanceOf(TpvError);
    expect(e.kind).toBe('device');
    expect(e.code).toBe('device.unreachable');
    expect(e.params).toMatchObject({ url: formatDeviceUrl(url) });
    expect(String(e.params.detail)).toContain('ECONNREFUSED');
  });

  it('delivers the job once when the printer accepts the second attempt', async () => {
    const port = await closedPort();
    const url: DeviceUrl = { kind: 'tcp', host: '127.0.0.1', port };
    let late: Sink | null = null;
    // the printer comes up as soon as the first attempt has been refused
    const upAfterFirst = ({ socket }: { socket: Socket }): void => {
      socket.once('close', () => {
        unsubscribe('net.client.socket', upAfterFirst as (m: unknown) => void);
        void startOn(port).then((s) => (late = s));
      });
    };
    subscribe('net.client.socket', upAfterFirst as (m: unknown) => void);
    await sendJob(url, Buffer.from('job'));
    await waitFor(() => late !== null && late.jobs.length === 1, 'the job');
    expect(late!.jobs.map(String)).toEqual(['job']);
    expect(late!.connections).toBe(1);
  });

  it('never retries once bytes may have been written (a receipt printed twice is worse)', async () => {
    const s = await sink((socket) => socket.destroy());
    const { result, attempts } = await countingConnects(() => sendJob(s.url, randomBytes(16 << 20)));
    expect(result.status).toBe('rejected');
    expect(((result as PromiseRejectedResult).reason as TpvError).code).toBe('device.io');
    expect(attempts).toBe(1);
    expect(s.connections).toBe(1);
  });

  it('times out a connection that never opens, and tries it exactly once more', async () => {
    const full = await fullPrinter();
    try {
      const { result, attempts } = await countingConnects(() => sendJob(full.url, Buffer.from('x'), { connectTimeoutMs: 200 }));
      const e = (result as PromiseRejectedResult).reason as TpvError;
      expect(e).toBeInstanceOf(TpvError);
      expect(e.code).toBe('device.timeout');
      expect(e.params).toEqual({ url: formatDeviceUrl(full.url), ms: 200 });
      expect(attempts).toBe(2);
    } finally {
      full.close();
    }
  });

  it('gives up on a printer that stops reading, after writeTimeoutMs', async () => {
    const s = await sink(() => undefined, { pauseOnConnect: true });
    const { result, attempts } = await countingConnects(() => sendJob(s.url, Buffer.alloc(50 << 20, 0x41), { writeTimeoutMs: 200 }));
    const e = (result as PromiseRejectedResult).reason as TpvError;
    expect(e).toBeInstanceOf(TpvError);
    expect(e.code).toBe('device.timeout');
    expect(e.params).toEqual({ url: formatDeviceUrl(s.url), ms: 200 });
    expect(attempts).toBe(1);
  });

  it('reads the status byte a printer answers to DLE EOT', async () => {
    const s = await sink(statusPrinter({ 1: 0x16, 4: 0x12 }));
    expect(await queryStatus(s.url, [DLE_EOT_1])).toEqual([0x16]);
    expect(await queryStatus(s.url, [DLE_EOT_1, DLE_EOT_4])).toEqual([0x16, 0x12]);
  });

  it('takes a silent printer as null (offline), per request', async () => {
    const s = await sink(statusPrinter({ 1: 0x16 }));
    expect(await queryStatus(s.url, [DLE_EOT_4, DLE_EOT_1], { replyTimeoutMs: 150 })).toEqual([null, 0x16]);
  });

  it('skips bytes that cannot be a DLE EOT reply ((b & 0x93) !== 0x12): XON/XOFF, noise, an ASB header', async () => {
    // 0x08 alone would read as "offline", 0x6c as "paper end": neither has the fixed bits of a status
    const s = await sink(statusPrinter({ 1: 0x16, 4: 0x08 }));
    const noisy = await sink((socket) =>
      socket.on('data', () => socket.write(Buffer.of(0x11, 0x13, 0xff, 0x08, 0x6c, 0x16))),
    );
    expect(await queryStatus(noisy.url, [DLE_EOT_1])).toEqual([0x16]);
    expect(await queryStatus(s.url, [DLE_EOT_4, DLE_EOT_1], { replyTimeoutMs: 150 })).toEqual([null, 0x16]);
  });

  it('property: whatever noise comes first, the first status byte is the reply', async () => {
    let script = Buffer.alloc(0);
    const s = await sink((socket) => socket.on('data', () => socket.write(script)));
    const noise = fc.array(fc.integer({ min: 0, max: 255 }).filter((b) => !isStatusByte(b)), { maxLength: 8 });
    // any byte with the fixed bits forced: bits 1 and 4 set, 0 and 7 clear
    const status = fc.integer({ min: 0, max: 255 }).map((b) => (b & ~0x93) | 0x12);
    await fc.assert(
      fc.asyncProperty(noise, status, noise, async (before, reply, after) => {
        script = Buffer.of(...before, reply, ...after);
        expect(await queryStatus(s.url, [DLE_EOT_1])).toEqual([reply]);
      }),
      { numRuns: 40 },
    );
  });

  it("every reply of the printer simulator has the fixed bits of a status byte", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...SIMULATED_STATES.filter((x) => x !== 'silent')), fc.boolean(), (n, state, drawerHigh) => {
        expect(isStatusByte(statusReply(n, state, drawerHigh)!)).toBe(true);
      }),
    );
  });

  it('collects a reply that arrives in pieces, and shows every chunk to onData', async () => {
    const s = await sink((socket) => {
      socket.setNoDelay(true);
      socket.once('data', () => {
        socket.write(Buffer.of(1));
        setTimeout(() => socket.write(Buffer.of(2, 3, 4)), 20);
      });
    });
    const link = await openTransport(s.url);
    const seen: number[] = [];
    const off = link.onData((c) => seen.push(...c));
    try {
      expect(link.twoWay).toBe(true);
      expect([...(await link.request(Uint8Array.of(0x1d, 0x49, 0x01), 3, 2000))]).toEqual([1, 2, 3]);
      await waitFor(() => seen.length === 4, 'all chunks');
      expect(seen).toEqual([1, 2, 3, 4]);
    } finally {
      off();
      await link.close();
    }
  });
});

/** Listens on a given port (the retry test needs the port the client was refused on). */
async function startOn(port: number): Promise<Sink> {
  const s = await sink();
  // sink() listened on a random port: move it to the one asked for
  await new Promise((r) => s.server.close(r));
  await new Promise<void>((r) => s.server.listen(port, '127.0.0.1', r));
  s.port = port;
  s.url = { kind: 'tcp', host: '127.0.0.1', port };
  return s;
}

/**
 * A printer whose connection queue is full, so a new connection never opens (the kernel drops its
 * SYN): a listener in a child process whose event loop is blocked never accepts, and the queue is
 * filled by connections of our own until one of them no longer opens.
 */
async function fullPrinter(): Promise<{ url: DeviceUrl; close(): void }> {
  const listener = `const s = require('net').createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    });`;
  const child = spawn(process.execPath, ['-e', listener], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((r) => child.stdout.once('data', (d: Buffer) => r(Number(String(d)))));
  const fillers: Socket[] = [];
  for (let opened = true; opened && fillers.length < 16; ) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    opened = await new Promise<boolean>((r) => {
      const timer = setTimeout(() => r(false), 200);
      socket.once('connect', () => {
        clearTimeout(timer);
        r(true);
      });
    });
  }
  return {
    url: { kind: 'tcp', host: '127.0.0.1', port },
    close: () => {
      for (const s of fillers) s.destroy();
      child.kill();
    },
  };
}

// ── Serial over socat pseudo-terminals ─────────────────────────────────────────────────────────

/** A null-modem cable: what is written to `a` is read on `b` and the other way round. */
async function ptyPair(name: string): Promise<{ a: string; b: string; socat: ChildProcess }> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  const socat = spawn('/usr/bin/socat', ['-d', '-d', `pty,rawer,link=${a}`, `pty,rawer,link=${b}`], { stdio: 'ignore' });
  await waitFor(() => existsSync(a) && existsSync(b), 'socat pty links');
  return { a, b, socat };
}

const serial = (path: string, query = 'baud=9600'): DeviceUrl => parseDeviceUrl(`serial:${path}?${query}`);

/** Everything a transport receives, as one growing buffer. */
function received(t: Transport): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  t.onData((c) => chunks.push(c));
  return { bytes: () => Buffer.concat(chunks) };
}

/** Answers each complete `question` seen on `t` with `answer`. */
function answer(t: Transport, question: Uint8Array, reply: Uint8Array): void {
  let seen = Buffer.alloc(0);
  t.onData((c) => {
    seen = Buffer.concat([seen, c]);
    const at = seen.indexOf(question);
    if (at < 0) return;
    seen = seen.subarray(at + question.length);
    void t.write(reply);
  });
}

describe('serial (socat pty pair)', () => {
  let pair: Awaited<ReturnType<typeof ptyPair>>;
  beforeAll(async () => {
    pair = await ptyPair('cable');
  });
  afterAll(() => void pair.socat.kill());

  /** Opens both ends, runs `fn`, closes both. */
  async function withEnds(fn: (a: Transport, b: Transport) => Promise<void>): Promise<void> {
    const a = await openTransport(serial(pair.a));
    const b = await openTransport(serial(pair.b)).catch(async (e: unknown) => {
      await a.close();
      throw e;
    });
    try {
      await fn(a, b);
    } finally {
      await a.close();
      await b.close();
    }
  }

  it('carries bytes from one end to the other', async () => {
    await withEnds(async (a, b) => {
      expect(a.twoWay).toBe(true);
      const job = randomBytes(4096);
      const got = received(b);
      await a.write(job);
      await waitFor(() => got.bytes().length >= job.length, 'the bytes on the other end');
      expect(got.bytes().equals(job)).toBe(true);
    });
  });

  it('answers requests both ways', async () => {
    await withEnds(async (a, b) => {
      answer(b, DLE_EOT_1, Uint8Array.of(0x16));
      answer(a, Buffer.from('ping'), Buffer.from('pong'));
      expect([...(await a.request(DLE_EOT_1, 1, 2000))]).toEqual([0x16]);
      expect(Buffer.from(await b.request(Buffer.from('ping'), 4, 2000)).toString()).toBe('pong');
    });
  });

  it('queries status over the port, null when the other end is silent', async () => {
    const printer = await openTransport(serial(pair.b));
    try {
      answer(printer, DLE_EOT_1, Uint8Array.of(0x12));
      expect(await queryStatus(serial(pair.a), [DLE_EOT_1, DLE_EOT_4], { replyTimeoutMs: 300 })).toEqual([0x12, null]);
    } finally {
      await printer.close();
    }
  });

  it('sends a job with sendJob', async () => {
    const printer = await openTransport(serial(pair.b));
    try {
      const got = received(printer);
      await sendJob(serial(pair.a), Buffer.from('receipt\n'));
      await waitFor(() => got.bytes().length >= 8, 'the job');
      expect(got.bytes().toString()).toBe('receipt\n');
    } finally {
      await printer.close();
    }
  });

  it('refuses a port another transport holds (serialport lock) as device.busy', async () => {
    const holder = await openTransport(serial(pair.a));
    try {
      const e = await rejection(openTransport(serial(pair.a)));
      expect(e.kind).toBe('device');
      expect(e.code).toBe('device.busy');
      expect(e.params).toMatchObject({ path: pair.a });
    } finally {
      await holder.close();
    }
    // released on close: the port opens again
    await (await openTransport(serial(pair.a))).close();
  });

  it('reports a missing port as device.not_found', async () => {
    const path = join(dir, 'ttyUSB9');
    const e = await rejection(openTransport(serial(path)));
    expect(e.code).toBe('device.not_found');
    expect(e.params).toMatchObject({ path });
  });

  it('reports a path that is not a serial port as device.not_serial', async () => {
    const path = join(dir, 'plain-file');
    writeFileSync(path, '');
    const e = await rejection(openTransport(serial(path)));
    expect(e.code).toBe('device.not_serial');
  });

  it('fails a waiting request as soon as the port disappears', async () => {
    const own = await ptyPair('unplugged');
    const link = await openTransport(serial(own.a));
    const printer = await openTransport(serial(own.b));
    try {
      const got = received(printer);
      const pending = link.request(DLE_EOT_1, 1, 20_000); // far longer than the presence check
      await waitFor(() => got.bytes().length === DLE_EOT_1.length, 'the request on the other end');
      own.socat.kill();
      const e = await rejection(pending);
      expect(e.code).toBe('device.io');
    } finally {
      await link.close();
      await printer.close();
    }
  });

  it('fails writes as soon as the port disappears, not at their timeout', async () => {
    const own = await ptyPair('unplugged-write');
    // nobody reads the other end: a megabyte cannot drain, the write waits
    const link = await openTransport(serial(own.a), { writeTimeoutMs: 600_000 });
    try {
      const pending = link.write(randomBytes(1 << 20));
      own.socat.kill();
      expect((await rejection(pending)).code).toBe('device.io');
      // a write made once the device is gone (its drain would wait for ever) fails too
      await waitFor(() => !existsSync(own.a), 'the port gone');
      expect((await rejection(link.write(Uint8Array.of(1)))).code).toBe('device.io');
      expect((await rejection(link.write(Uint8Array.of(2)))).code).toBe('device.io');
    } finally {
      await link.close();
    }
  });
});

// ── USB printer device and file ────────────────────────────────────────────────────────────────

describe('lp and file', () => {
  it('appends each job to a file, in order', async () => {
    const url = parseDeviceUrl(`file:${join(dir, 'jobs.bin')}`);
    await sendJob(url, Buffer.from('one\n'));
    await sendJob(url, Buffer.from('two\n'));
    expect(readFileSync(join(dir, 'jobs.bin'), 'utf8')).toBe('one\ntwo\n');
  });

  it('reports a file in a missing folder as device.not_found', async () => {
    const e = await rejection(sendJob(parseDeviceUrl(`file:${join(dir, 'nope', 'out.bin')}`), Buffer.from('x')));
    expect(e.code).toBe('device.not_found');
  });

  it('writes to an lp device one way; requests are refused as device.one_way', async () => {
    const path = join(dir, 'lp0');
    writeFileSync(path, '');
    const link = await openTransport(parseDeviceUrl(`lp:${path}`));
    try {
      expect(link.twoWay).toBe(false);
      await link.write(Buffer.from('ticket'));
      const e = await rejection(link.request(DLE_EOT_1, 1, 100));
      expect(e.code).toBe('device.one_way');
    } finally {
      await link.close();
    }
    expect(readFileSync(path, 'utf8')).toBe('ticket');
  });

  it('never creates a missing lp device (the printer is unplugged)', async () => {
    const path = join(dir, 'lp9');
    const e = await rejection(sendJob(parseDeviceUrl(`lp:${path}`), Buffer.from('x')));
    expect(e.code).toBe('device.not_found');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses status queries on one-way links', async () => {
    for (const url of [parseDeviceUrl('/dev/usb/lp0'), parseDeviceUrl(`file:${join(dir, 'x.bin')}`)]) {
      expect((await rejection(queryStatus(url, [DLE_EOT_1]))).code).toBe('device.one_way');
    }
  });
});

// ── Parsing ────────────────────────────────────────────────────────────────────────────────────

describe('parseDeviceUrl', () => {
  const serialDefaults = { kind: 'serial', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false } as const;
  const valid: [string, DeviceUrl, string][] = [
    ['tcp://192.168.1.50:9100', { kind: 'tcp', host: '192.168.1.50', port: 9100 }, 'tcp://192.168.1.50:9100'],
    ['tcp://printer.local', { kind: 'tcp', host: 'printer.local', port: 9100 }, 'tcp://printer.local:9100'],
    ['  TCP://kitchen:9101/ ', { kind: 'tcp', host: 'kitchen', port: 9101 }, 'tcp://kitchen:9101'],
    ['tcp://[::1]:9100', { kind: 'tcp', host: '::1', port: 9100 }, 'tcp://[::1]:9100'],
    ['tcp://[fe80::1]', { kind: 'tcp', host: 'fe80::1', port: 9100 }, 'tcp://[fe80::1]:9100'],
    ['serial:/dev/ttyUSB0', { ...serialDefaults, path: '/dev/ttyUSB0' }, 'serial:/dev/ttyUSB0?baud=9600'],
    ['serial:/dev/ttyUSB0?baud=9600&parity=none&data=8&stop=1', { ...serialDefaults, path: '/dev/ttyUSB0' }, 'serial:/dev/ttyUSB0?baud=9600'],
    [
      'serial:/dev/ttyS0?baud=115200&parity=even&data=7&stop=2&flow=rtscts',
      { kind: 'serial', path: '/dev/ttyS0', baudRate: 115200, dataBits: 7, parity: 'even', stopBits: 2, rtscts: true },
      'serial:/dev/ttyS0?baud=115200&data=7&parity=even&stop=2&flow=rtscts',
    ],
    ['serial:///dev/ttyACM0?baud=19200&parity=ODD', { ...serialDefaults, path: '/dev/ttyACM0', baudRate: 19200, parity: 'odd' }, 'serial:/dev/ttyACM0?baud=19200&parity=odd'],
    ['/dev/usb/lp0', { kind: 'lp', path: '/dev/usb/lp0' }, '/dev/usb/lp0'],
    ['/dev/lp0', { kind: 'lp', path: '/dev/lp0' }, '/dev/lp0'],
    ['lp:/dev/usb/lp1', { kind: 'lp', path: '/dev/usb/lp1' }, '/dev/usb/lp1'],
    ['lp:///tmp/fake-lp', { kind: 'lp', path: '/tmp/fake-lp' }, 'lp:/tmp/fake-lp'],
    ['file:out.bin', { kind: 'file', path: resolve('out.bin') }, `file:${resolve('out.bin')}`],
    ['file:/tmp/x.bin', { kind: 'file', path: '/tmp/x.bin' }, 'file:/tmp/x.bin'],
    ['file:///tmp/x.bin', { kind: 'file', path: '/tmp/x.bin' }, 'file:/tmp/x.bin'],
  ];

  it.each(valid)('%s', (text, parsed, canonical) => {
    expect(parseDeviceUrl(text)).toEqual(parsed);
    expect(formatDeviceUrl(parsed)).toBe(canonical);
    expect(parseDeviceUrl(canonical)).toEqual(parsed);
  });

  const invalid: [string, string][] = [
    ['', 'empty'],
    ['http://printer', 'unknown scheme "http:"'],
    ['printer', 'no scheme'],
    ['192.168.1.50:9100', 'write tcp://192.168.1.50:9100'],
    ['tcp:printer', 'expected tcp://HOST:PORT'],
    ['tcp://printer:0', 'bad port "0"'],
    ['tcp://printer:70000', 'bad port "70000"'],
    ['tcp://printer:raw', 'bad port "raw"'],
    ['tcp://:9100', 'missing host'],
    ['tcp://::1', 'IPv6 address goes in brackets'],
    ['tcp://[printer]:9100', 'bad host "printer"'],
    ['tcp://[::1:9100', 'bad host "[::1:9100"'],
    ['tcp://bad_host!:9100', 'bad host "bad_host!"'],
    ['tcp://printer:9100/print', 'unexpected path or query'],
    ['serial:/dev/ttyUSB0?speed=9600', 'unknown query key "speed"'],
    ['serial:/dev/ttyUSB0?baud=fast', 'bad baud "fast"'],
    ['serial:/dev/ttyUSB0?baud=0', 'bad baud "0"'],
    ['serial:/dev/ttyUSB0?data=9', 'bad data "9"'],
    ['serial:/dev/ttyUSB0?parity=mark', 'bad parity "mark"'],
    ['serial:/dev/ttyUSB0?stop=3', 'bad stop "3"'],
    ['serial:/dev/ttyUSB0?flow=xonxoff', 'bad flow "xonxoff"'],
    ['serial:/dev/ttyUSB0?baud=9600&baud=19200', '"baud" given twice'],
    ['serial:ttyUSB0', 'must be absolute'],
    ['serial:', 'missing path'],
    ['/dev/ttyUSB0', 'write serial:/dev/ttyUSB0'],
    ['/tmp/out.bin', 'write file:/tmp/out.bin'],
    ['lp:usb/lp0', 'must be absolute'],
    ['file://out.bin', 'after "//" comes a host'],
  ];

  it.each(invalid)('rejects %j naming the bad part', (text, reason) => {
    let error: unknown;
    try {
      parseDeviceUrl(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TpvError);
    const e = error as TpvError;
    expect([e.kind, e.code]).toEqual(['invalid', 'device.url']);
    expect(e.params.url).toBe(text.trim());
    expect(String(e.params.reason)).toContain(reason);
  });

  it('describes links in a short, locale-free way', () => {
    expect(describeUrl(parseDeviceUrl('tcp://[::1]'))).toBe('[::1]:9100');
    expect(describeUrl(parseDeviceUrl('serial:/dev/ttyS0?baud=115200&parity=even&data=7&stop=2&flow=rtscts'))).toBe('/dev/ttyS0 115200 7E2 RTS/CTS');
    expect(describeUrl(parseDeviceUrl('serial:/dev/ttyUSB0'))).toBe('/dev/ttyUSB0 9600 8N1');
    expect(describeUrl(parseDeviceUrl('/dev/usb/lp0'))).toBe('/dev/usb/lp0');
    expect(describeUrl(parseDeviceUrl('file:/tmp/x.bin'))).toBe('file /tmp/x.bin');
  });
});
