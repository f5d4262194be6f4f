/**
 * The application context every use case receives: the open database, the store settings,
 * the clock and a channel for notices (stderr in the CLI, the message line in the TUI).
 */
import { TpvError } from '../core/errors.js';
import { currencyExponent, formatDecimal } from '../core/money.js';
import { recoverBulkLoads } from '../db/catalog.js';
import { immediate, openDatabase, type Sqlite } from '../db/connection.js';
import { loadSettings, type Settings } from './settings.js';

export interface App {
  db: Sqlite;
  path: string;
  settings: Partial<Settings>;
  now: () => Date;
  notice: (message: Notice) => void;
  close(): void;
}

/** Something the user should know that is not the result (a migration, a skipped column). */
export interface Notice {
  code: string;
  params?: Record<string, string | number>;
}

export interface OpenOptions {
  now?: () => Date;
  notice?: (n: Notice) => void;
  /** Allow a database without a store (only `init` needs this). */
  allowEmpty?: boolean;
  create?: boolean;
}

export async function openApp(path: string, opts: OpenOptions = {}): Promise<App> {
  const now = opts.now ?? (() => new Date());
  const notice = opts.notice ?? (() => {});
  const { db, migrated } = await openDatabase(path, { create: opts.create ?? false, now });
  if (migrated && migrated.backup) {
    notice({ code: 'store.migrated', params: { tags: migrated.tags.join(', '), backup: migrated.backup } });
  }
  if (recoverBulkLoads(db, processAlive)) notice({ code: 'import.recovered', params: { path } });
  const app: App = {
    db,
    path,
    settings: loadSettings(db),
    now,
    notice,
    close: () => db.close(),
  };
  if (!opts.allowEmpty && app.settings['store.name'] === undefined) {
    db.close();
    throw new TpvError('not_found', 'store.not_initialized', { path });
  }
  return app;
}

/** The store facts that money needs. */
export interface StoreMoney {
  currency: string;
  exponent: number;
  pricesIncludeTax: boolean;
}

export function storeMoney(app: App): StoreMoney {
  const currency = app.settings['store.currency'] ?? 'EUR';
  return {
    currency,
    exponent: currencyExponent(currency) ?? 2,
    pricesIncludeTax: app.settings['store.prices_include_tax'] ?? true,
  };
}

/** Runs fn in an IMMEDIATE transaction (see `immediate`: never async inside). */
export function inTransaction<T>(app: App, fn: () => T): T {
  return immediate(app.db, fn);
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

/** Problem parameters that are amounts in minor units, as decimal text for messages and JSON. */
const AMOUNT_PARAMS = ['missing', 'max', 'balance', 'expected', 'redeemed'] as const;
export function moneyParams(app: App, params: Record<string, string | number>): Record<string, string | number> {
  const out = { ...params };
  for (const k of AMOUNT_PARAMS) if (typeof out[k] === 'number') out[k] = formatDecimal(out[k], storeMoney(app).exponent);
  return out;
}
