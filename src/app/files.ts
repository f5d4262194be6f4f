/**
 * Input tpv reads from a user's file or stdin, bounded: a request or a file read whole (a sale, a
 * refund, a customers CSV, a PIN) stops at INPUT_LIMIT, a streamed import at lines of LINE_LIMIT.
 * Reading stops as soon as a limit is passed: a wrong file (a disk image, /dev/zero) costs no
 * more memory than the limit. Errors of the system are named with the path (core/system-errors).
 * A private file tpv keeps (a key, a certificate) is written whole or not at all: {@link writeFileWhole}.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';

export const INPUT_LIMIT = 16 * 1024 * 1024;
export const LINE_LIMIT = 1024 * 1024;

/** "16 MiB", for messages. */
export const sizeText = (bytes: number): string => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

const tooLarge = (what: string, limit: number): TpvError => new TpvError('invalid', 'input.too_large', { what, limit: sizeText(limit) });

/** The error of the system for `path`, as the user should hear it (the original when it is a bug). */
export function fileError(e: unknown, path: string): unknown {
  return systemError(e, path) ?? e;
}

/** Writes a file whole (a temp file, fsynced, renamed over the old one), with `mode` (default 0600: private). */
export function writeFileWhole(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fileError(e, path);
  }
}

/** A file's text (UTF-8), at most `limit` bytes. A folder, a missing file, no permission: a TpvError naming the path. */
export function readTextFile(path: string, limit = INPUT_LIMIT): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(e, path);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > limit) throw tooLarge(path, limit);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    throw e instanceof TpvError ? e : fileError(e, path);
  } finally {
    closeSync(fd);
  }
}

/** All of a stream (stdin) as text, at most `limit` bytes; reading stops when it is passed. */
export async function readStreamText(input: Readable, what: string, limit = INPUT_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of input as AsyncIterable<Buffer | string>) {
    const chunk = Buffer.from(c);
    total += chunk.length;
    if (total > limit) {
      input.destroy();
      throw tooLarge(what, limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/**
 * The input of a streamed import, with every line at most `max` bytes: a file with no line
 * breaks (a binary, the wrong file) fails naming the line instead of filling the memory.
 */
export function limitLines(input: Readable, what: string, max = LINE_LIMIT): Readable {
  async function* lines(): AsyncGenerator<Buffer> {
    let run = 0; // bytes since the last line break
    let line = 1;
    try {
      for await (const c of input as AsyncIterable<Buffer | string>) {
        const chunk = Buffer.from(c);
        let from = 0;
        for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
          if (run + nl - from > max) throw new TpvError('invalid', 'input.line_too_long', { what, limit: sizeText(max), line });
          run = 0;
          line++;
          from = nl + 1;
        }
        run += chunk.length - from;
        if (run > max) throw new TpvError('invalid', 'input.line_too_long', { what, limit: sizeText(max), line });
        yield chunk;
      }
    } catch (e) {
      throw e instanceof TpvError ? e : fileError(e, what);
    } finally {
      input.destroy();
    }
  }
  return Readable.from(lines(), { objectMode: false });
}
