import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { money, type Problem, type Result } from '../../src/core/errors.js';
import {
  applyEvent,
  canRedeem,
  checkLedger,
  closingEvent,
  creditBalance,
  creditCheckChar,
  creditState,
  endOfDay,
  validUntil,
  CREDIT_CODE_DATA_CHARS,
  CREDIT_CODE_LENGTH,
  CREDIT_CODE_RANDOM_BYTES,
  CROCKFORD_ALPHABET,
  formatCreditCode,
  makeCreditCode,
  parseCreditCode,
  redeemUpTo,
  type CreditEvent,
  type CreditEventKind,
  type CreditState,
} from '../../src/core/credit.js';

function okValue<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problem)}`);
  return r.value;
}

function problemOf<T>(r: Result<T>): Problem {
  if (r.ok) throw new Error(`expected a problem, got ${JSON.stringify(r.value)}`);
  return r.problem;
}

// ---- An independent reference of the check: generic GF(32) arithmetic --------------------------

/** Carry-less product of two 5-bit polynomials, reduced modulo x⁵ + x² + 1. */
function gfMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 5; i++) if ((b >> i) & 1) p ^= a << i;
  for (let bit = 8; bit >= 5; bit--) if ((p >> bit) & 1) p ^= 0b100101 << (bit - 5);
  return p;
}

function gfPow(a: number, n: number): number {
  let r = 1;
  for (let i = 0; i < n; i++) r = gfMul(r, a);
  return r;
}

/** Σ αʲ·dⱼ over GF(32), j counted from the right (the check character has weight α⁰ = 1). */
function refSyndrome(code: string): number {
  const values = [...code].map((c) => CROCKFORD_ALPHABET.indexOf(c)).reverse();
  return values.reduce((acc, d, j) => acc ^ gfMul(gfPow(2, j), d), 0);
}

const refIsValid = (code: string): boolean => refSyndrome(code) === 0;

/** The check character found by trying all 32. */
function refCheckChar(body: string): string {
  const found = [...CROCKFORD_ALPHABET].filter((c) => refIsValid(body + c));
  if (found.length !== 1) throw new Error(`expected one check character, got ${found.join(',')}`);
  return found[0]!;
}

/** The 75 bits a code carries, most significant first, as a string of 0/1. */
const codeBits = (code: string): string =>
  [...code.slice(0, CREDIT_CODE_DATA_CHARS)]
    .map((c) => CROCKFORD_ALPHABET.indexOf(c).toString(2).padStart(5, '0'))
    .join('');

const bytesBits = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');

const randomBytes = fc.uint8Array({ minLength: CREDIT_CODE_RANDOM_BYTES, maxLength: 16 });
const codeArb = randomBytes.map(makeCreditCode);
const bodyArb = fc
  .array(fc.constantFrom(...CROCKFORD_ALPHABET), { minLength: 0, maxLength: 20 })
  .map((a) => a.join(''));

const setChar = (s: string, i: number, c: string): string => s.slice(0, i) + c + s.slice(i + 1);
const swap = (s: string, i: number, j: number): string => setChar(setChar(s, i, s[j]!), j, s[i]!);

/** Makes `code` valid again by choosing the character at `k` (one of the 32 always works). */
function fixAt(code: string, k: number): string {
  for (const c of CROCKFORD_ALPHABET) {
    const candidate = setChar(code, k, c);
    if (parseCreditCode(candidate).ok) return candidate;
  }
  throw new Error('no fix');
}

const BASE = makeCreditCode(Uint8Array.from([0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15, 0xf3, 0x9c]));

// ---- Codes ----------------------------------------------------------------------------------

describe('CROCKFORD_ALPHABET', () => {
  it('has 32 distinct characters, without I, L, O, U', () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(new Set(CROCKFORD_ALPHABET).size).toBe(32);
    for (const c of 'ILOU') expect(CROCKFORD_ALPHABET).not.toContain(c);
    expect(CREDIT_CODE_LENGTH).toBe(16);
    expect(CREDIT_CODE_DATA_CHARS * 5).toBeGreaterThanOrEqual(65);
  });
});

describe('makeCreditCode', () => {
  it('encodes the first 75 bits MSB first, then the check character (known vectors)', () => {
    expect(makeCreditCode(new Uint8Array(10))).toBe('0000000000000000'); // Σ = 0: check 0
    const counting = Uint8Array.from([0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xc0]);
    expect(makeCreditCode(counting)).toBe('0123456789ABCDE' + refCheckChar('0123456789ABCDE'));
    const ones = new Uint8Array(10).fill(0xff);
    expect(makeCreditCode(ones)).toBe('Z'.repeat(15) + refCheckChar('Z'.repeat(15)));
  });

  it('ignores the last 5 bits of the 10th byte and any further bytes', () => {
    const a = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 0b10100000]);
    const b = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 0b10111111, 42, 43]);
    expect(makeCreditCode(a)).toBe(makeCreditCode(b));
  });

  it('throws RangeError with fewer than 10 random bytes', () => {
    expect(() => makeCreditCode(new Uint8Array(0))).toThrow(RangeError);
    expect(() => makeCreditCode(new Uint8Array(8))).toThrow(RangeError);
    expect(() => makeCreditCode(new Uint8Array(9))).toThrow(RangeError);
    expect(() => makeCreditCode(new Uint8Array(10))).not.toThrow();
  });

  it('makes 16-character canonical codes that carry exactly the first 75 random bits', () => {
    fc.assert(
      fc.property(randomBytes, (bytes) => {
        const code = makeCreditCode(bytes);
        expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
        expect(codeBits(code)).toBe(bytesBits(bytes).slice(0, 75));
        expect(refIsValid(code)).toBe(true);
        expect(okValue(parseCreditCode(code))).toBe(code);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('creditCheckChar', () => {
  it('is the one character that makes Σ αʲ·dⱼ = 0 in GF(32)', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        expect(creditCheckChar(body)).toBe(refCheckChar(body));
      }),
      { numRuns: 2000 },
    );
  });

  it('throws RangeError on a character outside the alphabet', () => {
    expect(() => creditCheckChar('ABCU')).toThrow(RangeError);
    expect(() => creditCheckChar('abc')).toThrow(RangeError);
  });
});

describe('check character: error detection', () => {
  it('catches every single-character substitution (exhaustive: each position, old and new value)', () => {
    // The syndrome is linear, so whether a change is caught depends only on its position and on
    // the old and new values; the other characters are chosen to make the code valid.
    let cases = 0;
    for (let j = 0; j < CREDIT_CODE_LENGTH; j++) {
      const k = j === 0 ? 1 : 0;
      for (const a of CROCKFORD_ALPHABET) {
        const valid = fixAt(setChar(BASE, j, a), k);
        expect(valid[j]).toBe(a);
        for (const b of CROCKFORD_ALPHABET) {
          if (b === a) continue;
          expect(problemOf(parseCreditCode(setChar(valid, j, b))).code).toBe('credit.code_check');
          cases++;
        }
      }
    }
    expect(cases).toBe(16 * 32 * 31);
  });

  it('catches every adjacent transposition of distinct characters (exhaustive: each pair of positions and values)', () => {
    let cases = 0;
    for (let j = 0; j + 1 < CREDIT_CODE_LENGTH; j++) {
      const k = j === 0 ? 2 : 0;
      for (const a of CROCKFORD_ALPHABET) {
        for (const b of CROCKFORD_ALPHABET) {
          if (b === a) continue;
          const valid = fixAt(setChar(setChar(BASE, j, a), j + 1, b), k);
          expect(valid.slice(j, j + 2)).toBe(a + b);
          expect(problemOf(parseCreditCode(swap(valid, j, j + 1))).code).toBe('credit.code_check');
          cases++;
        }
      }
    }
    expect(cases).toBe(15 * 32 * 31);
  });

  it('on random codes: all single substitutions and all swaps of distinct characters (any distance) are caught', () => {
    fc.assert(
      fc.property(codeArb, (code) => {
        for (let j = 0; j < code.length; j++) {
          for (const c of CROCKFORD_ALPHABET) {
            if (c !== code[j]) expect(parseCreditCode(setChar(code, j, c)).ok).toBe(false);
          }
          for (let k = j + 1; k < code.length; k++) {
            if (code[j] !== code[k]) expect(problemOf(parseCreditCode(swap(code, j, k))).code).toBe('credit.code_check');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('catches twin errors (aa → bb) on adjacent positions', () => {
    fc.assert(
      fc.property(
        codeArb,
        fc.integer({ min: 0, max: 14 }),
        fc.constantFrom(...CROCKFORD_ALPHABET),
        (code, j, b) => {
          const twin = fixAt(setChar(code, j + 1, code[j]!), j === 0 ? 2 : 0);
          if (twin[j] === b) return;
          expect(parseCreditCode(setChar(setChar(twin, j, b), j + 1, b)).ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseCreditCode', () => {
  const code = BASE;
  const printed = formatCreditCode(code);

  it('accepts the canonical and the printed form', () => {
    expect(okValue(parseCreditCode(code))).toBe(code);
    expect(okValue(parseCreditCode(printed))).toBe(code);
  });

  it('is case-insensitive and ignores spaces, tabs and dashes anywhere', () => {
    expect(okValue(parseCreditCode(printed.toLowerCase()))).toBe(code);
    expect(okValue(parseCreditCode(`  ${code.slice(0, 3)} ${code.slice(3, 9)}\t${code.slice(9)}  `))).toBe(code);
    expect(okValue(parseCreditCode(`-${code.slice(0, 5)}--${code.slice(5)}-`))).toBe(code);
  });

  it('reads O as 0 and I, L as 1 (either case)', () => {
    const c = '0110' + '0'.repeat(11);
    const full = c + creditCheckChar(c);
    expect(okValue(parseCreditCode(full.replace(/0/g, 'O')))).toBe(full);
    expect(okValue(parseCreditCode(full.replace(/0/g, 'o')))).toBe(full);
    expect(okValue(parseCreditCode('0' + 'Il' + full.slice(3)))).toBe(full);
    expect(okValue(parseCreditCode('0' + 'iL' + full.slice(3)))).toBe(full);
  });

  it('refuses a wrong length or a foreign character: credit.code_format', () => {
    for (const typed of [
      '',
      '   ',
      '----',
      code.slice(0, 15),
      code + '0',
      printed.slice(0, -1),
      setChar(code, 4, 'U'),
      setChar(code, 4, 'u'),
      setChar(code, 15, '*'),
      setChar(code, 15, '$'),
      setChar(code, 7, '.'),
      setChar(code, 7, 'É'),
      printed.replace(/-/g, '_'),
    ]) {
      expect(problemOf(parseCreditCode(typed))).toEqual({ code: 'credit.code_format' });
    }
  });

  it('refuses a wrong check character: credit.code_check', () => {
    const wrong = CROCKFORD_ALPHABET[(CROCKFORD_ALPHABET.indexOf(code[15]!) + 1) % 32]!;
    expect(problemOf(parseCreditCode(setChar(code, 15, wrong)))).toEqual({ code: 'credit.code_check' });
  });

  it('parses typed variations (case, O/I/L, spaces, dashes) to the same code', () => {
    const variant = fc.record({
      lower: fc.boolean(),
      alias: fc.boolean(),
      sep: fc.constantFrom('', ' ', '-', '  ', ' - ', '\t'),
    });
    fc.assert(
      fc.property(codeArb, fc.array(variant, { minLength: 16, maxLength: 16 }), fc.constantFrom('', ' '), (c, vs, pad) => {
        const typed =
          pad +
          [...c]
            .map((ch, i) => {
              const v = vs[i]!;
              let t = ch;
              if (v.alias && ch === '0') t = 'O';
              if (v.alias && ch === '1') t = i % 2 ? 'I' : 'L';
              if (v.lower) t = t.toLowerCase();
              return t + v.sep;
            })
            .join('') +
          pad;
        expect(okValue(parseCreditCode(typed))).toBe(c);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatCreditCode', () => {
  it('groups a canonical code by four', () => {
    expect(formatCreditCode('K3F92QRMX7TD8W5C')).toBe('K3F9-2QRM-X7TD-8W5C');
    expect(formatCreditCode('0000000000000000')).toBe('0000-0000-0000-0000');
  });

  it('parse(format(code)) === code', () => {
    fc.assert(
      fc.property(codeArb, (code) => {
        const printed = formatCreditCode(code);
        expect(printed).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
        expect(printed.replace(/-/g, '')).toBe(code);
        expect(okValue(parseCreditCode(printed))).toBe(code);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- Ledger ---------------------------------------------------------------------------------

const AT = '2026-03-01T10:00:00+01:00';
const NOW = '2026-06-01T12:00:00Z';
const ev = (kind: CreditEventKind, amount: number, at = AT): CreditEvent => ({ kind, amount, at });

/** Applies events one by one, failing the test on a refusal. */
function ledger(...events: CreditEvent[]): CreditEvent[] {
  return okValue(checkLedger(events));
}

const state = (events: CreditEvent[], expiresAt: string | null = null, now = NOW): CreditState =>
  creditState(events, now, expiresAt);

describe('creditState', () => {
  it('an issued code is active with its whole value', () => {
    expect(state(ledger(ev('issue', 5000)))).toEqual({ balance: 5000, status: 'active', issued: 5000, redeemed: 0 });
  });

  it('a partial redemption leaves the rest', () => {
    expect(state(ledger(ev('issue', 5000), ev('redeem', -1250)))).toEqual({
      balance: 3750,
      status: 'active',
      issued: 5000,
      redeemed: 1250,
    });
  });

  it('a fully redeemed code is spent; a restore makes it active again; redeemed is net', () => {
    const spent = ledger(ev('issue', 5000), ev('redeem', -3000), ev('redeem', -2000));
    expect(state(spent)).toEqual({ balance: 0, status: 'spent', issued: 5000, redeemed: 5000 });
    expect(state(ledger(...spent, ev('restore', 2000)))).toEqual({
      balance: 2000,
      status: 'active',
      issued: 5000,
      redeemed: 3000,
    });
  });

  it('adjustments change the balance, not issued or redeemed', () => {
    expect(state(ledger(ev('issue', 5000), ev('adjust', 500), ev('adjust', -1500)))).toEqual({
      balance: 4000,
      status: 'active',
      issued: 5000,
      redeemed: 0,
    });
  });

  it('an expire event makes it expired with balance 0, even without an expiry date', () => {
    const l = ledger(ev('issue', 5000), ev('redeem', -1000), ev('expire', -4000));
    expect(state(l)).toEqual({ balance: 0, status: 'expired', issued: 5000, redeemed: 1000 });
  });

  it('a void event makes it void (before expired and spent)', () => {
    expect(state(ledger(ev('issue', 5000), ev('void', -5000)))).toMatchObject({ balance: 0, status: 'void' });
    expect(state(ledger(ev('issue', 5000), ev('void', -5000)), '2026-01-01T00:00:00Z')).toMatchObject({
      status: 'void',
    });
  });

  it('is expired once expiresAt ≤ now, before any expire event, still showing the balance', () => {
    const l = ledger(ev('issue', 5000));
    expect(state(l, '2026-06-01T11:59:59Z')).toEqual({ balance: 5000, status: 'expired', issued: 5000, redeemed: 0 });
    expect(state(l, NOW).status).toBe('expired'); // at the very instant
    expect(state(l, '2026-06-01T12:00:01Z').status).toBe('active');
    expect(state(l, null).status).toBe('active');
    expect(state(ledger(ev('issue', 100), ev('redeem', -100)), NOW).status).toBe('expired'); // expired over spent
  });

  it('compares instants, not text: offsets may differ', () => {
    const l = ledger(ev('issue', 5000));
    // 2026-06-01T13:30+02:00 is 11:30Z: before now, although its text sorts after NOW's
    expect(state(l, '2026-06-01T13:30:00+02:00').status).toBe('expired');
    // 2026-06-01T08:30-04:00 is 12:30Z: after now, although its text sorts before
    expect(state(l, '2026-06-01T08:30:00-04:00').status).toBe('active');
  });

  it('throws RangeError for text that is not an ISO instant', () => {
    const l = ledger(ev('issue', 5000));
    expect(() => creditState(l, 'tomorrow', null)).toThrow(RangeError);
    expect(() => creditState(l, NOW, 'never')).toThrow(RangeError);
  });

  it('an empty ledger has nothing to spend', () => {
    expect(state([])).toEqual({ balance: 0, status: 'spent', issued: 0, redeemed: 0 });
  });
});

describe('creditBalance', () => {
  it('is the sum of the amounts', () => {
    expect(creditBalance([])).toBe(0);
    expect(creditBalance(ledger(ev('issue', 5000), ev('redeem', -1200), ev('restore', 200), ev('adjust', -1)))).toBe(3999);
  });
});

describe('canRedeem', () => {
  const active = state(ledger(ev('issue', 5000), ev('redeem', -1000)));

  it('allows a partial or an exact redemption, returning the amount', () => {
    expect(okValue(canRedeem(active, 1))).toBe(1);
    expect(okValue(canRedeem(active, 2500))).toBe(2500);
    expect(okValue(canRedeem(active, 4000))).toBe(4000);
  });

  it('refuses more than the balance: credit.insufficient {balance}', () => {
    expect(problemOf(canRedeem(active, 4001))).toEqual({ code: 'credit.insufficient', params: { balance: money(4000) } });
    const spent = state(ledger(ev('issue', 100), ev('redeem', -100)));
    expect(problemOf(canRedeem(spent, 1))).toEqual({ code: 'credit.insufficient', params: { balance: money(0) } });
  });

  it('refuses an amount that is not a positive safe integer: credit.bad_amount', () => {
    for (const a of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(problemOf(canRedeem(active, a))).toEqual({ code: 'credit.bad_amount' });
    }
  });

  it('refuses an expired code (by date or by event): credit.expired', () => {
    const l = ledger(ev('issue', 5000));
    expect(problemOf(canRedeem(state(l, '2026-05-31T00:00:00Z'), 100))).toEqual({ code: 'credit.expired' });
    expect(problemOf(canRedeem(state(ledger(...l, ev('expire', -5000))), 100))).toEqual({ code: 'credit.expired' });
  });

  it('refuses a void code: credit.void — before looking at the amount', () => {
    const v = state(ledger(ev('issue', 5000), ev('void', -5000)));
    expect(problemOf(canRedeem(v, 100))).toEqual({ code: 'credit.void' });
    expect(problemOf(canRedeem(v, -1))).toEqual({ code: 'credit.void' });
    expect(problemOf(canRedeem(state(ledger(ev('issue', 5000)), '2020-01-01T00:00:00Z'), 0))).toEqual({
      code: 'credit.expired',
    });
  });
});

describe('redeemUpTo', () => {
  const active = state(ledger(ev('issue', 3000)));

  it('takes min(balance, due): the rest is paid otherwise, or stays on the code', () => {
    expect(okValue(redeemUpTo(active, 5000))).toBe(3000);
    expect(okValue(redeemUpTo(active, 1200))).toBe(1200);
    expect(okValue(redeemUpTo(active, 3000))).toBe(3000);
  });

  it('refuses a spent, expired or void code and a bad amount', () => {
    expect(problemOf(redeemUpTo(state(ledger(ev('issue', 1), ev('redeem', -1))), 10))).toEqual({
      code: 'credit.insufficient',
      params: { balance: money(0) },
    });
    expect(problemOf(redeemUpTo(state(ledger(ev('issue', 1)), '2020-01-01T00:00:00Z'), 10)).code).toBe('credit.expired');
    expect(problemOf(redeemUpTo(state(ledger(ev('issue', 1), ev('void', -1))), 10)).code).toBe('credit.void');
    expect(problemOf(redeemUpTo(active, 0)).code).toBe('credit.bad_amount');
    expect(problemOf(redeemUpTo(active, 0.5)).code).toBe('credit.bad_amount');
  });
});

describe('applyEvent', () => {
  const issued = ledger(ev('issue', 5000));

  it('appends to a new array and leaves the input untouched', () => {
    const frozen = Object.freeze([...issued]) as CreditEvent[];
    const next = okValue(applyEvent(frozen, ev('redeem', -100)));
    expect(next).toHaveLength(2);
    expect(frozen).toHaveLength(1);
    expect(next).not.toBe(frozen);
    expect(next[1]).toEqual(ev('redeem', -100));
  });

  it('keeps the extra fields of the event', () => {
    const e: CreditEvent = { kind: 'adjust', amount: 200, at: AT, by: 'u7', reason: 'goodwill', ref: 'S-12' };
    expect(okValue(applyEvent(issued, e))[1]).toEqual(e);
  });

  it('issue: first and only once, with a positive amount', () => {
    expect(okValue(applyEvent([], ev('issue', 1)))).toHaveLength(1);
    expect(problemOf(applyEvent(issued, ev('issue', 100)))).toEqual({ code: 'credit.already_issued' });
    expect(problemOf(applyEvent([], ev('issue', 0)))).toEqual({ code: 'credit.bad_amount' });
    expect(problemOf(applyEvent([], ev('issue', -100)))).toEqual({ code: 'credit.bad_amount' });
  });

  it('nothing comes before the issue: credit.not_issued', () => {
    for (const kind of ['redeem', 'restore', 'expire', 'void', 'adjust'] as const) {
      expect(problemOf(applyEvent([], ev(kind, kind === 'redeem' ? -1 : 0)))).toEqual({ code: 'credit.not_issued' });
    }
  });

  it('redeem: negative, within the balance', () => {
    expect(creditBalance(okValue(applyEvent(issued, ev('redeem', -5000))))).toBe(0);
    expect(problemOf(applyEvent(issued, ev('redeem', -5001)))).toEqual({
      code: 'credit.insufficient',
      params: { balance: money(5000) },
    });
    expect(problemOf(applyEvent(issued, ev('redeem', 100)))).toEqual({ code: 'credit.bad_amount' });
    expect(problemOf(applyEvent(issued, ev('redeem', 0)))).toEqual({ code: 'credit.bad_amount' });
  });

  it('restore: positive, at most what was redeemed and not yet restored', () => {
    const l = ledger(ev('issue', 5000), ev('redeem', -3000), ev('restore', 1000));
    expect(creditBalance(okValue(applyEvent(l, ev('restore', 2000))))).toBe(5000);
    expect(problemOf(applyEvent(l, ev('restore', 2001)))).toEqual({
      code: 'credit.restore_exceeds',
      params: { redeemed: money(2000) },
    });
    expect(problemOf(applyEvent(issued, ev('restore', 1)))).toEqual({
      code: 'credit.restore_exceeds',
      params: { redeemed: money(0) },
    });
    expect(problemOf(applyEvent(l, ev('restore', -1)))).toEqual({ code: 'credit.bad_amount' });
    expect(problemOf(applyEvent(l, ev('restore', 0)))).toEqual({ code: 'credit.bad_amount' });
  });

  it('a restore works on a spent code', () => {
    const spent = ledger(ev('issue', 5000), ev('redeem', -5000));
    expect(state(okValue(applyEvent(spent, ev('restore', 5000))))).toMatchObject({ balance: 5000, status: 'active' });
  });

  it('expire and void take exactly the remaining balance (0 for a spent code)', () => {
    const l = ledger(ev('issue', 5000), ev('redeem', -1000));
    for (const kind of ['expire', 'void'] as const) {
      expect(creditBalance(okValue(applyEvent(l, ev(kind, -4000))))).toBe(0);
      for (const wrong of [-3999, -4001, 0, 4000, -5000]) {
        expect(problemOf(applyEvent(l, ev(kind, wrong)))).toEqual({
          code: 'credit.bad_amount',
          params: { expected: money(-4000) },
        });
      }
      expect(okValue(applyEvent(ledger(ev('issue', 1), ev('redeem', -1)), ev(kind, 0)))).toHaveLength(3);
    }
  });

  it('adjust: non-zero, either sign, never below zero', () => {
    expect(creditBalance(okValue(applyEvent(issued, ev('adjust', 250))))).toBe(5250);
    expect(creditBalance(okValue(applyEvent(issued, ev('adjust', -5000))))).toBe(0);
    expect(problemOf(applyEvent(issued, ev('adjust', -5001)))).toEqual({
      code: 'credit.insufficient',
      params: { balance: money(5000) },
    });
    expect(problemOf(applyEvent(issued, ev('adjust', 0)))).toEqual({ code: 'credit.bad_amount' });
    const spent = ledger(ev('issue', 100), ev('redeem', -100));
    expect(creditBalance(okValue(applyEvent(spent, ev('adjust', 100))))).toBe(100);
  });

  it('refuses amounts that are not safe integers, and a balance that would overflow', () => {
    for (const a of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(problemOf(applyEvent([], ev('issue', a)))).toEqual({ code: 'credit.bad_amount' });
      expect(problemOf(applyEvent(issued, ev('adjust', a)))).toEqual({ code: 'credit.bad_amount' });
      expect(problemOf(applyEvent(issued, ev('redeem', -a)))).toEqual({ code: 'credit.bad_amount' });
    }
    const big = ledger(ev('issue', Number.MAX_SAFE_INTEGER));
    expect(problemOf(applyEvent(big, ev('adjust', 1)))).toEqual({ code: 'credit.bad_amount' });
  });

  it('nothing comes after a void (credit.void) or an expire (credit.expired)', () => {
    const voided = ledger(ev('issue', 5000), ev('redeem', -1000), ev('void', -4000));
    const expired = ledger(ev('issue', 5000), ev('redeem', -1000), ev('expire', -4000));
    const attempts = [
      ev('issue', 100),
      ev('redeem', -1),
      ev('restore', 1000),
      ev('expire', 0),
      ev('void', 0),
      ev('adjust', 100),
    ];
    for (const e of attempts) {
      expect(problemOf(applyEvent(voided, e))).toEqual({ code: 'credit.void' });
      expect(problemOf(applyEvent(expired, e))).toEqual({ code: 'credit.expired' });
    }
  });

  it('refuses an unknown kind: credit.bad_event', () => {
    const odd = { kind: 'gift', amount: 1, at: AT } as unknown as CreditEvent;
    expect(problemOf(applyEvent(issued, odd))).toEqual({ code: 'credit.bad_event', params: { kind: 'gift' } });
  });
});

describe('closingEvent', () => {
  it('takes the remaining balance, and is accepted', () => {
    const l = ledger(ev('issue', 5000), ev('redeem', -1200));
    const e = closingEvent(l, 'expire', NOW, { ref: 'batch-7' });
    expect(e).toEqual({ kind: 'expire', amount: -3800, at: NOW, ref: 'batch-7' });
    expect(state(okValue(applyEvent(l, e)))).toMatchObject({ balance: 0, status: 'expired' });
    const v = closingEvent(l, 'void', NOW, { by: 'sup1', reason: 'stolen' });
    expect(v).toEqual({ kind: 'void', amount: -3800, at: NOW, by: 'sup1', reason: 'stolen' });
  });

  it('is 0, not -0, on a spent code', () => {
    const e = closingEvent(ledger(ev('issue', 1), ev('redeem', -1)), 'void', NOW);
    expect(Object.is(e.amount, 0)).toBe(true);
  });
});

describe('checkLedger', () => {
  it('returns a sound ledger, or the first refusal with its index', () => {
    const good = [ev('issue', 5000), ev('redeem', -1000), ev('restore', 500)];
    expect(okValue(checkLedger(good))).toEqual(good);
    expect(problemOf(checkLedger([...good, ev('redeem', -9000), ev('issue', 1)]))).toEqual({
      code: 'credit.insufficient',
      params: { balance: money(4500), index: 3 },
    });
    expect(problemOf(checkLedger([ev('redeem', -1)]))).toEqual({ code: 'credit.not_issued', params: { index: 0 } });
    expect(okValue(checkLedger([]))).toEqual([]);
  });
});

// ---- Properties of the ledger ---------------------------------------------------------------

/** An operation: an amount, or the whole remaining balance (signed by kind). */
type Op = { kind: CreditEventKind; amount: number | 'rest' };

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<CreditEventKind>('issue', 'redeem', 'redeem', 'restore', 'adjust', 'expire', 'void'),
  amount: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -6000, max: 6000 }) },
    { weight: 2, arbitrary: fc.constant<'rest'>('rest') },
    { weight: 1, arbitrary: fc.constantFrom(0, 0.5, Number.NaN) },
  ),
});

/** A plain model of the rules, written independently of the implementation. */
interface Model {
  issued: boolean;
  closed: 'void' | 'expire' | null;
  balance: number;
  redeemedNet: number;
}

function modelAccepts(m: Model, kind: CreditEventKind, a: number): boolean {
  if (m.closed) return false;
  if (kind === 'issue') return !m.issued && Number.isInteger(a) && a > 0;
  if (!m.issued || !Number.isInteger(a)) return false;
  if (kind === 'redeem') return a < 0 && m.balance + a >= 0;
  if (kind === 'restore') return a > 0 && a <= m.redeemedNet;
  if (kind === 'adjust') return a !== 0 && m.balance + a >= 0;
  return a === -m.balance; // expire, void
}

describe('ledger properties', () => {
  it('for random operations: balance = Σ amounts ≥ 0, refusals change nothing, the model agrees', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        let events: CreditEvent[] = [];
        const m: Model = { issued: false, closed: null, balance: 0, redeemedNet: 0 };
        for (const op of ops) {
          const amount =
            op.amount !== 'rest'
              ? op.amount
              : op.kind === 'issue' || op.kind === 'restore' || op.kind === 'adjust'
                ? m.balance
                : -m.balance;
          const e = ev(op.kind, amount);
          const before = events;
          const r = applyEvent(events, e);
          expect(r.ok).toBe(modelAccepts(m, op.kind, amount));
          if (r.ok) {
            events = r.value;
            m.balance += amount;
            if (op.kind === 'issue') m.issued = true;
            if (op.kind === 'redeem' || op.kind === 'restore') m.redeemedNet -= amount;
            if (op.kind === 'void' || op.kind === 'expire') m.closed = op.kind;
          } else {
            expect(events).toBe(before);
          }
          const sum = events.reduce((s, x) => s + x.amount, 0);
          const s = creditState(events, NOW, null);
          expect(s.balance).toBe(sum);
          expect(s.balance).toBe(m.balance);
          expect(s.balance).toBeGreaterThanOrEqual(0);
          expect(s.redeemed).toBe(m.redeemedNet);
          expect(s.redeemed).toBeGreaterThanOrEqual(0);
          const adjustments = events
            .filter((x) => x.kind === 'adjust' || x.kind === 'expire' || x.kind === 'void')
            .reduce((acc, x) => acc + x.amount, 0);
          expect(s.issued - s.redeemed + adjustments).toBe(s.balance);
          expect(s.status).toBe(
            m.closed === 'void' ? 'void' : m.closed === 'expire' ? 'expired' : m.balance === 0 ? 'spent' : 'active',
          );
        }
        expect(okValue(checkLedger(events))).toEqual(events);
      }),
      { numRuns: 1500 },
    );
  });

  it('a redemption that canRedeem allows is accepted by applyEvent and leaves balance − amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 30_000 }), { maxLength: 10 }),
        (value, wants) => {
          let events = ledger(ev('issue', value));
          for (const want of wants) {
            const before = creditState(events, NOW, null).balance;
            const allowed = canRedeem(creditState(events, NOW, null), want);
            const applied = applyEvent(events, ev('redeem', -want));
            expect(applied.ok).toBe(allowed.ok);
            if (applied.ok) {
              events = applied.value;
              expect(creditBalance(events)).toBe(before - want);
            } else {
              expect(problemOf(allowed)).toEqual({ code: 'credit.insufficient', params: { balance: money(before) } });
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('expiry in the store\'s calendar', () => {
  it('endOfDay is the midnight that ends the day in the zone, across summer time', () => {
    expect(endOfDay('2027-11-21', 'Europe/Madrid')).toBe('2027-11-21T23:00:00.000Z');
    expect(endOfDay('2027-03-27', 'Europe/Madrid')).toBe('2027-03-27T23:00:00.000Z'); // the clocks go forward that night at 02:00
    expect(endOfDay('2027-03-28', 'Europe/Madrid')).toBe('2027-03-28T22:00:00.000Z');
    expect(endOfDay('2027-10-31', 'Europe/Madrid')).toBe('2027-10-31T23:00:00.000Z');
    expect(endOfDay('2027-12-31', 'UTC')).toBe('2028-01-01T00:00:00.000Z');
    expect(endOfDay('2027-12-31', 'America/Mexico_City')).toBe('2028-01-01T06:00:00.000Z');
  });

  it('validUntil: a code ending at a midnight is valid through the day before; otherwise the day and the time', () => {
    for (const day of ['2027-11-21', '2027-03-27', '2027-03-28', '2027-10-31']) expect(validUntil(endOfDay(day, 'Europe/Madrid'), 'Europe/Madrid')).toEqual({ day, time: null });
    expect(validUntil('2027-11-21T10:15:00.000Z', 'Europe/Madrid')).toEqual({ day: '2027-11-21', time: '11:15' });
    // the store's day, not UTC's: 23:30 UTC is already the next day in Madrid
    expect(validUntil('2027-11-21T23:30:00.000Z', 'Europe/Madrid')).toEqual({ day: '2027-11-22', time: '00:30' });
    expect(validUntil('2027-11-22T00:00:00+01:00', 'Europe/Madrid')).toEqual({ day: '2027-11-21', time: null });
  });
});
