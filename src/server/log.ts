/**
 * The store server's log file: each line the server logs, appended to a file rotated the way
 * logrotate does it (`server.log`, then `server.log.1` … `server.log.N`, the oldest dropped) when
 * it reaches `size` bytes and at local midnight. The folder is made 0700 when missing, the files
 * 0600. A file that cannot be opened fails at once; one that fails later (a full disk) never stops
 * the server: `onError` hears of it once, the lines go on elsewhere (stderr), and the file is tried
 * again `retryMs` later.
 */
import { mkdirSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';

export const LOG_SIZE_DEFAULT = 10 * 1024 * 1024;
export const LOG_KEEP_DEFAULT = 10;

export interface ServerLogOptions {
  /** Rotate once the file holds this many bytes (a line is never split); default 10 MiB. */
  size?: number;
  /** How many rotated files to keep beside the current one; default 10. */
  keep?: number;
  /** Told once when the file stops taking lines (until it takes them again); default: stderr. */
  onError?: (e: Error) => void;
  /** After a failure, how long until a line tries the file again; default 60 s. */
  retryMs?: number;
}

export interface ServerLog {
  /** The file's name, absolute. */
  readonly file: string;
  /** Appends one line (without its newline); never throws. */
  write(line: string): void;
  /** Writes what is pending and closes the file. */
  close(): Promise<void>;
}

export async function openServerLog(file: string, opts: ServerLogOptions = {}): Promise<ServerLog> {
  const path = resolve(file);
  const size = opts.size ?? LOG_SIZE_DEFAULT;
  const keep = opts.keep ?? LOG_KEEP_DEFAULT;
  const retryMs = opts.retryMs ?? 60_000;
  const onError = opts.onError ?? ((e: Error) => void process.stderr.write(`tpv server: the log file ${path} failed (${e.message}); logging on stderr only\n`));
  const dir = dirname(path);
  const name = basename(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats?.isDirectory()) throw new TpvError('invalid', 'io.directory', { path });
    if (stats && !stats.isFile()) throw new TpvError('invalid', 'io.not_file', { path });
  } catch (e) {
    throw systemError(e, path) ?? e;
  }

  const open = (): RotatingFileStream =>
    createStream((index) => (typeof index === 'number' && index > 0 ? `${name}.${index}` : name), {
      path: dir,
      size: `${size}B`,
      interval: '1d',
      rotate: keep,
      mode: 0o600,
    });

  let down = false; // onError was told; not again until the file takes lines again
  let failedAt = 0;
  let closed = false;
  let started = false;
  let stream: RotatingFileStream | null = null;
  const watch = (s: RotatingFileStream): RotatingFileStream => {
    // kept for the stream's whole life: an 'error' without a listener would crash the server
    s.on('error', (e: Error) => {
      if (s !== stream) return;
      stream = null;
      failedAt = Date.now();
      if (started && !down) {
        down = true;
        onError(e);
      }
    });
    s.on('open', () => {
      if (s === stream) down = false;
    });
    return s;
  };

  // the first opening fails the caller: a bad path stops the server before it starts
  const first = (stream = watch(open()));
  await new Promise<void>((resolvePromise, reject) => {
    first.once('open', () => resolvePromise());
    first.once('error', (e: Error) => reject(systemError(e, path) ?? e));
  });
  started = true;

  return {
    file: path,
    write(line: string): void {
      if (closed) return;
      if (!stream) {
        if (Date.now() - failedAt < retryMs) return;
        stream = watch(open()); // lines written meanwhile wait for it to open
      }
      stream.write(line + '\n');
    },
    async close(): Promise<void> {
      closed = true;
      const s = stream;
      stream = null;
      if (!s || s.destroyed) return;
      await new Promise<void>((resolvePromise) => {
        s.once('close', () => resolvePromise());
        s.end();
      });
    },
  };
}
