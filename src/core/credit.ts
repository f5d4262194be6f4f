import { fail, money, ok, type Result } from './errors.js';
import { zonedParts } from './time.js';

/**
 * Store credit and gift vouchers: unguessable, typable codes, and a balance that is always
 * derived from an append-only event ledger (never a lone mutable number). Amounts are integer
 * minor units. Pure: randomness and the current time come in as arguments.
 */

// ---- Codes ----------------------------------------------------------------------------------
//
// A code is 15 data characters of Crockford base32 (15 × 5 = 75 random bits, taken from the
// first 10 bytes of the caller's CSPRNG output) plus 1 check character: 16 characters, printed
// in four groups of four ("K3F9-2QRM-X7TD-8W5C"). Stored canonical form: the 16 characters,
// upper case, without dashes.
//
// Check character: every character is a 5-bit value, i.e. an element of GF(32) (polynomial basis
// over GF(2), modulus x⁵ + x² + 1). With α = x (a generator: 31 is prime, so every element other
// than 0 and 1 has order 31), a code d₁₅ … d₁ d₀ (d₀ = the check) is valid iff
//
//     Σ αʲ·dⱼ = 0   (Horner: s ← α·s ⊕ d over the characters, left to right, ends at 0).
//
// - A substitution d → d' at position j changes the sum by αʲ·(d ⊕ d') ≠ 0 (a field has no zero
//   divisors), so every single-character substitution is caught, the check character included.
// - A swap of the characters at positions j ≠ k (adjacent or not, the check character included)
//   changes it by (αʲ ⊕ αᵏ)·(dⱼ ⊕ dₖ), which is ≠ 0 when dⱼ ≠ dₖ because αʲ ≠ αᵏ for j ≠ k < 31.
// - Twin errors (aa → bb) are caught too: (αʲ ⊕ αʲ⁺¹)·(a ⊕ b) ≠ 0. A random error slips through
//   with probability 1/32.
// This gives the guarantees of Crockford's mod-37 check symbol (and more: all transpositions,
// not just adjacent ones) while the check character stays in the same 32-character alphabet:
// mod 37 needs five extra symbols (* ~ $ = U), of which `*` is the Code 39 start/stop character,
// `*` and `$` are shell metacharacters (`tpv credit redeem …`), and `U` is the very letter
// Crockford's alphabet leaves out.

/** Crockford's base32 alphabet (no I, L, O, U). */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Data characters of a code (75 random bits). */
export const CREDIT_CODE_DATA_CHARS = 15;
/** Characters of a canonical code: the data plus one check character. */
export const CREDIT_CODE_LENGTH = CREDIT_CODE_DATA_CHARS + 1;
/** Random bytes makeCreditCode needs (80 bits, of which the first 75 are used). */
export const CREDIT_CODE_RANDOM_BYTES = 10;
/** Characters per printed group. */
export const CREDIT_CODE_GROUP = 4;

const GF32_MODULUS = 0b100101; // x⁵ + x² + 1

/** α·v in GF(32). */
const mulAlpha = (v: number): number => (v & 0b10000 ? (v << 1) ^ GF32_MODULUS : v << 1);

const valueOf = (c: string): number => CROCKFORD_ALPHABET.indexOf(c);

/** Horner fold s ← α·s ⊕ d over the characters (all in the alphabet). */
function fold(chars: string): number {
  let s = 0;
  for (const c of chars) s = mulAlpha(s) ^ valueOf(c);
  return s;
}

/** The check character of a code body (Crockford base32 characters, canonical upper case). */
export function creditCheckChar(body: string): string {
  for (const c of body) if (valueOf(c) < 0) throw new RangeError(`not a Crockford base32 character: ${c}`);
  // α·s ⊕ check = 0  ⇔  check = α·s  (characteristic 2)
  return CROCKFORD_ALPHABET[mulAlpha(fold(body))]!;
}

/**
 * A new code from the caller's CSPRNG output: the first 75 bits of `random` (at least
 * CREDIT_CODE_RANDOM_BYTES = 10 bytes; further bytes are ignored) as 15 base32 characters,
 * most significant bit first, plus the check character. Canonical form (no dashes).
 * Throws RangeError when `random` is too short.
 */
