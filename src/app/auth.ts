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

/** What an unknown or disabled user's PIN is checked against: the same scrypt, never a match. */
const DECOY = { hash: Buffer.alloc(KEYLEN).toString('base64'), salt: Buffer.alloc(16).toString('base64') };

export interface UserRow {
  id: number;
  code: string;
  name: string;
  role: Role;
  active: number;
  failed_pins: number;
  locked_until: string | null;
  /** Lockouts in a row since the last right PIN: each one lasts twice the one before. */
  lockouts: number;
  pin_hash: string;
  pin_salt: string;
}

export const MAX_PIN_FAILURES = 5;
export const LOCK_MINUTES = 5;
export const MAX_LOCK_MINUTES = 24 * 60;

/** How long the n-th lockout in a row lasts: 5 minutes, then 10, 20, … up to a day. */
export function lockMinutes(n: number): number {
  return Math.min(LOCK_MINUTES * 2 ** Math.min(Math.max(n, 1) - 1, 20), MAX_LOCK_MINUTES);
}

export function userByCode(db: Sqlite, code: string): UserRow | undefined {
  return prepared(db, 'SELECT * FROM users WHERE code = ?').get(code.trim()) as UserRow | undefined;
}

export function userById(db: Sqlite, id: number): UserRow | undefined {
  return prepared(db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

/** The store's first active admin: who the CLI acts as without `--user`. */
export function firstAdmin(db: Sqlite): UserRow | undefined {
  return prepared(db, "SELECT * FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1").get() as UserRow | undefined;
}

/**
 * A user by code (default the first active admin) without a PIN: for the store's own set-up
 * (`tpv init`, the demo catalog) and for tests. Whoever acts from the CLI or the terminal goes
 * through {@link verifyPin}.
 */
export function actingUser(db: Sqlite, code?: string): UserRow {
  const u = code ? userByCode(db, code) : firstAdmin(db);
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

/** A PIN attempt as counted before the PIN is checked: the user it is for, and the lock it set. */
interface Attempt {
  user: UserRow | null;
  lockedUntil?: Date;
}

/**
 * Counts an attempt (one IMMEDIATE transaction, before any scrypt): a locked user is refused; an
 * active user's failure count goes up, and the 5th locks them (recorded in the audit log), the lock
 * doubling with each lockout in a row. An unknown or disabled code is recorded as refused, so every
 * attempt writes the same amount.
 */
function countAttempt(app: App, code: string, now: Date): Attempt {
  const { db } = app;
  return immediate(db, () => {
    const u = userByCode(db, code);
    if (!u || !u.active) {
      auditLog(db, now, u?.id ?? null, 'pin_refused');
      return { user: null };
    }
    if (u.locked_until && new Date(u.locked_until) > now) throw lockedError(app, u.code, new Date(u.locked_until));
    const failures = u.failed_pins + 1;
    if (failures < MAX_PIN_FAILURES) {
      prepared(db, 'UPDATE users SET failed_pins = ? WHERE id = ?').run(failures, u.id);
      return { user: u };
    }
    const lockouts = u.lockouts + 1;
    const minutes = lockMinutes(lockouts);
    const until = new Date(now.getTime() + minutes * 60_000);
    prepared(db, 'UPDATE users SET failed_pins = 0, locked_until = ?, lockouts = ? WHERE id = ?').run(until.toISOString(), lockouts, u.id);
    auditLog(db, now, u.id, 'user_locked', { failures, lockouts, minutes });
    return { user: u, lockedUntil: until };
  });
}

function lockedError(app: App, code: string, until: Date): TpvError {
  const at = isoWithOffset(until, app.profile.timezone);
  return new TpvError('conflict', 'user.locked', { code, until: at, at: at.slice(0, 16).replace('T', ' ') });
}

/**
 * Checks a user's PIN. The attempt is counted first, in its own transaction (so it counts however
 * many run at once, and sticks when the caller's action is refused); then scrypt runs outside any
 * transaction (a till sells beside it); a right PIN resets the count and the lockouts. Unknown
 * code, disabled user and wrong PIN give one answer and cost one scrypt each; only a user locked
 * by 5 counted failures is told so.
 */
export function verifyPin(app: App, code: string, pin: string): UserRow {
  if (app.db.inTransaction) throw new Error('verifyPin runs scrypt: never inside a transaction');
  const now = app.now();
  const attempt = countAttempt(app, code, now);
  const u = attempt.user;
  if (pinMatches(pin, u?.pin_hash ?? DECOY.hash, u?.pin_salt ?? DECOY.salt) && u) {
    immediate(app.db, () => prepared(app.db, 'UPDATE users SET failed_pins = 0, locked_until = NULL, lockouts = 0 WHERE id = ?').run(u.id));
    return { ...u, failed_pins: 0, locked_until: null, lockouts: 0 };
  }
  if (u && attempt.lockedUntil) throw lockedError(app, u.code, attempt.lockedUntil);
  throw new TpvError('conflict', 'user.pin_wrong');
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
  const by = approver ? verifyPin(app, approver.code, approver.pin) : null;
  const r = approvalOf(actor, action, by, isoWithOffset(app.now(), app.profile.timezone), detail);
  if (!r.ok) throw problemError('conflict', r.problem, app.profile.exponent);
  return r.value;
}
