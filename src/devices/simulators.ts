/**
 * Simulators for training, demos and tests: a network receipt printer that shows each job as
 * readable text (and answers status requests like a real one), a serial scanner that types scans
 * into a pseudo-terminal, and a 2×20 customer display. The pseudo-terminals come from `socat`
 * (Node has no pty of its own), the same tool the tests use for virtual serial ports.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { TpvError } from '../core/errors.js';
import { type DisplayMode, DisplayScreen } from './display.js';
import { type DecodedJob, decodeEscpos } from './escpos-decode.js';

export type SimulatedState = 'online' | 'paper_end' | 'paper_near_end' | 'cover_open' | 'offline' | 'silent';
export const SIMULATED_STATES: readonly SimulatedState[] = ['online', 'paper_end', 'paper_near_end', 'cover_open', 'offline', 'silent'];

/**
 * The one-byte DLE EOT replies of an Epson printer in that state (bits 1 and 4 are always set).
 * n=1 printer: bit 2 drawer connector pin 3 high, bit 3 offline. n=2 offline cause: bit 2 cover
 * open, bit 5 stopped by paper end, bit 6 error. n=4 roll paper: bits 2-3 near end, 5-6 end.
 */
export function statusReply(n: number, state: SimulatedState, drawerHigh: boolean): number | null {
  if (state === 'silent') return null;
  const stopped = state === 'paper_end' || state === 'cover_open' || state === 'offline';
  switch (n) {
    case 1:
      return 0x12 | (drawerHigh ? 0x04 : 0) | (stopped ? 0x08 : 0);
    case 2:
      return 0x12 | (state === 'cover_open' ? 0x04 : 0) | (state === 'paper_end' ? 0x20 : 0) | (state === 'offline' ? 0x40 : 0);
    case 4:
      return 0x12 | (state === 'paper_near_end' || state === 'paper_end' ? 0x0c : 0) | (state === 'paper_end' ? 0x60 : 0);
    default:
      return 0x12;
  }
}

export interface PrinterJob {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  bytes: Uint8Array;
  decoded: DecodedJob;
  /** Where the raw bytes were saved, if asked. */
  file: string | null;
}

export interface PrinterSimulatorOptions {
  host: string;
  port: number;
  /** A folder for the raw jobs (job-0001.bin…). */
  save?: string;
  state?: SimulatedState;
  drawerHigh?: boolean;
  onJob: (job: PrinterJob) => void;
}

export interface PrinterSimulator {
  host: string;
  port: number;
  /** Changes what the printer answers to status requests (paper out, cover open…). */
  setState(state: SimulatedState): void;
  close(): Promise<void>;
}

/**
 * A printer on TCP (port 9100 style): each connection is one job, shown when the sender closes
 * it. Status requests (`DLE EOT n`) are answered as they arrive, as real printers do.
 */
export function simulatePrinter(opts: PrinterSimulatorOptions): Promise<PrinterSimulator> {
  let state: SimulatedState = opts.state ?? 'online';
  let seq = 0;
  if (opts.save) mkdirSync(opts.save, { recursive: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    let tail = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // DLE EOT n may straddle two chunks: the tail keeps the last two bytes of the previous one
      // (never a whole request, so nothing is answered twice)
      const scan = Buffer.concat([tail, chunk]);
      for (let i = 0; i + 2 < scan.length; i++) {
        if (scan[i] !== 0x10 || scan[i + 1] !== 0x04) continue;
        const reply = statusReply(scan[i + 2]!, state, opts.drawerHigh ?? false);
        if (reply !== null) socket.write(Buffer.from([reply]));
      }
      tail = scan.subarray(Math.max(0, scan.length - 2));
    });
    const finish = (): void => {
      sockets.delete(socket);
      const bytes = new Uint8Array(Buffer.concat(chunks));
      const decoded = decodeEscpos(bytes);
      // a connection that only asked for the status (tpv polls it) is not a job
      if (decoded.rows.length === 0 && decoded.events.every((e) => e.type === 'statusRequest')) return;
      const n = ++seq;
      let file: string | null = null;
      if (opts.save) {
        file = join(opts.save, `job-${String(n).padStart(4, '0')}.bin`);
        writeFileSync(file, bytes);
      }
      opts.onJob({ seq: n, bytes, decoded, file });
    };
    socket.on('end', () => socket.end());
    socket.on('close', finish);
    socket.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new TpvError('device', e.code === 'EADDRINUSE' ? 'simulate.port_in_use' : 'device.unreachable', { url: `${opts.host}:${opts.port}`, detail: e.message })),
    );
    server.listen(opts.port, opts.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      resolve({
        host: opts.host,
        port,
        setState: (s) => void (state = s),
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** `host:port` of `--listen` (port 0 picks a free one). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new TpvError('invalid', 'simulate.listen', { value: text });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** socat must be installed for the pseudo-terminals. */
function socat(): string {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (r.error) throw new TpvError('device', 'simulate.socat_missing');
  return 'socat';
}

export interface Pty {
  /** The path a program opens as its serial port. */
  link: string;
  /** Bytes written here come out of the port; bytes written to the port arrive on `output`. */
  input: NodeJS.WritableStream;
  output: NodeJS.ReadableStream;
  close(): void;
  child: ChildProcess;
}

/**
 * A pseudo-terminal at `link` wired to our stdin/stdout through socat: what we write, the program
 * that opened `link` reads as if a device had sent it, and the other way round. A `link` socat
 * would read as options is refused.
 */
export function openPty(link: string): Promise<Pty> {
  // socat reads "," as the start of an option and "!!" as a second address: a path only
  if (link === '' || /[,!:\s\p{Cc}]/u.test(link)) return Promise.reject(new TpvError('invalid', 'simulate.link', { value: link }));
  const child = spawn(socat(), ['-d', '-d', `pty,rawer,link=${link}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const deadline = Date.now() + 5000;
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new TpvError('device', 'simulate.pty_failed', { link, detail: err.trim() || `exit ${code}` })));
    const poll = (): void => {
      if (existsSync(link)) {
        resolve({ link, input: child.stdin!, output: child.stdout!, child, close: () => void child.kill() });
        return;
      }
      if (Date.now() > deadline) {
        child.kill();
        reject(new TpvError('device', 'simulate.pty_failed', { link, detail: err.trim() || 'timeout' }));
        return;
      }
      setTimeout(poll, 20);
    };
    poll();
  });
}

/** What a 2×20 display shows, drawn in a box (the display simulator's screen). */
export function displayBox(lines: [string, string]): string {
  const bar = '─'.repeat(20);
  return `┌${bar}┐\n│${lines[0]}│\n│${lines[1]}│\n└${bar}┘`;
}

/** Feeds a display's byte stream into a screen and reports each change of what it shows. */
export function watchDisplay(output: NodeJS.ReadableStream, mode: DisplayMode, onChange: (lines: [string, string]) => void): void {
  const screen = new DisplayScreen(mode);
  let last = '';
  output.on('data', (chunk: Buffer) => {
    screen.feed(new Uint8Array(chunk));
    const now = screen.lines.join('\n');
    if (now !== last) {
      last = now;
      onChange(screen.lines);
    }
  });
}
