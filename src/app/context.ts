/**
 * The application context every use case receives: the open database, the store profile (its
 * settings resolved, re-read when another process changes them), the clock and a channel for
 * notices (stderr in the CLI, the message line in the TUI).
 */
import type { Statement } from 'better-sqlite3';
import { resolveProfile, type Settings, type StoreProfile } from '../core/profile.js';
import { immediate, type Sqlite } from '../db/connection.js';
import type { StoredDocument } from '../core/document.js';
import type { MessageKey } from '../core/errors.js';
import type { CreditMove } from '../sync/events.js';
import { loadSettings } from '../db/settings.js';

/**
 * Called inside the transaction that issues a fiscal document, after the document and its journal
 * entry are written: the one place where a fiscal scheme (e-invoicing) adds its record. Throwing
 * rolls the whole document back.
 */
export type DocumentHook = (app: App, doc: StoredDocument) => void;

export interface App {
  db: Sqlite;
  path: string;
  /** The settings as stored (keys never set are absent). */
  readonly settings: Partial<Settings>;
  /** The store as every layer sees it; re-read when the settings change, here or in another process. */
  readonly profile: StoreProfile;
  now: () => Date;
  notice: (message: Notice) => void;
  /** Hooks run for every fiscal document issued (src/app/issue.ts). */
  documentHooks: DocumentHook[];
  /** Reads the settings again (after this process changed them). */
  reload(): void;
  close(): void;
}

/** Something the user should know that is not the result (a migration, a skipped column). */
export interface Notice {
  code: MessageKey;
  params?: Record<string, string | number>;
}

/** An App over a connection opened elsewhere (`tpv doctor` opens a possibly damaged file read-only). */
export function appOn(db: Sqlite, path: string, now: () => Date, notice: (n: Notice) => void = () => {}): App {
  return new StoreApp(db, path, now, notice);
}

class StoreApp implements App {
  documentHooks: DocumentHook[] = [];
  private stored: Partial<Settings> = {};
  private resolved: StoreProfile;
  /** SQLite's data_version moves when another connection commits: then the settings may have changed. */
  private readonly dataVersion: Statement;
  private seen: unknown;

  constructor(
    readonly db: Sqlite,
    readonly path: string,
    readonly now: () => Date,
    readonly notice: (n: Notice) => void,
  ) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.seen = this.dataVersion.get();
    this.stored = loadSettings(db);
    this.resolved = resolveProfile(this.stored);
  }

  /** Whether this turn of the event loop has looked already (a use case reads the profile many times). */
  private looked = false;

  private fresh(): void {
    if (this.looked) return;
    this.looked = true;
    queueMicrotask(() => (this.looked = false));
    const v = this.dataVersion.get();
    if (v !== this.seen) {
      this.seen = v;
      this.reload();
    }
  }

  get settings(): Partial<Settings> {
    this.fresh();
    return this.stored;
  }

  get profile(): StoreProfile {
    this.fresh();
    return this.resolved;
  }

  reload(): void {
    this.stored = loadSettings(this.db);
    this.resolved = resolveProfile(this.stored);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * What the transaction under way has written that its outbox event must carry: the documents it
 * issued (by number) and the store-credit movements it made. `appendEvent` takes them; a
 * transaction that ends with any left over is a bug and rolls back (no fact leaves without its event).
 */
export interface PendingWrites {
  documents: Set<string>;
  credits: CreditMove[];
}

const pending = new WeakMap<Sqlite, PendingWrites>();

export function pendingWrites(app: App): PendingWrites {
  let p = pending.get(app.db);
  if (!p) pending.set(app.db, (p = { documents: new Set(), credits: [] }));
  return p;
}

/**
 * Runs fn in an IMMEDIATE transaction (see `immediate`: never async inside). Inside another
 * transaction it is a savepoint of it. The outermost one checks that every document and credit
 * movement it wrote went out with an outbox event.
 */
export function inTransaction<T>(app: App, fn: () => T): T {
  if (app.db.inTransaction) return immediate(app.db, fn);
  try {
    return immediate(app.db, () => {
      const result = fn();
      const left = pending.get(app.db);
      if (left && (left.documents.size > 0 || left.credits.length > 0)) {
        throw new Error(`written without an outbox event: ${[...left.documents, ...left.credits.map((c) => `credit ${c.kind} ${c.code}`)].join(', ')}`);
      }
      return result;
    });
  } finally {
    pending.delete(app.db);
  }
}

/** Whether a process of this machine is still running (the database is local to the register). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
