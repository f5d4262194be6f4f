/**
 * `tpv migrate [status]`: the database's schema version against this program's migrations, and
 * bringing it up to date (after an online backup). Opening a database through `openApp` migrates
 * it too; this is the explicit, reportable way.
 */
import { connect } from '../db/connection.js';
import { migrateIfNeeded, migrationStatus, schemaVersion, writtenBy } from '../db/migrate.js';
import { VERSION } from '../version.js';

export interface MigrateResult {
  path: string;
  applied: string[];
  backup: string | null;
  version: number;
}

/** Brings the database up to date, the way opening it does (a newer one is refused, an older one backed up first). */
export async function migrate(path: string, now: () => Date = () => new Date()): Promise<MigrateResult> {
  const db = connect(path);
  try {
    const migrated = await migrateIfNeeded(db, path, now);
    return { path, applied: migrated?.tags ?? [], backup: migrated?.backup ?? null, version: schemaVersion(db) };
  } finally {
    db.close();
  }
}

export interface MigrationReport {
  path: string;
  version: number;
  known: number;
  newer: boolean;
  migrations: { tag: string; state: 'applied' | 'pending'; applied_at: string | null; modified: boolean }[];
  /** Who wrote a newer database (when `newer`). */
  writtenBy: string | null;
  ours: string;
}

export function migrationReport(path: string): MigrationReport {
  const db = connect(path, { readonly: false });
  try {
    const version = schemaVersion(db);
    const list = migrationStatus(db);
    return {
      path,
      version,
      known: list.length,
      newer: version > list.length,
      migrations: list.map((m) => ({ tag: m.tag, state: m.state, applied_at: m.appliedAt, modified: m.modified })),
      writtenBy: writtenBy(db) ?? null,
      ours: VERSION,
    };
  } finally {
    db.close();
  }
}
