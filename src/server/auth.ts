/**
 * Enrolment codes and tokens (docs/sync.md). The server keeps only their sha256: a copy of its
 * database lets nobody in. An enrolment code is typed by a technician (16 Crockford base32
 * characters in groups, 80 bits, single use, 24 h, and /enrol is rate-limited); a token is 256
 * random bits, `CODE.SECRET`, the code naming the terminal's row.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ENROL_TTL_MS = 24 * 60 * 60 * 1000;

/** A register code as the protocol carries it (T01). */
export const TERMINAL_CODE = /^[A-Z0-9]{1,8}$/;

/** `T02.<43 base64url characters>`: the terminal, then 32 random bytes. */
export const TOKEN = /^([A-Z0-9]{1,8})\.[A-Za-z0-9_-]{43}$/;

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Two sha256 hex digests compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `K7QX-3M9P-2HTW-8D4R`: 80 random bits a technician can read out and type. */
export function newEnrolCode(): string {
  const bytes = randomBytes(16);
  let code = '';
  for (let i = 0; i < 16; i++) code += CROCKFORD[bytes[i]! & 31];
  return code.match(/.{4}/g)!.join('-');
}

/** What is hashed of an enrolment code: as typed, without case, dashes or spaces (Crockford's look-alikes read as digits). */
export function normalEnrolCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export function newToken(terminal: string): string {
  return `${terminal}.${randomBytes(32).toString('base64url')}`;
}
