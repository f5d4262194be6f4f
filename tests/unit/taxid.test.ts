import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EU_VAT_PREFIXES,
  euVatPrefix,
  isEuCountry,
  normalizeTaxId,
  TAX_ID_KINDS,
  validateTaxId,
} from '../../src/core/taxid.js';

// ---- independent reference implementations (written from the published rules, not from the module) ----

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = DIGITS + LETTERS;
const ds = (s: string): number[] => [...s].map(Number);
const dot = (s: string, w: number[]): number => ds(s).reduce((acc, d, i) => acc + d * (w[i] ?? 0), 0);

/** Spain, DNI/NIE/K-L-M: the letter of the number mod 23. */
const refNifLetter = (n: string): string => 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(BigInt(n) % 23n)]!;

/** Spain, CIF: the accepted last characters (digit and/or letter) for an organisation letter. */
function refCifAccepted(org: string, d7: string): string[] {
  const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]; // digit sum of 2 × d
  const sum = ds(d7).reduce((acc, d, i) => acc + ((i + 1) % 2 === 1 ? DOUBLED[d]! : d), 0);
  const c = (10 - (sum % 10)) % 10;
  const digit = String(c);
  const letter = 'JABCDEFGHI'[c]!;
  if ('PQRSWN'.includes(org)) return [letter];
  if ('ABEH'.includes(org)) return [digit];
  return [digit, letter];
}

/** Ecuador, cédula: Σ (coefficient 2,1,2,…,1 over all 10 digits, products > 9 minus 9) ≡ 0 mod 10. */
const refCedulaValid = (s: string): boolean =>
  ds(s).reduce((acc, d, i) => {
    const p = d * (i % 2 === 0 ? 2 : 1);
    return acc + (p > 9 ? p - 9 : p);
  }, 0) %
    10 ===
  0;
/** Ecuador, RUC of a private company: Σ 4,3,2,7,6,5,4,3,2,1 ≡ 0 mod 11. */
const refRucPrivateValid = (s: string): boolean => dot(s, [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]) % 11 === 0;
/** Ecuador, RUC of a public entity: Σ 3,2,7,6,5,4,3,2,1 ≡ 0 mod 11. */
const refRucPublicValid = (s: string): boolean => dot(s, [3, 2, 7, 6, 5, 4, 3, 2, 1]) % 11 === 0;

/** Mexico, RFC: value of a character in the SAT table. */
function rfcValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'N') return 10 + c.charCodeAt(0) - 65;
  if (c === '&') return 24;
  if (c >= 'O' && c <= 'Z') return 25 + c.charCodeAt(0) - 79;
  if (c === ' ') return 37;
  if (c === 'Ñ') return 38;
  throw new Error(`no RFC value for ${c}`);
}
/** Mexico, RFC: Σ value × (13 − i) over the 12 padded characters + value(check) ≡ 0 mod 11. */
function refRfcValid(rfc: string): boolean {
  const padded = rfc.length === 12 ? ' ' + rfc : rfc;
  const check = padded.slice(-1);
  if (!/^[0-9A]$/.test(check)) return false;
  const sum = [...padded.slice(0, 12)].reduce((acc, c, i) => acc + rfcValue(c) * (13 - i), 0);
  return (sum + (check === 'A' ? 10 : Number(check))) % 11 === 0;
}

/** The standard Luhn test of a whole number. */
const refLuhnValid = (s: string): boolean =>
  ds(s)
    .reverse()
    .reduce((acc, d, i) => acc + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0) %
    10 ===
  0;

/** ISO 7064 MOD 11,10 test of a whole number (the recursive form of the standard). */
function refIso7064Valid(s: string): boolean {
  let check = 5;
  for (const d of ds(s)) check = ((((check || 10) * 2) % 11) + d) % 10;
  return check === 1;
}

