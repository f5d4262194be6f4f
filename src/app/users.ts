/** Users and PINs: scrypt with a per-user random salt. */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { TpvError } from '../core/errors.js';
import { immediate, prepared, type Sqlite } from '../db/connection.js';

export type Role = 'cashier' | 'supervisor' | 'admin';
export const ROLES: readonly Role[] = ['cashier', 'supervisor', 'admin'];

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEYLEN = 32;

export function validatePin(pin: string): void {
  if (!/^[0-9]{4,8}$/.test(pin)) throw new TpvError('invalid', 'user.pin_format');
}

export function validateUserCode(code: string): string {
  const c = code.trim();
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(c)) throw new TpvError('invalid', 'user.code_format', { code });
  return c;
}

export function hashPin(pin: string, salt: Buffer = randomBytes(16)): { hash: string; salt: string } {
  const hash = scryptSync(pin, salt, KEYLEN, SCRYPT);
  return { hash: hash.toString('base64'), salt: salt.toString('base64') };
}

export function pinMatches(pin: string, hash: string, salt: string): boolean {
  const actual = scryptSync(pin, Buffer.from(salt, 'base64'), KEYLEN, SCRYPT);
  const expected = Buffer.from(hash, 'base64');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

export interface NewUser {
  code: string;
  name: string;
  role: Role;
  pin: string;
}

/** Inserts a user (inside the caller's transaction). */
export function insertUser(db: Sqlite, user: NewUser, now: Date): number {
  const code = validateUserCode(user.code);
  const name = user.name.trim();
  if (!name) throw new TpvError('invalid', 'user.name_empty');
  validatePin(user.pin);
  if (db.prepare('SELECT 1 FROM users WHERE code = ?').get(code)) {
    throw new TpvError('conflict', 'user.exists', { code });
  }
  const { hash, salt } = hashPin(user.pin);
  const r = db
    .prepare('INSERT INTO users (code, name, role, pin_hash, pin_salt, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(code, name, user.role, hash, salt, now.toISOString());
  return Number(r.lastInsertRowid);
}

// ---- users as the CLI and the till use them ------------------------------------------------

export interface UserRow {
  id: number;
  code: string;
  name: string;
  role: Role;
  active: number;
  failed_pins: number;
  locked_until: string | null;
  pin_hash: string;
  pin_salt: string;
}

export interface UserView {
  code: string;
  name: string;
  role: Role;
  active: boolean;
  locked_until: string | null;
}

export const userView = (u: UserRow): UserView => ({
  code: u.code,
  name: u.name,
  role: u.role,
  active: u.active === 1,
  locked_until: u.locked_until,
});

export const MAX_PIN_FAILURES = 5;
export const LOCK_MINUTES = 5;

export function userByCode(db: Sqlite, code: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE code = ?').get(code.trim()) as UserRow | undefined;
}

export function userById(db: Sqlite, id: number): UserRow | undefined {
  return prepared(db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

/** The user a CLI action runs as: `--user CODE`, or the store's first admin. */
export function actingUser(db: Sqlite, code?: string): UserRow {
  const u = code
    ? userByCode(db, code)
    : (db.prepare("SELECT * FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1").get() as UserRow | undefined);
  if (!u) throw new TpvError('not_found', 'user.not_found', { code: code ?? 'admin' });
  if (!u.active) throw new TpvError('conflict', 'user.disabled', { code: u.code });
  return u;
}

/** Records something done outside documents (inside the caller's transaction when there is one). */
export function auditLog(db: Sqlite, at: Date, userId: number | null, action: string, detail?: unknown): void {
  db.prepare('INSERT INTO audit_log (at, user_id, action, detail) VALUES (?, ?, ?, ?)').run(
    at.toISOString(),
    userId,
    action,
    detail === undefined ? null : JSON.stringify(detail),
  );
}

/**
 * Checks a PIN: 5 wrong PINs in a row lock the user for 5 minutes (recorded in the audit log);
 * a right PIN resets the count. Runs its own transaction (the failure count must stick even
 * when the caller's action is refused).
 */
export function verifyPin(db: Sqlite, code: string, pin: string, now: Date): UserRow {
  const u = userByCode(db, code);
  if (!u) throw new TpvError('not_found', 'user.not_found', { code });
  if (!u.active) throw new TpvError('conflict', 'user.disabled', { code: u.code });
  if (u.locked_until && new Date(u.locked_until) > now) {
    throw new TpvError('conflict', 'user.locked', { code: u.code, until: u.locked_until });
  }
  if (pinMatches(pin, u.pin_hash, u.pin_salt)) {
    if (u.failed_pins > 0 || u.locked_until) {
      db.prepare('UPDATE users SET failed_pins = 0, locked_until = NULL WHERE id = ?').run(u.id);
    }
    return u;
  }
  const failures = u.failed_pins + 1;
  immediate(db, () => {
    if (failures >= MAX_PIN_FAILURES) {
      const until = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
      db.prepare('UPDATE users SET failed_pins = 0, locked_until = ? WHERE id = ?').run(until, u.id);
      auditLog(db, now, u.id, 'user_locked', { failures });
    } else {
      db.prepare('UPDATE users SET failed_pins = ? WHERE id = ?').run(failures, u.id);
      auditLog(db, now, u.id, 'pin_failed', { failures });
    }
  });
  throw new TpvError('conflict', failures >= MAX_PIN_FAILURES ? 'user.locked_now' : 'user.pin_wrong', {
    code: u.code,
    left: Math.max(MAX_PIN_FAILURES - failures, 0),
    minutes: LOCK_MINUTES,
  });
}

export function listUsers(db: Sqlite): UserView[] {
  return (db.prepare('SELECT * FROM users ORDER BY code').all() as UserRow[]).map(userView);
}

export function setPin(db: Sqlite, code: string, pin: string): UserView {
  validatePin(pin);
  const u = userByCode(db, code);
  if (!u) throw new TpvError('not_found', 'user.not_found', { code });
  const { hash, salt } = hashPin(pin);
  db.prepare('UPDATE users SET pin_hash = ?, pin_salt = ?, failed_pins = 0, locked_until = NULL WHERE id = ?').run(hash, salt, u.id);
  return userView(userById(db, u.id)!);
}

export function setRole(db: Sqlite, code: string, role: Role): UserView {
  const u = userByCode(db, code);
  if (!u) throw new TpvError('not_found', 'user.not_found', { code });
  if (u.role === 'admin' && role !== 'admin') assertAnotherAdmin(db, u.id);
  db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, u.id);
  return userView(userById(db, u.id)!);
}

export function disableUser(db: Sqlite, code: string): UserView {
  const u = userByCode(db, code);
  if (!u) throw new TpvError('not_found', 'user.not_found', { code });
  if (u.role === 'admin') assertAnotherAdmin(db, u.id);
  db.prepare('UPDATE users SET active = 0 WHERE id = ?').run(u.id);
  return userView(userById(db, u.id)!);
}

/** The store never loses its last active admin. */
function assertAnotherAdmin(db: Sqlite, exceptId: number): void {
  const others = db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?").pluck().get(exceptId) as number;
  if (others === 0) throw new TpvError('conflict', 'user.last_admin');
}

export function parseRole(text: string): Role {
  if (!(ROLES as readonly string[]).includes(text)) throw new TpvError('usage', 'user.role', { role: text, roles: ROLES.join(', ') });
  return text as Role;
}