export function makeCreditCode(random: Uint8Array): string {
  if (random.length < CREDIT_CODE_RANDOM_BYTES) {
    throw new RangeError(`a credit code needs ${CREDIT_CODE_RANDOM_BYTES} random bytes, got ${random.length}`);
  }
  let body = '';
  let acc = 0; // pending bits, fewer than 13
  let bits = 0;
  let i = 0;
  while (body.length < CREDIT_CODE_DATA_CHARS) {
    if (bits < 5) {
      acc = (acc << 8) | random[i++]!;
      bits += 8;
    }
    bits -= 5;
    body += CROCKFORD_ALPHABET[(acc >> bits) & 31]!;
    acc &= (1 << bits) - 1;
  }
  return body + creditCheckChar(body);
}

/** Crockford's decoding aliases: O reads as 0, I and L as 1. */
const ALIASES: Record<string, string> = { O: '0', I: '1', L: '1' };

/**
 * Normalizes a code as a cashier types or a scanner sends it: case-insensitive, spaces and dashes
 * ignored, O → 0, I and L → 1. Returns the canonical form (16 characters, no dashes).
 * Problems: `credit.code_format` (wrong length or a character outside the alphabet, e.g. U),
 * `credit.code_check` (the check character does not match: a mistyped or swapped character).
 */
export function parseCreditCode(typed: string): Result<string> {
  const code = typed
    .replace(/[\s-]+/g, '')
    .toUpperCase()
    .replace(/[OIL]/g, (c) => ALIASES[c]!);
  if (code.length !== CREDIT_CODE_LENGTH) return fail('credit.code_format');
  for (const c of code) if (valueOf(c) < 0) return fail('credit.code_format');
  if (fold(code) !== 0) return fail('credit.code_check');
  return ok(code);
}

/** Groups a canonical code for printing: "K3F92QRMX7TD8W5C" → "K3F9-2QRM-X7TD-8W5C". */
export function formatCreditCode(code: string): string {
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += CREDIT_CODE_GROUP) groups.push(code.slice(i, i + CREDIT_CODE_GROUP));
  return groups.join('-');
}

// ---- Ledger ---------------------------------------------------------------------------------

export type CreditEventKind = 'issue' | 'redeem' | 'restore' | 'expire' | 'void' | 'adjust';

/**
 * One entry of a code's ledger. `amount` is the SIGNED change of the balance in minor units, so
 * the balance is always the sum of the amounts:
 * - issue: + the value issued (once, first);
 * - redeem: − the amount paid with the credit;
 * - restore: + an amount given back when a sale paid with the credit is refunded (at most what
 *   was redeemed and not yet restored);
 * - expire, void: − the remaining balance (possibly 0); nothing may follow them;
 * - adjust: ± a supervisor's correction (≠ 0).
 */
export interface CreditEvent {
  kind: CreditEventKind;
  amount: number;
  /** ISO 8601 instant. */
  at: string;
  /** The sale, refund or batch run behind the event. */
  ref?: string;
  /** Who recorded it (adjust, void). */
  by?: string;
  reason?: string;
}

export type CreditStatus = 'active' | 'spent' | 'expired' | 'void';

export interface CreditState {
  /** Σ amounts. */
  balance: number;
  /** void > expired > spent (balance 0) > active. */
  status: CreditStatus;
  /** Σ issue amounts. */
  issued: number;
  /** Net redeemed: Σ redeemed − Σ restored. */
  redeemed: number;
}

interface Tally {
  balance: number;
  issues: number;
  issued: number;
  redeemed: number;
  closedBy: 'void' | 'expire' | null;
}

function tally(events: readonly CreditEvent[]): Tally {
  const t: Tally = { balance: 0, issues: 0, issued: 0, redeemed: 0, closedBy: null };
  for (const e of events) {
    t.balance += e.amount;
    if (e.kind === 'issue') {
      t.issues++;
      t.issued += e.amount;
    } else if (e.kind === 'redeem' || e.kind === 'restore') {
      t.redeemed -= e.amount;
    } else if (e.kind === 'void') {
      t.closedBy = 'void';
    } else if (e.kind === 'expire' && t.closedBy === null) {
      t.closedBy = 'expire';
    }
  }
  return t;
}