/** EU VAT: the reference validity of a body (the part after the prefix) for each checked country. */
const REF_VAT: Record<string, (b: string) => boolean> = {
  AT: (b) => {
    const sum = ds(b.slice(1, 8)).reduce((acc, d, i) => acc + (i % 2 === 1 ? (2 * d > 9 ? 2 * d - 9 : 2 * d) : d), 0);
    return (sum + 4 + Number(b[8])) % 10 === 0;
  },
  BE: (b) => Number(b.slice(8)) >= 1 && Number(b.slice(8)) <= 97 && (BigInt(b.slice(0, 8)) + BigInt(b.slice(8))) % 97n === 0n,
  CY: (b) => {
    const T = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
    const sum = ds(b.slice(0, 8)).reduce((acc, d, i) => acc + (i % 2 === 0 ? T[d]! : d), 0);
    return LETTERS[sum % 26] === b[8];
  },
  DE: refIso7064Valid,
  DK: (b) => dot(b, [2, 7, 6, 5, 4, 3, 2, 1]) % 11 === 0,
  EE: (b) => dot(b, [3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 === 0,
  EL: (b) => (ds(b.slice(0, 8)).reduce((acc, d, i) => acc + d * 2 ** (8 - i), 0) % 11) % 10 === Number(b[8]),
  FI: (b) => dot(b, [7, 9, 10, 5, 8, 4, 2, 1]) % 11 === 0,
  FR: (b) => !/^\d\d/.test(b) || BigInt(b.slice(2) + '12') % 97n === BigInt(b.slice(0, 2)),
  HR: refIso7064Valid,
  HU: (b) => dot(b, [9, 7, 3, 1, 9, 7, 3, 1]) % 10 === 0,
  IT: refLuhnValid,
  LU: (b) => BigInt(b.slice(0, 6)) % 89n === BigInt(b.slice(6)),
  MT: (b) => {
    const c = Number(b.slice(6));
    return c >= 1 && c <= 37 && (dot(b, [3, 4, 6, 7, 8, 9]) + c) % 37 === 0;
  },
  PL: (b) => dot(b, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11 === Number(b[9]),
  PT: (b) => {
    const c = 11 - (dot(b, [9, 8, 7, 6, 5, 4, 3, 2]) % 11);
    return (c >= 10 ? 0 : c) === Number(b[8]);
  },
  SE: (b) => refLuhnValid(b.slice(0, 10)) && b.endsWith('01'),
  SI: (b) => {
    const c = 11 - (dot(b, [8, 7, 6, 5, 4, 3, 2]) % 11);
    return c !== 11 && (c === 10 ? 0 : c) === Number(b[7]);
  },
  SK: (b) => BigInt(b) % 11n === 0n,
};

// ---- generators -----------------------------------------------------------------------------

const digitsArb = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const charArb = (chars: string): fc.Arbitrary<string> => fc.constantFrom(...chars);
const join = (...parts: fc.Arbitrary<string>[]): fc.Arbitrary<string> => fc.tuple(...parts).map((p) => p.join(''));
const nonZeroLead = (n: number): fc.Arbitrary<string> => join(charArb('123456789'), digitsArb(n - 1));
const pairs = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Every candidate `c` for which `validateTaxId(country, build(c))` is accepted. */
function acceptedCandidates(country: string, candidates: string | readonly string[], build: (c: string) => string): string[] {
  return [...candidates].filter((c) => validateTaxId(country, build(c)).ok);
}

/** All the ids that differ from `id` by one digit at one of `positions`. */
function substitutions(id: string, positions: number[]): string[] {
  const out: string[] = [];
  for (const i of positions) {
    for (const d of DIGITS) if (d !== id[i]) out.push(id.slice(0, i) + d + id.slice(i + 1));
  }
  return out;
}

/** All the ids with two adjacent, different digits swapped, within `positions`. */
function transpositions(id: string, positions: number[]): string[] {
  const out: string[] = [];
  for (const i of positions) {
    const a = id[i]!;
    const b = id[i + 1]!;
    if (positions.includes(i + 1) && a !== b && /\d/.test(a) && /\d/.test(b)) {
      out.push(id.slice(0, i) + b + a + id.slice(i + 2));
    }
  }
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

const problemOf = (country: string, id: string): unknown => {
  const r = validateTaxId(country, id);
  return r.ok ? r.value : r.problem;
};

// ---- tests ----------------------------------------------------------------------------------

describe('the reference implementations', () => {
  it('agree with published examples', () => {
    expect(refNifLetter('12345678')).toBe('Z');
    expect(refNifLetter('01234567')).toBe('L'); // X1234567L
    expect(refCifAccepted('B', '1234567')).toEqual(['4']);
    expect(refCifAccepted('A', '5881850')).toEqual(['1']);
    expect(refCifAccepted('Q', '2826000')).toEqual(['H']); // Agencia Tributaria
    expect(refCedulaValid('1714307103')).toBe(true);
    expect(refRucPrivateValid('1792060346')).toBe(true);
    expect(refRucPublicValid('176000155')).toBe(true);
    expect(refRfcValid('GODE561231GR8')).toBe(true);
    expect(refRfcValid('MAB9307148T4')).toBe(true);
    expect(refLuhnValid('79927398713')).toBe(true);
    expect(refIso7064Valid('136695976')).toBe(true);
    expect(REF_VAT.PT!('501964843')).toBe(true);
    expect(REF_VAT.BE!('0428759497')).toBe(true);
  });
});

describe('normalization', () => {
  it('upper-cases and strips spaces, dots and dashes', () => {
    expect(normalizeTaxId(' 12.345.678-z ')).toBe('12345678Z');
    expect(normalizeTaxId('gode 561231 gr8')).toBe('GODE561231GR8');
    expect(normalizeTaxId('muñ\t851231 8q0')).toBe('MUÑ8512318Q0');
    expect(normalizeTaxId('de\u2013136\u00a0695\u2009976')).toBe('DE136695976');
  });

  it('an empty id (or only separators) is taxid.empty', () => {
    for (const country of ['ES', 'EC', 'MX', 'DE', 'US', '']) {
      expect(validateTaxId(country, '')).toEqual({ ok: false, problem: { code: 'taxid.empty' } });
      expect(validateTaxId(country, ' .-. ')).toEqual({ ok: false, problem: { code: 'taxid.empty' } });
    }
  });

  it('the country code is case- and space-insensitive', () => {
    expect(validateTaxId(' es ', '12345678z')).toEqual({ ok: true, value: { normalized: '12345678Z', kind: 'NIF' } });
    expect(validateTaxId('mx', 'gode-561231-gr8')).toEqual({ ok: true, value: { normalized: 'GODE561231GR8', kind: 'RFC persona física' } });
  });

  it('property: never throws; an accepted id is normalized, revalidates the same and has a documented kind', () => {
    const countries = ['ES', 'EC', 'MX', 'FR', 'DE', 'GR', 'XI', 'US', 'GB', ''];
    const idArb = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...'0123456789ABXYZKLMÑ&UEST -.'), maxLength: 16 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...countries), idArb, (country, id) => {
        const r = validateTaxId(country, id);
        if (!r.ok) {
          expect(r.problem.code).toMatch(/^taxid\.(empty|format|component|check|check_impossible)$/);
          return;
        }
        expect(r.value.normalized).not.toMatch(/[\s.-]/);
        expect(Object.keys(TAX_ID_KINDS)).toContain(r.value.kind);
        expect(validateTaxId(country, r.value.normalized)).toEqual(r);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Spain (ES)', () => {
  // Real ids: the examples of the brief, the doctests of python-stdnum (es/*, eu/vat: ids found
  // online) and CIFs published by well-known entities.
  const valid: [string, string][] = [
    ['12345678Z', 'NIF'],
    ['11111111H', 'NIF'],
    ['54362315K', 'NIF'],
    ['00000000T', 'NIF'],
    ['X1234567L', 'NIE'],
    ['X1111111G', 'NIE'],
    ['X5253868R', 'NIE'],
    ['X5277343Q', 'NIE'],
    ['Y5277343F', 'NIE'],
    ['Z5277343K', 'NIE'],
    ['x-2482300-w', 'NIE'],
    ['L1111111G', 'NIF-KLM'],
    ['M1234567L', 'NIF-KLM'],
    ['B12345674', 'CIF'],
    ['A58818501', 'CIF'],
    ['A11111119', 'CIF'],
    ['J99216582', 'CIF'],
    ['A28015865', 'CIF'], // Telefónica
    ['A46103834', 'CIF'], // Mercadona
    ['A15075062', 'CIF'], // Inditex
    ['A39000013', 'CIF'], // Banco Santander
    ['A78374725', 'CIF'], // Repsol
    ['A48010615', 'CIF'], // Iberdrola
    ['Q2826000H', 'CIF'], // Agencia Estatal de Administración Tributaria
    ['P2807900B', 'CIF'], // Ayuntamiento de Madrid
    ['Q0818001J', 'CIF'],
    ['Q-2818015-F', 'CIF'],
    ['R9600075G', 'CIF'],
    ['W4003922D', 'CIF'],
    ['F13005293', 'CIF'],
    ['F1300529C', 'CIF'], // F may use either form: 3 ↔ C
    ['U99216426', 'CIF'],
    ['V99218067', 'CIF'],
    ['A-28184661', 'CIF'],
    ['B-58378431', 'CIF'],
    ['B64240914', 'CIF'],
    ['B96902531', 'CIF'],
    ['a58951310', 'CIF'],
  ];

  it('accepts real NIF, NIE, CIF and K/L/M numbers', () => {
    for (const [id, kind] of valid) {
      expect(validateTaxId('ES', id), id).toEqual({ ok: true, value: { normalized: normalizeTaxId(id), kind } });
    }
  });

  it('names the rule that failed and the right control character', () => {
    expect(problemOf('ES', '12345678Y')).toEqual({ code: 'taxid.check', params: { kind: 'NIF', rule: 'control letter', expected: 'Z' } });
    expect(problemOf('ES', '12345687Z')).toEqual({ code: 'taxid.check', params: { kind: 'NIF', rule: 'control letter', expected: 'T' } });
    expect(problemOf('ES', '11111111T')).toEqual({ code: 'taxid.check', params: { kind: 'NIF', rule: 'control letter', expected: 'H' } });
    expect(problemOf('ES', 'Y1234567L')).toEqual({ code: 'taxid.check', params: { kind: 'NIE', rule: 'control letter', expected: 'X' } });
    expect(problemOf('ES', 'X1111111A')).toEqual({ code: 'taxid.check', params: { kind: 'NIE', rule: 'control letter', expected: 'G' } });
    expect(problemOf('ES', 'L1111111C')).toEqual({ code: 'taxid.check', params: { kind: 'NIF-KLM', rule: 'control letter', expected: 'G' } });
    expect(problemOf('ES', 'B12345675')).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control digit', expected: '4' } });
    expect(problemOf('ES', 'A11111118')).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control digit', expected: '9' } });
    // A, B, E, H must use the digit; P, Q, R, S, W, N the letter; the others either.
    expect(problemOf('ES', 'B1234567D')).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control digit', expected: '4' } });
    expect(problemOf('ES', 'P28079002')).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control letter', expected: 'B' } });
    expect(problemOf('ES', 'F1300529D')).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control character', expected: '3/C' } });
  });

  it('rejects malformed ids with the expected format', () => {
    expect(problemOf('ES', '1234567Z')).toEqual({ code: 'taxid.format', params: { kind: 'NIF', expected: '99999999A' } });
    expect(problemOf('ES', '123456789')).toEqual({ code: 'taxid.format', params: { kind: 'NIF', expected: '99999999A' } });
    expect(problemOf('ES', 'X12345678L')).toEqual({ code: 'taxid.format', params: { kind: 'NIE', expected: '[XYZ]9999999A' } });
    expect(problemOf('ES', 'K123456L')).toEqual({ code: 'taxid.format', params: { kind: 'NIF-KLM', expected: '[KLM]9999999A' } });
    expect(problemOf('ES', 'B1234567')).toEqual({ code: 'taxid.format', params: { kind: 'CIF', expected: '[ABCDEFGHJNPQRSUVW]9999999X' } });
    expect(problemOf('ES', 'B123456a4')).toEqual({ code: 'taxid.format', params: { kind: 'CIF', expected: '[ABCDEFGHJNPQRSUVW]9999999X' } });
    const anyFormat = { code: 'taxid.format', params: { kind: 'NIF', expected: '99999999A | [XYZ]9999999A | [KLM]9999999A | [ABCDEFGHJNPQRSUVW]9999999X' } };
    expect(problemOf('ES', 'I2345678Z')).toEqual(anyFormat); // I, O, T… start no Spanish id
    expect(problemOf('ES', 'O12345674')).toEqual(anyFormat);
    expect(problemOf('ES', '12345678Z/')).toEqual({ code: 'taxid.format', params: { kind: 'NIF', expected: '99999999A' } });
  });

  it('with the ES prefix it is the Spanish VAT number (same rules)', () => {
    expect(validateTaxId('ES', 'ES B12345674')).toEqual({ ok: true, value: { normalized: 'ESB12345674', kind: 'VAT-ES' } });
    expect(validateTaxId('ES', 'es-x-2482300-w')).toEqual({ ok: true, value: { normalized: 'ESX2482300W', kind: 'VAT-ES' } });
    expect(validateTaxId('DE', 'ES12345678Z')).toEqual({ ok: true, value: { normalized: 'ES12345678Z', kind: 'VAT-ES' } });
    expect(problemOf('ES', 'ES12345678Y')).toEqual({ code: 'taxid.check', params: { kind: 'NIF', rule: 'control letter', expected: 'Z' } });
    expect(problemOf('FR', 'ESB1234567D')).toEqual({ code: 'taxid.check', params: { kind: 'CIF', rule: 'control digit', expected: '4' } });
  });

  it('every valid example: one digit changed or two adjacent digits swapped is rejected', () => {
    for (const [raw, kind] of valid) {
      const id = normalizeTaxId(raw);
      const digitPositions = range(0, 9).filter((i) => /\d/.test(id[i]!));
      const body = digitPositions.filter((i) => i < 8);
      for (const bad of substitutions(id, body)) expect(validateTaxId('ES', bad).ok, `${bad} from ${id}`).toBe(false);
      // mod 23 catches every adjacent transposition; the CIF sum (Luhn-like) all but 0↔9.
      for (const bad of transpositions(id, body)) {
        if (kind === 'CIF' && /09|90/.test(id.slice(1, 8))) continue;
        expect(validateTaxId('ES', bad).ok, `${bad} from ${id}`).toBe(false);
      }
    }
  });

  it('property NIF: exactly one control letter, the mod 23 one; catches digit changes and swaps', () => {
    fc.assert(
      fc.property(digitsArb(8), (n) => {
        expect(acceptedCandidates('ES', LETTERS, (c) => n + c)).toEqual([refNifLetter(n)]);
        const id = n + refNifLetter(n);
        for (const bad of [...substitutions(id, range(0, 8)), ...transpositions(id, range(0, 8))]) {
          expect(validateTaxId('ES', bad).ok).toBe(false);
        }
      }),
    );
  });

  it('property NIE and K/L/M: exactly one control letter', () => {
    fc.assert(
      fc.property(charArb('XYZ'), digitsArb(7), (x, n) => {
        const expected = refNifLetter(String('XYZ'.indexOf(x)) + n);
        expect(acceptedCandidates('ES', LETTERS, (c) => x + n + c)).toEqual([expected]);
        expect(validateTaxId('ES', x + n + expected)).toEqual({ ok: true, value: { normalized: x + n + expected, kind: 'NIE' } });
      }),
    );
    fc.assert(
      fc.property(charArb('KLM'), digitsArb(7), (k, n) => {
        expect(acceptedCandidates('ES', LETTERS, (c) => k + n + c)).toEqual([refNifLetter(n)]);
      }),
    );
  });

  it('property CIF: the accepted control characters are exactly the digit and/or letter of the rule', () => {
    fc.assert(
      fc.property(charArb('ABCDEFGHJNPQRSUVW'), digitsArb(7), (org, n) => {
        expect(acceptedCandidates('ES', ALNUM, (c) => org + n + c).sort()).toEqual(refCifAccepted(org, n).sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('Ecuador (EC)', () => {
  // Real ids from the doctests of python-stdnum (ec/ci, ec/ruc), plus computed ones.
  const cedulas = ['1714307103', '171430710-3', '0602910945', '0926687856', '0910005917', '1001152287', '1803557964'];
  const rucNatural = ['0101016905001', '0602910945001', '1104552037001', '1311919078001', '1710034065001', '1721788659001'];
  const rucPublic = ['0160000510001', '0460027250001', '0968529830001', '1160836120001', '1760001550001', '1768152130001', '1865011360001', '2160011760001'];
  const rucPrivate = ['0190115798001', '0690045389001', '0990138850001', '0992397535001', '1790011674001', '1791240448001', '1792060346001', '1792060346-001', '1890037646001'];

  it('accepts real cédulas and RUCs of each kind, and the consumidor final', () => {
    const expectKind = (ids: string[], kind: string): void => {
      for (const id of ids) expect(validateTaxId('EC', id), id).toEqual({ ok: true, value: { normalized: normalizeTaxId(id), kind } });
    };
    expectKind(cedulas, 'cédula');
    expectKind(['3012345678', '2404567899', '0550123459'], 'cédula'); // computed: provinces 30, 24, third digit 5
    expectKind(rucNatural, 'RUC persona natural');
    expectKind(rucPublic, 'RUC sector público');
    expectKind(rucPrivate, 'RUC sociedad privada');
    expectKind(['9999999999999', '9999999999-999'], 'consumidor final');
  });

  it('names the rule that failed', () => {
    expect(problemOf('EC', '1714307104')).toEqual({ code: 'taxid.check', params: { kind: 'cédula', rule: 'modulo 10', expected: '3' } });
    expect(problemOf('EC', '1784307108')).toEqual({
      code: 'taxid.component',
      params: { kind: 'cédula', rule: 'third digit', expected: '[0-5]', found: '8' },
    });
    for (const p of ['00', '25', '29', '31', '88']) {
      expect(problemOf('EC', p + '14307103')).toMatchObject({ code: 'taxid.component', params: { rule: 'province', found: p } });
    }
    expect(problemOf('EC', '9999999999')).toMatchObject({ code: 'taxid.component', params: { kind: 'cédula', rule: 'province' } });
    expect(problemOf('EC', '1714307104001')).toEqual({ code: 'taxid.check', params: { kind: 'RUC persona natural', rule: 'modulo 10', expected: '3' } });
    expect(problemOf('EC', '1714307103002')).toEqual({
      code: 'taxid.component',
      params: { kind: 'RUC persona natural', rule: 'establishment', expected: '001', found: '002' },
    });
    expect(problemOf('EC', '0190115799001')).toEqual({ code: 'taxid.check', params: { kind: 'RUC sociedad privada', rule: 'modulo 11', expected: '8' } });
    expect(problemOf('EC', '0992397535000')).toMatchObject({ code: 'taxid.component', params: { rule: 'establishment', found: '000' } });
    expect(problemOf('EC', '1768152120001')).toEqual({ code: 'taxid.check', params: { kind: 'RUC sector público', rule: 'modulo 11', expected: '3' } });
    expect(problemOf('EC', '0160000610001')).toEqual({ code: 'taxid.check_impossible', params: { kind: 'RUC sector público', rule: 'modulo 11' } });
    expect(problemOf('EC', '1760001550000')).toMatchObject({ code: 'taxid.component', params: { rule: 'establishment', found: '0000' } });
    expect(problemOf('EC', '0170000610001')).toEqual({ code: 'taxid.component', params: { kind: 'RUC', rule: 'third digit', expected: '[0-69]', found: '7' } });
    const format = { code: 'taxid.format', params: { kind: 'cédula/RUC', expected: '9999999999 | 9999999999999' } };
    expect(problemOf('EC', '171430710')).toEqual(format);
    expect(problemOf('EC', '179206034601')).toEqual(format);
    expect(problemOf('EC', '17920603A6001')).toEqual(format);
  });

  it('every valid example: one digit changed or two adjacent digits swapped in the checked part is rejected', () => {
    // (The third digit of a RUC chooses the rule: changed, the id may be valid as another kind.)
    for (const raw of cedulas) {
      const id = normalizeTaxId(raw);
      for (const bad of substitutions(id, range(0, 10))) expect(validateTaxId('EC', bad).ok, `${bad} from ${id}`).toBe(false);
    }
    for (const raw of [...rucNatural, ...rucPrivate]) {
      const id = normalizeTaxId(raw);
      for (const bad of substitutions(id, [0, 1, ...range(3, 10)])) expect(validateTaxId('EC', bad).ok, `${bad} from ${id}`).toBe(false);
    }
    for (const raw of rucPrivate) {
      const id = normalizeTaxId(raw);
      for (const bad of transpositions(id, range(0, 10))) expect(validateTaxId('EC', bad).ok, `${bad} from ${id}`).toBe(false);
    }
    for (const id of rucPublic) {
      for (const bad of substitutions(id, [0, 1, ...range(3, 9)])) expect(validateTaxId('EC', bad).ok, `${bad} from ${id}`).toBe(false);
    }
  });

  const province = fc.oneof(fc.integer({ min: 1, max: 24 }), fc.constant(30)).map((p) => String(p).padStart(2, '0'));

  it('property cédula and natural RUC: exactly one check digit, the modulo 10 one', () => {
    fc.assert(
      fc.property(province, charArb('012345'), digitsArb(6), (p, t, n) => {
        const body = p + t + n;
        const accepted = acceptedCandidates('EC', DIGITS, (c) => body + c);
        expect(accepted).toHaveLength(1);
        expect(refCedulaValid(body + accepted[0]!)).toBe(true);
        expect(acceptedCandidates('EC', DIGITS, (c) => body + c + '001')).toEqual(accepted);
      }),
    );
  });

  it('property private RUC: at most one check digit, exactly the modulo 11 one', () => {
    fc.assert(
      fc.property(province, digitsArb(6), digitsArb(3), (p, n, est) => {
        fc.pre(est !== '000');
        const body = p + '9' + n;
        const accepted = acceptedCandidates('EC', DIGITS, (c) => body + c + est);
        expect(accepted).toEqual([...DIGITS].filter((c) => refRucPrivateValid(body + c)));
        expect(accepted.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('property public RUC: at most one check digit (position 9), exactly the modulo 11 one', () => {
    fc.assert(
      fc.property(province, digitsArb(5), digitsArb(4), (p, n, est) => {
        fc.pre(est !== '0000');
        const body = p + '6' + n;
        const accepted = acceptedCandidates('EC', DIGITS, (c) => body + c + est);
        expect(accepted).toEqual([...DIGITS].filter((c) => refRucPublicValid(body + c)));
        expect(accepted.length).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('Mexico (MX)', () => {
  // Real RFCs: python-stdnum's doctests, the SAT's test taxpayers of the CFDI kit, and companies
  // that publish theirs; plus computed ones with Ñ and &.
  const physical = ['GODE561231GR8', 'GODE 561231 GR8', 'CACX7605101P8', 'XIQB891116QE4', 'KICR630120NX3', 'JUFA7608212V6', 'FUNK671228PH6', 'MISC491214B86', 'XOJI740919U48', 'NUÑE800101AB1', 'ñaña000229xy2'];
  const moral = ['MAB930714-8T4', 'EKU9003173C9', 'IVD920810GU2', 'IIA040805DZ4', 'EWE1709045U0', 'URE180429TM6', 'SAT970701NN3', 'WMT970714R10', 'CFE370814QI0', 'TME960709LR2', 'A&B0101019X1', 'MUÑ8512318Q0'];

  it('accepts real RFCs of persons and companies, and the generic RFCs', () => {
    for (const id of physical) expect(validateTaxId('MX', id), id).toEqual({ ok: true, value: { normalized: normalizeTaxId(id), kind: 'RFC persona física' } });
    for (const id of moral) expect(validateTaxId('MX', id), id).toEqual({ ok: true, value: { normalized: normalizeTaxId(id), kind: 'RFC persona moral' } });
    for (const id of ['XAXX010101000', 'XEXX010101000', 'xaxx-010101-000']) {
      expect(validateTaxId('MX', id)).toEqual({ ok: true, value: { normalized: normalizeTaxId(id), kind: 'RFC genérico' } });
    }
    expect(refRfcValid('XAXX010101000')).toBe(false); // generic: accepted by name, not by its check digit
  });

  it('names the rule that failed', () => {
    expect(problemOf('MX', 'VACE460910SX6')).toEqual({ code: 'taxid.check', params: { kind: 'RFC persona física', rule: 'check digit', expected: '5' } });
    expect(problemOf('MX', 'GODE561231GR9')).toEqual({ code: 'taxid.check', params: { kind: 'RFC persona física', rule: 'check digit', expected: '8' } });
    expect(problemOf('MX', 'MAB9307148T5')).toEqual({ code: 'taxid.check', params: { kind: 'RFC persona moral', rule: 'check digit', expected: '4' } });
    expect(problemOf('MX', 'GODE560229GR8')).toEqual({ code: 'taxid.check', params: { kind: 'RFC persona física', rule: 'check digit', expected: 'A' } });
    for (const date of ['561331', '561232', '560230', '550229', '560001', '561200']) {
      expect(problemOf('MX', `GODE${date}GR8`)).toEqual({
        code: 'taxid.component',
        params: { kind: 'RFC persona física', rule: 'date', expected: 'YYMMDD', found: date },
      });
    }
    const format = { code: 'taxid.format', params: { kind: 'RFC', expected: 'AAAA999999XXX | AAA999999XXX' } };
    for (const id of ['GODE561231GR', 'GODE561231GR88', 'GO1E561231GR8', 'GODE5612A1GR8', 'GODE561231G-8/', 'AB9307148T4']) {
      expect(problemOf('MX', id), id).toEqual(format);
    }
  });

  it('every valid example: one date digit changed or two adjacent date digits swapped is rejected', () => {
    for (const raw of [...physical, ...moral]) {
      const id = normalizeTaxId(raw);
      const date = id.length === 13 ? range(4, 10) : range(3, 9);
      for (const bad of [...substitutions(id, date), ...transpositions(id, date)]) {
        expect(validateTaxId('MX', bad).ok, `${bad} from ${id}`).toBe(false);
      }
    }
  });

  const rfcLetters = charArb('ABCDEFGHIJKLMNOPQRSTUVWXYZÑ&');
  const rfcDate = fc
    .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
    .map(([y, m, d]) => [y, m, d].map((n) => String(n).padStart(2, '0')).join(''));

  it('property: exactly one check character among 0-9 A-Z, the SAT one', () => {
    fc.assert(
      fc.property(fc.constantFrom(3, 4), fc.array(rfcLetters, { minLength: 4, maxLength: 4 }), rfcDate, charArb(ALNUM), charArb(ALNUM), (n, letters, date, h1, h2) => {
        const body = letters.slice(0, n).join('') + date + h1 + h2;
        fc.pre(!['XAXX010101000', 'XEXX010101000'].some((g) => g.startsWith(body)));
        const accepted = acceptedCandidates('MX', ALNUM, (c) => body + c);
        expect(accepted).toHaveLength(1);
        expect(refRfcValid(body + accepted[0]!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('EU VAT numbers', () => {
  // Real VAT numbers from python-stdnum's tests/test_eu_vat.doctest ("found online"), kept as written there.
  const valid: Record<string, string[]> = {
    AT: ['ATU 142 43 102', 'ATU 15159209', 'ATU 54300000', 'ATU 65480455', 'ATU13585627', 'ATU46080404', 'ATU61195628'],
    BE: ['BE 0202.239.951', 'BE 0402 918 402', 'BE 0462423150', 'BE 0795 013 186', 'BE 0897290877', 'BE0428759497'],
    BG: ['BG 103873594', 'BG 124 551 319', 'BG7111042925', 'Bg 200442771'],
    CY: ['CY 10246672X', 'CY 10274231F', 'CY-10008489 A', 'CY-10259033P', 'CY00632993 F'],
    CZ: ['CZ 25123891', 'CZ 640903926', 'CZ 6956220612', 'CZ00023205'],
    DE: ['DE - 113866163', 'DE 118619592', 'DE 181 207 708', 'DE 221.304.969', 'DE 813 11 38 75', 'DE119263782', 'DE136695976'],
    DK: ['DK 10 50 32 80', 'DK 2566 2202', 'DK 90 30 16 59', 'DK-27630308', 'DK10150817', 'DK13585628'],
    EE: ['EE 100 931 558', 'EE 100523487', 'EE 100594102', 'EE101256753'],
    EL: ['EL 039868210', 'EL 094012834', 'EL 998386804', 'EL-082857563', 'EL094501040', 'El 800 179 925'],
    FI: ['FI 02459042', 'FI 0982651-1', 'FI 2094606-3', 'FI-214 95 540', 'FI18261444', 'FI 20774740'],
    FR: ['FR 04409414364', 'FR 114 248 728 36', 'FR 2143 2146 546', 'FR 41-343848552', 'FR K 7399859412', 'Fr 40 303 265 045', 'fr 71383076817', 'FR32000000330'],
    HR: ['HR 33392005961'],
    HU: ['HU -12509403', 'HU 10672101', 'HU 64241281', 'HU-12892312', 'HU13852467'],
    IE: ['IE 0005306C', 'IE 632 3420 C', 'IE 8223200u', 'IE6433435IH', 'IE8D79739I', 'IE9Y71814N'],
    IT: ['IT - 01404480202', 'IT 0 0 6 1 8 2 8 0 4 9 9', 'IT 00 595 000 217', 'IT 12920760159', 'IT00743110157', 'IT02087050155'],
    LT: ['LT 100001354118', 'LT 119511515', 'LT-100000979812', 'LT290068995116'],
    LU: ['LU 10059929', 'LU 109 676 28', 'LU 150 274 42', 'LU.248.70.640', 'Lu 19980500'],
    LV: ['LV 4000 3521 600', 'LV 40003189718', 'LV-42103048183'],
    MT: ['MT 1039-6417', 'MT 1167-9112', 'MT 17025737', 'MT 2029 1423', 'MT 20630321'],
    NL: ['NL 001241 643 B01', 'NL 8225.69.759 b01', 'NL-8197.38.116.B.01', 'NL001162938B28', 'NL813411786B01'],
    PL: ['PL 5211355116', 'PL 584-030-44-72', 'PL 687-16-26-585', 'PL-951-157-77-68', 'PL6772135826', 'PL 8567346215'],
    PT: ['PT 500 019 720', 'PT 500135.495', 'PT 501 964 843', 'PT-505 856 468', 'PT503038083', 'PT 509 250 505'],
    RO: ['RO 11358544', 'RO 185 472 90', 'RO 241 30 20', 'RO 573768', 'Ro 15071875'],
    SE: ['SE 202 100-5000 01', 'SE 556.383.740.901', 'SE-556 644 662 001', 'SE-5562245190-01', 'Se 556250398601', 'SE 123456789701'],
    SI: ['SI 26808498', 'SI 3609 7152', 'SI 50223054', 'SI-83815201', 'SI-89036999'],
    SK: ['SK 1078449064', 'SK 202 274 96 19', 'SK 2021 6858 20', 'SK2022193459'],
  };
  // The same source's "mangled so their check digit is wrong".
  const badCheck = [
    'ATU 143 43 102', 'ATU46080904', 'BE 0406.139.583', 'BE 0793 013 186', 'CY 10246672F', 'CY-10009489 A',
    'DE 125014855', 'DE - 266297673', 'DK 11 96 56 58', 'DK10159817', 'EE 100 941 558', 'EE101256754',
    'ES 54362415K', 'ES K-2814015-F', 'ES-x-2322300w', 'Es-a48951310', 'EL 094013834', 'EL094501140',
    'FR 04409414264', 'FR 21 326 565 603', 'SK 1078449164', 'SK 2020457679', 'IT 00743110158', 'PT 501 964 842',
    'HR 33392005962', 'FI 20774741', 'HU-12892313', 'LU 150 274 43', 'MT 1167-9113', 'PL 8567346216', 'SE 123456789101', 'SI 50223055',
  ];

  it('accepts real VAT numbers of every member state, under their own country and under any other', () => {
    for (const [prefix, ids] of Object.entries(valid)) {
      const country = prefix === 'EL' ? 'GR' : prefix;
      for (const id of ids) {
        const normalized = normalizeTaxId(id);
        const expected = { ok: true, value: { normalized, kind: `VAT-${prefix}` } };
        expect(validateTaxId(country, id), id).toEqual(expected);
        expect(validateTaxId(country, normalized.slice(2)), `${id} without prefix`).toEqual(expected);
        expect(validateTaxId('US', id), `${id} under US`).toEqual(expected);
        expect(validateTaxId('ES', id), `${id} under ES`).toEqual(expected);
        expect(validateTaxId('EC', id), `${id} under EC`).toEqual(expected);
      }
    }
  });

  it('rejects mangled check digits as taxid.check / taxid.check_impossible', () => {
    for (const id of badCheck) {
      const r = validateTaxId('US', id);
      expect(r.ok, id).toBe(false);
      if (!r.ok) expect(r.problem.code, id).toMatch(/^taxid\.check(_impossible)?$/);
    }
  });

  it('names the rule and the right check digits', () => {
    expect(problemOf('PT', '501964842')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-PT', rule: 'modulo 11', expected: '3' } });
    expect(problemOf('IT', '00743110158')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-IT', rule: 'Luhn', expected: '7' } });
    expect(problemOf('DE', '136695978')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-DE', rule: 'ISO 7064 MOD 11,10', expected: '6' } });
    expect(problemOf('BE', '0428759498')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-BE', rule: 'modulo 97', expected: '97' } });
    expect(problemOf('FR', 'FR12345678901')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-FR', rule: 'modulo 97', expected: '15' } });
    expect(problemOf('AT', 'U13585626')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-AT', rule: 'check digit', expected: '7' } });
    expect(problemOf('CY', '10259033Z')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-CY', rule: 'check letter', expected: 'P' } });
    expect(problemOf('LU', '15027443')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-LU', rule: 'modulo 89', expected: '42' } });
  });

  it('checks the format of each country', () => {
    const cases: [string, string, string][] = [
      ['DE', '12345678', '[1-9]99999999'],
      ['DE', '013669597', '[1-9]99999999'],
      ['FR', 'FR1234567890', 'XX999999999'],
      ['FR', 'FRIO334175221', 'XX999999999'], // the key never uses I or O
      ['IT', 'IT0074311015', '99999999999'],
      ['PT', 'PT012345678', '[1-9]99999999'],
      ['NL', 'NL001241643C01', '999999999[B]99'],
      ['NL', 'NL00449544B01', '999999999[B]99'],
      ['BE', 'BE2428759497', '[01]999999999'],
      ['BE', 'BE428759497', '[01]999999999'],
      ['AT', 'AT13585627', '[U]99999999'],
      ['AT', 'ATU1358562', '[U]99999999'],
      ['EL', 'EL94051189', '999999999'],
      ['SE', 'SE123456789702', '9999999999[0][1]'],
      ['RO', 'RO1', '[1-9]9{1,9}'],
      ['XI', 'XI12345678', '999999999 | 999999999999 | [G][D][0-4]99 | [H][A][5-9]99'],
      ['IE', 'IE1234567', '9999999A | 9999999AA | 9X99999A'],
    ];
    for (const [country, id, expected] of cases) {
      const prefix = euVatPrefix(country)!;
      expect(problemOf(country, id), id).toEqual({ code: 'taxid.format', params: { kind: `VAT-${prefix}`, expected } });
    }
  });

  it('Greece is EL (GR accepted as country and as prefix), Northern Ireland is XI', () => {
    const el = { ok: true, value: { normalized: 'EL094259216', kind: 'VAT-EL' } };
    expect(validateTaxId('GR', '094259216')).toEqual(el);
    expect(validateTaxId('GR', 'GR 094259216')).toEqual(el);
    expect(validateTaxId('EL', 'EL 094259216')).toEqual(el);
    expect(validateTaxId('DE', 'EL094259216')).toEqual(el);
    expect(validateTaxId('GB', 'XI 123 4567 89')).toEqual({ ok: true, value: { normalized: 'XI123456789', kind: 'VAT-XI' } });
    expect(validateTaxId('XI', 'GD123')).toEqual({ ok: true, value: { normalized: 'XIGD123', kind: 'VAT-XI' } });
    expect(validateTaxId('GB', 'GB123456789')).toEqual({ ok: true, value: { normalized: 'GB123456789', kind: 'other' } });
  });

  it('an id with another EU prefix is read as that VAT number, unless only the country’s own format fits', () => {
    expect(validateTaxId('ES', 'DE136695976')).toEqual({ ok: true, value: { normalized: 'DE136695976', kind: 'VAT-DE' } });
    expect(validateTaxId('FR', 'DE136695976')).toEqual({ ok: true, value: { normalized: 'DE136695976', kind: 'VAT-DE' } });
    expect(validateTaxId('MX', 'PT501964843')).toEqual({ ok: true, value: { normalized: 'PT501964843', kind: 'VAT-PT' } });
    expect(problemOf('US', 'IT00743110158')).toEqual({ code: 'taxid.check', params: { kind: 'VAT-IT', rule: 'Luhn', expected: '7' } });
    expect(problemOf('US', 'DE123')).toEqual({ code: 'taxid.format', params: { kind: 'VAT-DE', expected: '[1-9]99999999' } });
    // 'PL' + 9 digits is no Polish VAT number (10 digits) but is a French one with the key PL.
    expect(validateTaxId('FR', 'PL123456789')).toEqual({ ok: true, value: { normalized: 'FRPL123456789', kind: 'VAT-FR' } });
    // An RFC that starts like a VAT prefix stays an RFC in Mexico.
    expect(validateTaxId('MX', 'DEGA800101AB1')).toEqual({ ok: true, value: { normalized: 'DEGA800101AB1', kind: 'RFC persona física' } });
    // …even when the rest would fit the other format ('AB' + 9 digits is a French VAT number).
    const frab = [...DIGITS].map((c) => 'FRAB80010112' + c).find(refRfcValid)!;
    expect(validateTaxId('MX', frab)).toEqual({ ok: true, value: { normalized: frab, kind: 'RFC persona física' } });
    expect(validateTaxId('US', frab)).toEqual({ ok: true, value: { normalized: frab, kind: 'VAT-FR' } });
  });

  it('every real example with a check: one digit changed is rejected (PT and EL excepted: two remainders share 0)', () => {
    for (const [prefix, ids] of Object.entries(valid)) {
      if (!REF_VAT[prefix] || prefix === 'PT' || prefix === 'EL') continue;
      for (const raw of ids) {
        const id = normalizeTaxId(raw);
        if (prefix === 'FR' && !/^\d\d/.test(id.slice(2))) continue; // alphanumeric key: format only
        const positions = range(2, id.length).filter((i) => /\d/.test(id[i]!) && !(prefix === 'SE' && i >= 12));
        for (const bad of substitutions(id, positions)) expect(validateTaxId('US', bad).ok, `${bad} from ${id}`).toBe(false);
      }
    }
  });

  it('every real example with a weighted modulo 11/89/97 check: two adjacent digits swapped are rejected', () => {
    const body: Record<string, [number, number]> = { BE: [0, 10], DK: [0, 8], FI: [0, 8], PL: [0, 10], SK: [0, 10], LU: [0, 6], MT: [0, 6] };
    for (const [prefix, [from, to]] of Object.entries(body)) {
      for (const raw of valid[prefix]!) {
        const id = normalizeTaxId(raw);
        for (const bad of transpositions(id, range(2 + from, 2 + to))) expect(validateTaxId('US', bad).ok, `${bad} from ${id}`).toBe(false);
      }
    }
  });

  /** For each checked country: a body generator and where the check candidates go. */
  const schemes: { prefix: string; body: fc.Arbitrary<string>; candidates: readonly string[]; build: (body: string, c: string) => string }[] = [
    { prefix: 'AT', body: join(fc.constant('U'), digitsArb(7)), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'BE', body: join(charArb('01'), digitsArb(7)), candidates: pairs, build: (b, c) => b + c },
    { prefix: 'CY', body: digitsArb(8), candidates: [...LETTERS], build: (b, c) => b + c },
    { prefix: 'DE', body: nonZeroLead(8), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'DK', body: nonZeroLead(7), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'EE', body: join(fc.constant('10'), digitsArb(6)), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'EL', body: digitsArb(8), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'FI', body: digitsArb(7), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'FR', body: digitsArb(9), candidates: pairs, build: (b, c) => c + b },
    { prefix: 'HR', body: digitsArb(10), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'HU', body: digitsArb(7), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'IT', body: digitsArb(10), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'LU', body: digitsArb(6), candidates: pairs, build: (b, c) => b + c },
    { prefix: 'MT', body: nonZeroLead(6), candidates: pairs, build: (b, c) => b + c },
    { prefix: 'PL', body: digitsArb(9), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'PT', body: nonZeroLead(8), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'SE', body: digitsArb(9), candidates: [...DIGITS], build: (b, c) => b + c + '01' },
    { prefix: 'SI', body: nonZeroLead(7), candidates: [...DIGITS], build: (b, c) => b + c },
    { prefix: 'SK', body: nonZeroLead(9), candidates: [...DIGITS], build: (b, c) => b + c },
  ];

  for (const { prefix, body, candidates, build } of schemes) {
    it(`property ${prefix}: the accepted check values are exactly the reference's, at most one`, () => {
      fc.assert(
        fc.property(body, (b) => {
          const accepted = acceptedCandidates(prefix === 'EL' ? 'GR' : prefix, candidates, (c) => build(b, c));
          expect(accepted).toEqual(candidates.filter((c) => REF_VAT[prefix]!(build(b, c))));
          expect(accepted.length).toBeLessThanOrEqual(1);
          if (accepted.length === 1) {
            expect(validateTaxId('US', prefix + build(b, accepted[0]!))).toEqual({ ok: true, value: { normalized: prefix + build(b, accepted[0]!), kind: `VAT-${prefix}` } });
          }
        }),
        { numRuns: 200 },
      );
    });
  }

  it('property: schemes that always have a check digit accept exactly one', () => {
    const always = ['AT', 'BE', 'CY', 'DE', 'EE', 'EL', 'FR', 'HR', 'HU', 'IT', 'LU', 'MT', 'PT', 'SE'];
    for (const s of schemes.filter((x) => always.includes(x.prefix))) {
      fc.assert(
        fc.property(s.body, (b) => {
          expect(acceptedCandidates(s.prefix === 'EL' ? 'GR' : s.prefix, s.candidates, (c) => s.build(b, c))).toHaveLength(1);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('a body whose modulo 11 admits no check digit is taxid.check_impossible', () => {
    // DK: Σ 2,7,6,5,4,3,2 of 1000005 = 2 + 10 = 12 ≡ 1 (mod 11): the check digit would be 10.
    expect(problemOf('DK', '10000050')).toEqual({ code: 'taxid.check_impossible', params: { kind: 'VAT-DK', rule: 'modulo 11' } });
    expect(problemOf('EC', '0160000610001')).toMatchObject({ code: 'taxid.check_impossible' });
  });
});

describe('other countries and helpers', () => {
  it('any non-empty id of another country is accepted as other', () => {
    expect(validateTaxId('US', '12-3456789')).toEqual({ ok: true, value: { normalized: '123456789', kind: 'other' } });
    expect(validateTaxId('CO', '900.123.456-7')).toEqual({ ok: true, value: { normalized: '9001234567', kind: 'other' } });
    expect(validateTaxId('CH', 'CHE-123.456.788 MWST')).toEqual({ ok: true, value: { normalized: 'CHE123456788MWST', kind: 'other' } });
    expect(validateTaxId('', 'whatever')).toEqual({ ok: true, value: { normalized: 'WHATEVER', kind: 'other' } });
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789/#'), minLength: 1, maxLength: 20 }), (id) => {
        expect(validateTaxId('AR', id)).toEqual({ ok: true, value: { normalized: normalizeTaxId(id), kind: 'other' } });
      }),
    );
  });

  it('isEuCountry: the 27 member states (GR, or EL), not XI nor third countries', () => {
    const members = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'];
    for (const c of members) expect(isEuCountry(c), c).toBe(true);
    expect(isEuCountry('el')).toBe(true);
    expect(isEuCountry(' fr ')).toBe(true);
    for (const c of ['XI', 'GB', 'UK', 'CH', 'NO', 'IS', 'EC', 'MX', 'US', '', 'EU']) expect(isEuCountry(c), c).toBe(false);
  });

  it('euVatPrefix and EU_VAT_PREFIXES', () => {
    expect(euVatPrefix('GR')).toBe('EL');
    expect(euVatPrefix('de')).toBe('DE');
    expect(euVatPrefix('XI')).toBe('XI');
    expect(euVatPrefix('GB')).toBeNull();
    expect(EU_VAT_PREFIXES).toHaveLength(28);
    expect(EU_VAT_PREFIXES).toContain('EL');
    expect(EU_VAT_PREFIXES).not.toContain('GR');
    for (const p of EU_VAT_PREFIXES) expect(Object.keys(TAX_ID_KINDS)).toContain(`VAT-${p}`);
  });
});
