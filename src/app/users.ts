/** User management: `tpv users add|set-pin|set-role|disable`, and the first admin of `tpv init`. */
import { TpvError } from '../core/errors.js';
import { isRole, type Role, ROLES } from '../core/permissions.js';
import { storedText } from '../core/text.js';
import { isoWithOffset } from '../core/time.js';
import type { Sqlite } from '../db/connection.js';
import { type Approver, authorize, hashPin, type UserRow, userByCode, userById } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

export function validatePin(pin: string): void {
  if (!/^[0-9]{4,8}$/.test(pin)) throw new TpvError('invalid', 'user.pin_format');
}

export function validateUserCode(code: string): string {
  const c = code.trim();
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(c)) throw new TpvError('invalid', 'user.code_format', { code });
  return c;
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
  const name = storedText(user.name, 'name', 'name');
  if (!name) throw new TpvError('invalid', 'user.name_empty', { field: 'name' });
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

export interface UserView {
  code: string;
  name: string;
  role: Role;
  active: boolean;
  locked_until: string | null;
}

/** A user as shown: the end of a lock (past or not) in the store's time zone. */
export const userView = (u: UserRow, timeZone: string): UserView => ({
  code: u.code,
  name: u.name,
  role: u.role,
  active: u.active === 1,
  locked_until: u.locked_until === null ? null : isoWithOffset(new Date(u.locked_until), timeZone),
});

export function listUsers(app: App): UserView[] {
  return (app.db.prepare('SELECT * FROM users ORDER BY code').all() as UserRow[]).map((u) => userView(u, app.profile.timezone));
}

function existing(app: App, code: string): UserRow {
  const u = userByCode(app.db, code);
  if (!u) throw new TpvError('not_found', 'user.not_found', { code });
  return u;
}

/** Writes a change to a user with its `user` event; returns the user as stored. */
function changed(app: App, id: number, change: 'added' | 'pin' | 'role' | 'disabled', by: UserRow): UserView {
  const u = userView(userById(app.db, id)!, app.profile.timezone);
  appendEvent(app, 'user', { user: { code: u.code, name: u.name, role: u.role, active: u.active }, change, by: by.code });
  return u;
}

/** `tpv users add`: user management. */
export function addUser(app: App, actor: UserRow, user: NewUser, approver?: Approver): UserView {
  authorize(app, actor, 'manage_users', approver);
  return inTransaction(app, () => changed(app, insertUser(app.db, user, app.now()), 'added', actor));
}

/** A new PIN: users change their own; someone else's needs user management. It also lifts a lock. */
export function setPin(app: App, actor: UserRow, code: string, pin: string, approver?: Approver): UserView {
  if (actor.code !== code.trim()) authorize(app, actor, 'manage_users', approver);
  validatePin(pin);
  return inTransaction(app, () => {
    const u = existing(app, code);
    const { hash, salt } = hashPin(pin);
    app.db.prepare('UPDATE users SET pin_hash = ?, pin_salt = ?, failed_pins = 0, locked_until = NULL, lockouts = 0 WHERE id = ?').run(hash, salt, u.id);
    return changed(app, u.id, 'pin', actor);
  });
}

export function setRole(app: App, actor: UserRow, code: string, role: Role, approver?: Approver): UserView {
  authorize(app, actor, 'manage_users', approver);
  return inTransaction(app, () => {
    const u = existing(app, code);
    if (u.role === 'admin' && role !== 'admin') assertAnotherAdmin(app.db, u.id);
    app.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, u.id);
    return changed(app, u.id, 'role', actor);
  });
}

export function disableUser(app: App, actor: UserRow, code: string, approver?: Approver): UserView {
  authorize(app, actor, 'manage_users', approver);
  return inTransaction(app, () => {
    const u = existing(app, code);
    if (u.role === 'admin') assertAnotherAdmin(app.db, u.id);
    app.db.prepare('UPDATE users SET active = 0 WHERE id = ?').run(u.id);
    return changed(app, u.id, 'disabled', actor);
  });
}

/** The store never loses its last active admin. */
function assertAnotherAdmin(db: Sqlite, exceptId: number): void {
  const others = db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?").pluck().get(exceptId) as number;
  if (others === 0) throw new TpvError('conflict', 'user.last_admin');
}

export function parseRole(text: string): Role {
  if (!isRole(text)) throw new TpvError('usage', 'user.role', { role: text, roles: ROLES.join(', ') });
  return text;
}
