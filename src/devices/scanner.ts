/**
 * Barcode scanners on a serial port (or a USB scanner in serial/CDC mode). A scanner sends each
 * code as a burst of bytes, usually ended by CR, LF or CRLF; some are set to send no suffix at
 * all, and then only the silence after the burst says the code is complete. The framing is pure
 * (`ScanFramer`, fed with the clock as an argument) so every split of a burst can be tested
 * without a port; `openSerialScanner` only wires a port and a timer to it.
 */
import { existsSync } from 'node:fs';
import { TpvError } from '../core/errors.js';
import { PRESENCE_CHECK_MS, type SerialUrl, serialOpenError } from './transport.js';

export type ScannerSuffix = 'cr' | 'lf' | 'crlf' | 'none';
export const SCANNER_SUFFIXES: readonly ScannerSuffix[] = ['cr', 'lf', 'crlf', 'none'];

export interface ScannerOptions {
  /** What the scanner appends to each code; 'none' means a silence of `interByteMs` ends it. */
  suffix: ScannerSuffix;
  /** The silence that ends a scan in 'none' mode (default 50 ms). */
  interByteMs?: number;
  /** Removed from the start of each scan when present; `aim` removes any AIM id (`]E0`, `]C1`…). */
  stripPrefix?: string;
  /** Removed from the end of each scan when present. */
  stripSuffix?: string;
}

export const DEFAULT_INTER_BYTE_MS = 50;
/** Bytes kept without a terminator before they are dropped as noise (a wrong baud rate). */
const MAX_PENDING_BYTES = 4096;
const CR = 0x0d;
const LF = 0x0a;
/** AIM symbology identifier: `]`, a symbology letter and a modifier character (ISO/IEC 15424). */
const AIM_ID = /^\][A-Za-z][0-9A-Za-z]/;
/** Control characters and spaces at either end are never part of a code; inner ones (GS1's GS) are. */
const EDGE_JUNK = /^[\s\p{Cc}]+|[\s\p{Cc}]+$/gu;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Scanners in serial mode send ASCII, but some are set to a national keyboard table and send
 * Latin-1 bytes: UTF-8 when the bytes are valid UTF-8, Latin-1 otherwise (never a U+FFFD).
 */