function instant(iso: string, what: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO instant (${what}): ${iso}`);
  return t;
}

/** The balance of a ledger: the sum of its amounts. */
export const creditBalance = (events: readonly CreditEvent[]): number => tally(events).balance;

/**
 * The state of a code at `nowIso`. A code whose `expiresAt` (an ISO instant, or null for never)
 * is at or before now is expired even before its `expire` event is recorded; its balance is then
 * still shown (it is what the expiry will forfeit). Instants are compared as instants, so
 * offsets may differ. Throws RangeError for text that is not an ISO instant.
 */
export function creditState(events: readonly CreditEvent[], nowIso: string, expiresAt: string | null): CreditState {
  const t = tally(events);
  const now = instant(nowIso, 'now');
  const pastExpiry = expiresAt !== null && instant(expiresAt, 'expiresAt') <= now;
  const status: CreditStatus =
    t.closedBy === 'void'
      ? 'void'
      : t.closedBy === 'expire' || pastExpiry
        ? 'expired'
        : t.balance === 0
          ? 'spent'
          : 'active';
  return { balance: t.balance, status, issued: t.issued, redeemed: t.redeemed };
}

function refuseClosed(state: CreditState): Result<never> | null {
  if (state.status === 'void') return fail('credit.void');
  if (state.status === 'expired') return fail('credit.expired');
  return null;
}

const isPositiveAmount = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

/**
 * Whether `amount` can be paid with the credit now (state from creditState); returns the amount.
 * Partial redemption is fine: what is left stays on the code.
 * Problems, in this order: `credit.void`, `credit.expired`, `credit.bad_amount` (not a positive
 * safe integer), `credit.insufficient` {balance}.
 */
export function canRedeem(state: CreditState, amount: number): Result<number> {
  const closed = refuseClosed(state);
  if (closed) return closed;
  if (!isPositiveAmount(amount)) return fail('credit.bad_amount');
  if (amount > state.balance) return fail('credit.insufficient', { balance: money(state.balance) });
  return ok(amount);
}

/**
 * How much of `due` the credit covers: min(balance, due) — the rest is paid otherwise.
 * Problems as canRedeem; `credit.insufficient` {balance: 0} for a spent code.
 */
export function redeemUpTo(state: CreditState, due: number): Result<number> {
  const closed = refuseClosed(state);
  if (closed) return closed;
  if (!isPositiveAmount(due)) return fail('credit.bad_amount');
  if (state.balance <= 0) return fail('credit.insufficient', { balance: money(state.balance) });
  return ok(Math.min(state.balance, due));
}

/**
 * Appends `event` to a ledger when it keeps the ledger sound; returns a new array (the input is
 * not modified). Refused, in this order:
 * - anything after a void or expire event: `credit.void`, `credit.expired`;
 * - a second issue: `credit.already_issued`; anything before the issue: `credit.not_issued`;
 * - an amount of the wrong sign, 0 (except expire/void of a spent code), not a safe integer, or
 *   an expire/void that does not take exactly the remaining balance: `credit.bad_amount`
 *   ({expected} for expire/void);
 * - a redeem or negative adjust beyond the balance: `credit.insufficient` {balance};
 * - a restore beyond what was redeemed and not yet restored: `credit.restore_exceeds` {redeemed};
 * - an unknown kind (data from elsewhere): `credit.bad_event` {kind}.
 * The expiry date is not known here: check canRedeem on creditState before recording a redeem.
 */
export function applyEvent(events: readonly CreditEvent[], event: CreditEvent): Result<CreditEvent[]> {
  const t = tally(events);
  if (t.closedBy === 'void') return fail('credit.void');
  if (t.closedBy === 'expire') return fail('credit.expired');
  if (event.kind === 'issue' && t.issues > 0) return fail('credit.already_issued');
  if (event.kind !== 'issue' && t.issues === 0) return fail('credit.not_issued');
  const a = event.amount;
  if (!Number.isSafeInteger(a)) return fail('credit.bad_amount');
  switch (event.kind) {
    case 'issue':
      if (a <= 0) return fail('credit.bad_amount');
      break;
    case 'redeem':
      if (a >= 0) return fail('credit.bad_amount');
      if (-a > t.balance) return fail('credit.insufficient', { balance: money(t.balance) });
      break;
    case 'restore':
      if (a <= 0) return fail('credit.bad_amount');
      if (a > t.redeemed) return fail('credit.restore_exceeds', { redeemed: money(t.redeemed) });
      break;
    case 'expire':
    case 'void':
      if (a !== -t.balance) return fail('credit.bad_amount', { expected: money(-t.balance) });
      break;
    case 'adjust':
      if (a === 0) return fail('credit.bad_amount');
      if (t.balance + a < 0) return fail('credit.insufficient', { balance: money(t.balance) });
      break;
    default:
      return fail('credit.bad_event', { kind: String((event as { kind: unknown }).kind) });
  }
  if (!Number.isSafeInteger(t.balance + a)) return fail('credit.bad_amount');
  return ok([...events, event]);
}

/**
 * The expire or void event that closes a ledger: it takes the remaining balance (what the batch
 * `tpv credit expire` and a supervisor's void record).
 */
export function closingEvent(
  events: readonly CreditEvent[],
  kind: 'expire' | 'void',
  at: string,
  extra: Pick<CreditEvent, 'ref' | 'by' | 'reason'> = {},
): CreditEvent {
  const balance = creditBalance(events);
  return { kind, amount: balance === 0 ? 0 : -balance, at, ...extra };
}

/**
 * Replays a stored ledger through applyEvent: the ledger itself, or the first refusal with the
 * `index` of the offending event added to its params.
 */
export function checkLedger(events: readonly CreditEvent[]): Result<CreditEvent[]> {
  let ledger: CreditEvent[] = [];
  for (let index = 0; index < events.length; index++) {
    const r = applyEvent(ledger, events[index]!);
    if (!r.ok) return fail(r.problem.code, { ...r.problem.params, index });
    ledger = r.value;
  }
  return ok(ledger);
}

// ---- Expiry as a shop says it -----------------------------------------------------------------

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The instant a code valid through `day` (YYYY-MM-DD, the store's calendar) stops being valid: the
 * midnight that ends that day in `timeZone`, as a UTC ISO instant (the form `expires_at` is stored in).
 */
export function endOfDay(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d! + 1);
  // the zone's offset at that midnight (asked twice: the first guess may fall across a change of offset)
  let at = wall - zonedParts(new Date(wall), timeZone).offset * 60_000;
  at = wall - zonedParts(new Date(at), timeZone).offset * 60_000;
  return new Date(at).toISOString();
}

/** The day (YYYY-MM-DD) an instant falls on in `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  const z = zonedParts(at, timeZone);
  return `${z.year}-${pad2(z.month)}-${pad2(z.day)}`;
}

/**
 * What "valid until" means for a code expiring at `expiresAt`, in the store's zone: its last valid
 * day when it expires at a midnight (the day before it), else the day and the time (HH:MM) it stops.
 */
export function validUntil(expiresAt: string, timeZone: string): { day: string; time: string | null } {
  const at = instant(expiresAt, 'expiresAt');
  const z = zonedParts(new Date(at), timeZone);
  if (z.hour === 0 && z.minute === 0 && z.second === 0) return { day: localDay(new Date(at - 1000), timeZone), time: null };
  return { day: localDay(new Date(at), timeZone), time: `${pad2(z.hour)}:${pad2(z.minute)}` };
}

/** What a printed store credit or gift voucher slip shows. */
export interface VoucherSlip {
  /** XXXX-XXXX-XXXX-XXXX. */
  printed: string;
  /** Balance in minor units. */
  balance: number;
  expires_at: string | null;
  origin: string;
  /** The document that issued it (a refund, a voucher sale). */
  ref: string | null;
  issued_at: string;
}
