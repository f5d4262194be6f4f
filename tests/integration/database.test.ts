import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../src/app/open.js';
import { TpvError } from '../../src/core/errors.js';
import { connect } from '../../src/db/connection.js';
import { openDatabase } from '../../src/db/migrate.js';
import { applyPending, knownMigrations, migrationStatus, schemaVersion } from '../../src/db/migrate.js';
import { makeStore, tempDir } from '../helpers.js';

const dir = tempDir();

describe('connection factory', () => {
  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout on every connection; new files are 0600', async () => {
    const path = join(dir, 'pragmas.db');
    const { db } = await openDatabase(path, { create: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    db.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = connect(path);
    expect(again.pragma('synchronous', { simple: true })).toBe(2);
    again.close();
  });

  it('refuses to create a database implicitly', () => {
    expect(() => connect(join(dir, 'nope.db'))).toThrowError(TpvError);
  });
});

describe('migrations', () => {
  it('a fresh database gets every migration', async () => {
    const { db, migrated } = await openDatabase(join(dir, 'fresh.db'), { create: true });
    expect(schemaVersion(db)).toBe(knownMigrations().length);
    expect(migrated).toMatchObject({ backup: null });
    expect(migrationStatus(db).every((m) => m.state === 'applied' && !m.modified)).toBe(true);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table')").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['products', 'barcodes', 'stock_moves', 'products_fts', 'settings', 'users']));
    db.close();
  });

  it('an older database is upgraded after an online backup, keeping its data, and says so', async () => {
    const path = join(dir, 'old.db');
    const db = connect(path, { create: true });
    // an "old" tpv: only the first migration
    const first = knownMigrations()[0]!;
    db.exec(first.sql().split('--> statement-breakpoint').join('\n'));
    db.prepare("INSERT INTO schema_migrations VALUES (0, ?, ?, '2026-01-01T00:00:00Z', '0.0.1')").run(first.tag, first.hash());
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO settings VALUES ('store.name', '\"Old shop\"')").run();
    db.close();

    const notices: string[] = [];
    const app = await openApp(path, { notice: (n) => notices.push(`${n.code} ${JSON.stringify(n.params)}`) });
    expect(schemaVersion(app.db)).toBe(knownMigrations().length);
    expect(app.settings['store.name']).toBe('Old shop');
    app.close();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^store\.migrated/);
    const backups = readdirSync(dir).filter((f) => f.startsWith('old.db.bak-'));
    expect(backups).toHaveLength(1);
    const bak = new Database(join(dir, backups[0]!), { readonly: true });
    expect(bak.pragma('user_version', { simple: true })).toBe(1);
    expect(bak.prepare("SELECT value FROM settings WHERE key = 'store.name'").pluck().get()).toBe('"Old shop"');
    bak.close();
    expect(statSync(join(dir, backups[0]!)).mode & 0o777).toBe(0o600);
  });

  it('a database from a newer tpv is refused naming both versions, and left untouched', async () => {
    const path = join(dir, 'newer.db');
    const app = await makeStore(dir, {}, 'newer.db');
    const known = knownMigrations().length;
    app.db.prepare("INSERT INTO schema_migrations VALUES (?, 'future', 'x', '2030-01-01T00:00:00Z', '9.9.9')").run(known);
    app.db.pragma(`user_version = ${known + 1}`);
    app.close();
    const err = await openDatabase(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TpvError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'store.newer', params: { version: known + 1, known, theirs: '9.9.9' } });
    const db = connect(path);
    expect(schemaVersion(db)).toBe(known + 1);
    db.close();
    expect(existsSync(path)).toBe(true);
  });

  it('applying twice does nothing', async () => {
    const { db } = await openDatabase(join(dir, 'twice.db'), { create: true });
    expect(applyPending(db, () => new Date())).toEqual([]);
    db.close();
  });
});

describe('stock moves', () => {
  it('on hand follows the moves; an opening move must match the stock the product was created with', async () => {
    const app = await makeStore(dir, {}, 'moves.db');
    const db = app.db;
    const insert = (onHand: number) =>
      Number(db.prepare("INSERT INTO products (sku, name, price, tax_category_id, unit, on_hand, created_at, updated_at) VALUES (?, 'x', 1, 1, 'each', ?, 'x', 'x')").run(`S${onHand}-${Math.random()}`, onHand).lastInsertRowid);
    const move = (id: number, qty: number, kind: string) =>
      db.prepare("INSERT INTO stock_moves (product_id, qty, kind, created_at) VALUES (?, ?, ?, 'x')").run(id, qty, kind);
    const onHand = (id: number) => db.prepare('SELECT on_hand FROM products WHERE id = ?').pluck().get(id);

    const a = insert(5000);
    move(a, 5000, 'opening');
    move(a, -2000, 'adjust');
    expect(onHand(a)).toBe(3000);
    expect(() => move(a, 1000, 'opening')).toThrow(/opening move/); // not the first move
    const b = insert(5000);
    expect(() => move(b, 3000, 'opening')).toThrow(/opening move/); // does not match on_hand
    expect(() => db.prepare('DELETE FROM stock_moves').run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE stock_moves SET qty = 0').run()).toThrow(/append-only/);
    app.close();
  });
});
