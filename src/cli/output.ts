/**
 * Output that cannot crash tpv: stdout whose reader went away (EPIPE) or whose disk is full
 * (ENOSPC), and files written whole or not at all.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { TpvError } from '../core/errors.js';
import { systemError } from '../core/system-errors.js';

type Target = Writable & { isTTY?: boolean; columns?: number };

/**
 * stdout as the commands see it. A write error of the real stream is kept (`failure`), never
 * thrown as an unhandled 'error' event; after it, writes are dropped, quietly. `settled()` waits
 * until everything written reached the real stream, so an error is known before tpv exits.
 */
export class GuardedOutput extends Writable {
  failure: Error | undefined;
  private readonly onError = (e: Error): void => {
    this.failure ??= e;
  };

  constructor(private readonly target: Target) {
    super({ decodeStrings: false });
    target.on('error', this.onError);
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: () => void): void {
    if (this.failure || chunk.length === 0) return done();
    try {
      this.target.write(chunk, encoding, (e) => {
        if (e) this.onError(e);
        done();
      });
    } catch (e) {
      this.onError(e as Error);
      done();
    }
  }

  /** Resolves once every write so far reached the real stream (or failed). */
  settled(): Promise<void> {
    return new Promise((resolve) => this.write(Buffer.alloc(0), () => resolve()));
  }

  /** Writes chunks as the real stream takes them; stops producing them once it failed (the reader went away). */
  async writeChunks(chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
    for await (const chunk of chunks) {
      if (this.failure) return;
      if (!this.write(chunk)) await this.settled();
    }
  }
}

/**
 * A failure of the system writing `path` as a TpvError naming it — not the temporary file beside
 * it — and the flag that gave it; a bug stays what it was.
 */
function failureAt(e: unknown, path: string, flag: string | undefined): unknown {
  const err = e instanceof TpvError ? e : systemError({ code: (e as { code?: unknown })?.code, message: (e as Error)?.message }, path);
  if (!err || flag === undefined || err.params.field !== undefined) return err ?? e;
  return new TpvError(err.kind, err.code, { ...err.params, field: flag }, err.details);
}

type Chunks = string | Iterable<string> | AsyncIterable<string>;

/**
 * Writes a file whole or not at all: the text goes to a temporary file beside it, which is synced
 * and renamed over the target; any failure (a full disk, a broken source of chunks) removes the
 * temporary file and leaves the target as it was. A target that is no regular file (/dev/stdout,
 * a FIFO) is written straight; a folder is refused (exit 3). `flag` names where the path came from.
 */
export async function writeOutputFile(path: string, text: Chunks, flag?: string): Promise<void> {
  const chunks = typeof text === 'string' ? [text] : text;
  let target = path;
  let mode = 0o666; // less the umask; a file replaced keeps its own
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) throw new TpvError('invalid', 'io.directory', { path });
    if (st && !st.isFile()) return await writeStraight(path, chunks);
    if (st && lstatSync(path).isSymbolicLink()) target = realpathSync(path);
    if (st) mode = st.mode & 0o777;
  } catch (e) {
    throw failureAt(e, path, flag);
  }
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(temp, 'wx', mode);
    for await (const chunk of chunks) await writeAll(fh, chunk);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(temp, target);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    if ((e as { code?: string }).code === 'ENOENT' && !existsSync(folder)) throw failureAt(new TpvError('not_found', 'io.no_folder', { path: folder }), path, flag);
    throw failureAt(e, path, flag);
  }
}

async function writeAll(fh: FileHandle, text: string): Promise<void> {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) off += (await fh.write(buf, off)).bytesWritten;
}

async function writeStraight(path: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for await (const chunk of chunks) await writeAll(fh, chunk);
  } finally {
    await fh.close();
  }
}
