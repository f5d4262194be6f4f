/**
 * Who is who and who may do what: users' PINs (scrypt with a per-user random salt) and their
 * checks, the acting user's role, and a supervisor's approval (code + PIN) when the role is not
 * enough. The approval is returned to be recorded with the document.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Approval } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { problemError } from '../core/money.js';
import { type Action, approvalOf, can, type Role } from '../core/permissions.js';
import { isoWithOffset } from '../core/time.js';
import { immediate, prepared, type Sqlite } from '../db/connection.js';
import type { App } from './context.js';

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEYLEN = 32;

export function hashPin(pin: string, salt: Buffer = randomBytes(16)): { hash: string; salt: string } {
  const hash = scryptSync(pin, salt, KEYLEN, SCRYPT);
  return { hash: hash.toString('base64'), salt: salt.toString('base64') };
}

export function pinMatches(pin: string, hash: string, salt: string): boolean {
  const actual = scryptSync(pin, Buffer.from(salt, 'base64'), KEYLEN, SCRYPT);
  const expected = Buffer.from(hash, 'base64');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

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


export interface Approver {
  code: string;
  pin: string;
}

/**
 * Passes when `actor` may do `action`; otherwise needs an approver whose role may, with the right
 * PIN. Returns the approval to record (null when none was needed).
 */
export function authorize(app: App, actor: UserRow, action: Action, approver?: Approver, detail?: string): Approval | null {
  if (can(actor.role, action)) return null;
  const by = approver ? verifyPin(app.db, approver.code, approver.pin, app.now()) : null;
  const r = approvalOf(actor, action, by, isoWithOffset(app.now(), app.profile.timezone), detail);
  if (!r.ok) throw problemError('conflict', r.problem, app.profile.exponent);
  return r.value;
}
