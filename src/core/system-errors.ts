/**
 * The operating system or SQLite refusing an operation, as the user should hear it: never an
 * internal error (exit 1), always naming the path. The system refusing — a full disk, a read-only
 * file or disk, no permission, a busy database, a reader that went away — is exit 5; a path of the
 * wrong kind — a folder where a file is wanted, a file that is not a database — is exit 3.
 */
import { TpvError } from './errors.js';

interface SystemFailure {
  code?: unknown;
  path?: unknown;
  message?: unknown;
}

/**
 * The TpvError an error of the system means (`code` as Node's fs, streams and better-sqlite3 set
 * it), or undefined when it is none of those (a bug). `path` names what was being read or
 * written when the error carries no path of its own (SQLite's errors: the database).
 */
export function systemError(e: unknown, path: string): TpvError | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const f = e as SystemFailure;
  if (typeof f.code !== 'string') return undefined;
  const code = f.code;
  const where = typeof f.path === 'string' ? f.path : path;
  const reason = typeof f.message === 'string' ? f.message : code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' || code === 'SQLITE_FULL') return new TpvError('conflict', 'io.full', { path: where });
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return new TpvError('conflict', 'io.read_only', { path: where });
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return new TpvError('conflict', 'io.denied', { path: where });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new TpvError('conflict', 'store.busy', { path: where });
  if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED') return new TpvError('conflict', 'io.closed', { path: where });
  if (code === 'EISDIR') return new TpvError('invalid', 'io.directory', { path: where });
  if (code === 'ENOTDIR') return new TpvError('invalid', 'io.not_directory', { path: where });
  if (code === 'ENAMETOOLONG' || code === 'ELOOP') return new TpvError('invalid', 'io.bad_path', { path: where, reason });
  if (code === 'SQLITE_NOTADB') return new TpvError('invalid', 'store.not_database', { path: where });
  if (code.startsWith('SQLITE_CORRUPT')) return new TpvError('invalid', 'store.corrupt', { path: where, reason });
  if (code === 'ENOENT') return new TpvError('not_found', 'file.not_found', { path: where });
  if (code.startsWith('SQLITE_CANTOPEN')) return new TpvError('conflict', 'store.cannot_open', { path: where });
  if (['EIO', 'EBUSY', 'ETXTBSY', 'EMFILE', 'ENFILE', 'ENXIO', 'ENODEV', 'EEXIST', 'EXDEV'].includes(code) || code.startsWith('SQLITE_IOERR')) {
    return new TpvError('conflict', 'io.failed', { path: where, reason });
  }
  return undefined;
}