function decodeScan(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/**
 * Cuts a scanner's byte stream into scans. CR and LF end a scan whatever the configured suffix:
 * scanners are often set to another suffix than the till expects, a code never contains them,
 * and the LF of a CRLF (even in the next chunk) only ends an empty scan, which is dropped.
 * In 'none' mode a gap of `interByteMs` between chunks also ends a scan; the owner calls
 * `flush()` from a timer for the last one.
 */
export class ScanFramer {
  private readonly silenceEnds: boolean;
  private readonly interByteMs: number;
  private readonly stripPrefix: string;
  private readonly stripSuffix: string;
  private bytes: number[] = [];
  private lastAt = 0;

  constructor(opts: ScannerOptions) {
    this.silenceEnds = opts.suffix === 'none';
    this.interByteMs = opts.interByteMs ?? DEFAULT_INTER_BYTE_MS;
    this.stripPrefix = opts.stripPrefix ?? '';
    this.stripSuffix = opts.stripSuffix ?? '';
  }

  /** True while bytes of an unfinished scan are held (the owner's timer decides to flush). */
  get pending(): boolean {
    return this.bytes.length > 0;
  }

  /** Takes the bytes that arrived at `nowMs` (a monotonic clock) and returns the scans they end. */
  feed(chunk: Uint8Array | string, nowMs: number): string[] {
    const data = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    const scans: string[] = [];
    if (this.silenceEnds && this.pending && nowMs - this.lastAt >= this.interByteMs) this.take(scans);
    for (const byte of data) {
      if (byte === CR || byte === LF) this.take(scans);
      else this.bytes.push(byte);
    }
    if (this.bytes.length > MAX_PENDING_BYTES) this.bytes = [];
    this.lastAt = nowMs;
    return scans;
  }

  /** Ends the scan in progress (the silence timer fired, or the port is closing). */
  flush(): string[] {
    const scans: string[] = [];
    this.take(scans);
    return scans;
  }

  /** Turns the held bytes into a scan (unless nothing is left once cleaned) and starts afresh. */
  private take(into: string[]): void {
    if (this.bytes.length === 0) return;
    const code = this.clean(decodeScan(Uint8Array.from(this.bytes)));
    this.bytes = [];
    if (code !== '') into.push(code);
  }

  /** Trims the edges, then removes the configured prefix and suffix (each only when present). */
  private clean(raw: string): string {
    let code = raw.replace(EDGE_JUNK, '');
    if (this.stripPrefix === 'aim') code = code.replace(AIM_ID, '');
    else if (this.stripPrefix && code.startsWith(this.stripPrefix)) code = code.slice(this.stripPrefix.length);
    if (this.stripSuffix && code.endsWith(this.stripSuffix)) code = code.slice(0, -this.stripSuffix.length);
    return code.replace(EDGE_JUNK, '');
  }
}

const EXPECTED: Record<string, string> = { '--suffix': SCANNER_SUFFIXES.join(', '), '--timeout': '1…2000 ms', '--strip-prefix': 'up to 16 printable characters', '--strip-suffix': 'up to 16 printable characters' };
/** Names the flag of `tpv devices add scanner` that holds the bad value. */
const badOption = (flag: string, value: string): TpvError => new TpvError('invalid', 'device.option', { flag, value, expected: EXPECTED[flag] ?? '' });

/** A prefix or suffix to strip: short, and printable (a control character could never match). */
function affix(flag: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (value.length > 16 || /\p{Cc}/u.test(value)) throw badOption(flag, value);
  return value;
}

/** Validates scanner settings as typed (flags, stored options); absent ones take the defaults. */
export function parseScannerOptions(input: Record<string, string | undefined>): Required<ScannerOptions> {
  const suffix = (input.suffix ?? 'crlf').trim().toLowerCase();
  if (!(SCANNER_SUFFIXES as readonly string[]).includes(suffix)) throw badOption('--suffix', input.suffix ?? '');
  const ms = input.interByteMs === undefined ? DEFAULT_INTER_BYTE_MS : Number(input.interByteMs.trim());
  if (!Number.isInteger(ms) || ms < 1 || ms > 2000) throw badOption('--timeout', input.interByteMs ?? '');
  return {
    suffix: suffix as ScannerSuffix,
    interByteMs: ms,
    stripPrefix: affix('--strip-prefix', input.stripPrefix),
    stripSuffix: affix('--strip-suffix', input.stripSuffix),
  };
}

/** What a scanner needs of a serial port: serialport's `SerialPort` and `SerialPortMock` fit. */
export interface ScannerPort {
  readonly path: string;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close', listener: (err?: Error & { disconnected?: boolean }) => void): unknown;
}

export interface ScannerHandle {
  /** Stops reading; a scan still waiting for its silence is delivered first. */
  close(): Promise<void>;
}

type OnScan = (code: string, at: number) => void;

/**
 * Opens a not yet opened port and reads scans from it. `onScan` gets each code and the wall
 * clock time it was complete; `onError` gets port errors (`device.io`) and, once, an unplugged device
 * (`device.disconnected`). Open errors reject the promise instead. `present`, when given, is
 * asked every second whether the device is still there: serialport reports most unplugs
 * itself, but a hung-up tty answers reads with 0 bytes, which @serialport/bindings-cpp retries
 * forever without an event (bindings-cpp issue #162), so the port is closed from here.
 */
export function scanPort(
  port: ScannerPort,
  opts: ScannerOptions,
  onScan: OnScan,
  onError: (e: Error) => void,
  present?: () => boolean,
): Promise<ScannerHandle> {
  const framer = new ScanFramer(opts);
  const silence = opts.interByteMs ?? DEFAULT_INTER_BYTE_MS;
  let timer: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  let closing = false;
  const gone = (): void => {
    if (closing) return;
    closing = true;
    clearInterval(watch);
    onError(new TpvError('device', 'device.disconnected', { path: port.path }));
  };
  const emit = (scans: string[]): void => {
    const at = Date.now();
    for (const code of scans) onScan(code, at);
  };
  const flush = (): void => {
    timer = undefined;
    emit(framer.flush());
  };
  port.on('data', (chunk) => {
    emit(framer.feed(chunk, performance.now()));
    clearTimeout(timer);
    if (opts.suffix === 'none' && framer.pending) timer = setTimeout(flush, silence);
  });
  port.on('error', (e) => onError(new TpvError('device', 'device.io', { url: `serial:${port.path}`, detail: e.message })));
  port.on('close', (e) => {
    if (e?.disconnected) gone();
  });
  return new Promise((resolve, reject) => {
    port.open((err) => {
      if (err) return reject(serialOpenError(err, port.path, `serial:${port.path}`));
      if (present) {
        watch = setInterval(() => {
          if (present()) return;
          gone();
          port.close(() => undefined); // a callback, so "already closed" is not an 'error' event
        }, PRESENCE_CHECK_MS).unref();
      }
      resolve({
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            clearInterval(watch);
            clearTimeout(timer);
            flush();
            port.close(() => done());
          }),
      });
    });
  });
}

/** A scanner's serial link: the path and speed, and the line settings its url gives (8N1 when absent). */
export type ScannerLink = { path: string; baudRate: number } & Partial<Pick<SerialUrl, 'dataBits' | 'parity' | 'stopBits' | 'rtscts'>>;

/**
 * A scanner on a serial device, opened with every line setting of its link (speed, data bits,
 * parity, stop bits, RTS/CTS flow) and locked like the printer's port. serialport is imported
 * here, on first use, so commands that never touch a serial device do not load its native addon.
 */
export async function openSerialScanner(opts: ScannerLink & ScannerOptions, onScan: OnScan, onError: (e: Error) => void): Promise<ScannerHandle> {
  const { SerialPort } = await import('serialport');
  const { path, baudRate, dataBits = 8, parity = 'none', stopBits = 1, rtscts = false } = opts;
  const port = new SerialPort({ path, baudRate, dataBits, parity, stopBits, rtscts, lock: true, autoOpen: false });
  return scanPort(port, opts, onScan, onError, () => existsSync(path));
}
