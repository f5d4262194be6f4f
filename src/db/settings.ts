/** The settings table: a fixed set of keys (src/core/profile.ts), each value stored as JSON. */
import { isSettingKey, type Settings } from '../core/profile.js';
import { prepared, type Sqlite } from './connection.js';

/** The settings stored in the database (keys never set are absent: their default applies). */
export function loadSettings(db: Sqlite): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const row of prepared(db, 'SELECT key, value FROM settings').all() as { key: string; value: string }[]) {
    if (isSettingKey(row.key)) out[row.key] = JSON.parse(row.value);
  }
  return out as Partial<Settings>;
}

/** Writes validated values (inside the caller's transaction when there is one). */
export function writeSettings(db: Sqlite, values: Partial<Settings>): void {
  const stmt = prepared(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  for (const [k, v] of Object.entries(values)) stmt.run(k, JSON.stringify(v));
}
