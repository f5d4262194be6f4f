/** Users and PINs: scrypt with a per-user random salt. */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { TpvError } from '../core/errors.js';
import type { Sqlite } from '../db/connection.js';

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
