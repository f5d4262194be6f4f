import { fail, ok, type Result } from './errors.js';

/**
 * Tax identification numbers of customers and of the business: Spain (NIF, NIE, CIF, the special
 * NIFs K/L/M), Ecuador (cédula, RUC, consumidor final), Mexico (RFC) and EU VAT numbers
 * (with or without their country prefix, check digits where the rule is public and simple).
 * Any other country: any non-empty id.
 *
 * Problems (all but `taxid.empty` carry `kind`, the kind of id being checked: a key of
 * {@link TAX_ID_KINDS}, or the generic `cédula/RUC`, `RUC`, `RFC` when the kind is not known yet):
 * - `taxid.empty` — nothing left after normalization.
 * - `taxid.format` {kind, expected} — wrong length or characters. `expected` is a mask:
 *   `9` a digit, `A` a letter, `X` a letter or digit, `[…]` one of the characters listed
 *   (a regex-like set: `[1-9]`, `[XYZ]`, `[B]` for a literal B), `{m,n}` the previous one
 *   repeated m to n times, ` | ` between alternatives.
 *   For a VAT number the mask is of the part after the country prefix.
 * - `taxid.component` {kind, rule, expected, found} — a part has an impossible value:
 *   rule `province`, `third digit`, `establishment` (Ecuador), `date` (Mexico).
 * - `taxid.check` {kind, rule, expected} — the check digit/letter is wrong; `rule` names it
 *   (`control letter`, `control digit`, `modulo 11`, `ISO 7064 MOD 11,10`, …) and `expected`
 *   is the right value (two values `4/D` when a CIF may use either form).
 * - `taxid.check_impossible` {kind, rule} — no check digit can make this number valid
 *   (e.g. a modulo 11 remainder that would need the "digit" 10): a digit before it is wrong.
 */

export interface TaxIdInfo {
  /** Upper case, without spaces, dots or dashes; EU VAT numbers with their country prefix. */
  normalized: string;
  /** One of the keys of {@link TAX_ID_KINDS}. */
  kind: string;
}

// ---- EU VAT numbers: prefixes and formats ---------------------------------------------------

/** EU member states (ISO 3166-1 alpha-2). Greece is GR here; its VAT prefix is EL. */
const EU_MEMBERS = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT',
  'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
] as const;

/** The VAT number prefixes of the EU VAT system (EL = Greece, XI = Northern Ireland, goods only). */
export const EU_VAT_PREFIXES: readonly string[] = [
  ...EU_MEMBERS.filter((c) => c !== 'GR'),
  'EL',
  'XI',
].sort();

/** Whether `code` is an EU member state (ISO 3166-1 alpha-2; `EL` is accepted for Greece). */
export function isEuCountry(code: string): boolean {
  const c = code.trim().toUpperCase();
  return c === 'EL' || (EU_MEMBERS as readonly string[]).includes(c);
}

/** The VAT prefix of a country (GR → EL, XI → XI), or null outside the EU VAT system. */
export function euVatPrefix(country: string): string | null {
  const c = country.trim().toUpperCase();
  if (c === 'GR' || c === 'EL') return 'EL';
  if (c === 'XI') return 'XI';
  return isEuCountry(c) ? c : null;
}

/** Upper case (NFC), without whitespace, dots or dashes. */
export function normalizeTaxId(id: string): string {
  return id
    .toUpperCase()
    .normalize('NFC').replace(/[\s.\-\u2010-\u2015\u2212]/g, '');
}

// ---- shared check-digit helpers -------------------------------------------------------------

const digitAt = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** Σ digit × weight over the first weights.length digits of `s`. */
function weightedSum(s: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += digitAt(s, i) * weights[i]!;
  return sum;
}

/** Luhn check digit of `body` (the rightmost body digit is doubled). */
function luhnCheckDigit(body: string): number {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = digitAt(body, i);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/** ISO 7064 MOD 11,10 check digit of `body` (German USt-IdNr., Croatian OIB). */
function iso7064Mod11_10(body: string): number {
  let product = 10;
  for (let i = 0; i < body.length; i++) {
    let sum = (digitAt(body, i) + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  return (11 - product) % 10;
}

/** The remainder of a decimal string (of any length) modulo `m`. */
function modDecimal(s: string, m: number): number {
  let r = 0;
  for (let i = 0; i < s.length; i++) r = (r * 10 + digitAt(s, i)) % m;
  return r;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

type CheckFailure = { rule: string; expected: string | null };

/** Compares a computed check with the one written; null when they agree. */
function compare(rule: string, expected: string | null, actual: string): CheckFailure | null {
  return expected === actual ? null : { rule, expected };
}

function checkProblem<T>(kind: string, f: CheckFailure): Result<T> {
  return f.expected === null
    ? fail('taxid.check_impossible', { kind, rule: f.rule })
    : fail('taxid.check', { kind, rule: f.rule, expected: f.expected });
}

// ---- Spain ----------------------------------------------------------------------------------

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const CIF_LETTERS = 'JABCDEFGHI';
/** CIF organisation letters that must end in a control letter / a control digit. */
const CIF_LETTER_ONLY = 'NPQRSW';
const CIF_DIGIT_ONLY = 'ABEH';

const ES_FORMATS: Record<string, { re: RegExp; mask: string }> = {
  NIF: { re: /^\d{8}[A-Z]$/, mask: '99999999A' },
  NIE: { re: /^[XYZ]\d{7}[A-Z]$/, mask: '[XYZ]9999999A' },
  'NIF-KLM': { re: /^[KLM]\d{7}[A-Z]$/, mask: '[KLM]9999999A' },
  CIF: { re: /^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-Z]$/, mask: '[ABCDEFGHJNPQRSUVW]9999999X' },
};
const ES_ANY_MASK = Object.values(ES_FORMATS)
  .map((f) => f.mask)
  .join(' | ');

/** The kind a Spanish id is trying to be, by its first character; null when none starts so. */
function spanishKind(s: string): string | null {
  const c = s.charAt(0);
  if (c >= '0' && c <= '9') return 'NIF';
  if ('XYZ'.includes(c)) return 'NIE';
  if ('KLM'.includes(c)) return 'NIF-KLM';
  return c !== '' && 'ABCDEFGHJNPQRSUVW'.includes(c) ? 'CIF' : null;
}

const spanishFits = (s: string): boolean => {
  const kind = spanishKind(s);
  return kind !== null && ES_FORMATS[kind]!.re.test(s);
};

/** Control letter of a DNI number (mod 23). */
export function nifControlLetter(digits: string): string {
  return NIF_LETTERS[modDecimal(digits, 23)]!;
}

/** Control digit (0–9) of the 7 digits of a CIF; the letter form is `JABCDEFGHI`[digit]. */
export function cifControlDigit(digits7: string): number {
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    const d = digitAt(digits7, i);
    if (i % 2 === 0) {
      const p = 2 * d; // odd positions (1st, 3rd, …): digit sum of 2 × digit
      sum += Math.floor(p / 10) + (p % 10);
    } else {
      sum += d;
    }
  }
  return (10 - (sum % 10)) % 10;
}

function validateSpain(s: string): Result<TaxIdInfo> {
  const kind = spanishKind(s);
  if (kind === null) return fail('taxid.format', { kind: 'NIF', expected: ES_ANY_MASK });
  if (!ES_FORMATS[kind]!.re.test(s)) return fail('taxid.format', { kind, expected: ES_FORMATS[kind]!.mask });
  const last = s.charAt(8);
  let failure: CheckFailure | null;
  if (kind === 'NIF') failure = compare('control letter', nifControlLetter(s.slice(0, 8)), last);
  else if (kind === 'NIE') failure = compare('control letter', nifControlLetter(String('XYZ'.indexOf(s.charAt(0))) + s.slice(1, 8)), last);
  else if (kind === 'NIF-KLM') failure = compare('control letter', nifControlLetter(s.slice(1, 8)), last);
  else {
    const digit = cifControlDigit(s.slice(1, 8));
    const asDigit = String(digit);
    const asLetter = CIF_LETTERS[digit]!;
    const org = s.charAt(0);
    if (CIF_LETTER_ONLY.includes(org)) failure = compare('control letter', asLetter, last);
    else if (CIF_DIGIT_ONLY.includes(org)) failure = compare('control digit', asDigit, last);
    else failure = last === asDigit || last === asLetter ? null : { rule: 'control character', expected: `${asDigit}/${asLetter}` };
  }
  return failure ? checkProblem(kind, failure) : ok({ normalized: s, kind });
}

// ---- Ecuador --------------------------------------------------------------------------------

const EC_FORMAT = /^\d{10}(\d{3})?$/;
const CONSUMIDOR_FINAL = '9999999999999';

/** Check digit of the first 9 digits of a cédula (modulo 10, coefficients 2,1,2,…). */
export function cedulaCheckDigit(digits9: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let p = digitAt(digits9, i) * (i % 2 === 0 ? 2 : 1);
    if (p > 9) p -= 9;
    sum += p;
  }
  return (10 - (sum % 10)) % 10;
}

/** Modulo 11 check digit: 11 − (Σ mod 11), 11 → 0; null when it would be 10. */
function ecMod11(s: string, weights: readonly number[]): string | null {
  const r = weightedSum(s, weights) % 11;
  if (r === 0) return '0';
  return r === 1 ? null : String(11 - r);
}

function validateEcuador(s: string): Result<TaxIdInfo> {
  if (s === CONSUMIDOR_FINAL) return ok({ normalized: s, kind: 'consumidor final' });
  if (!EC_FORMAT.test(s)) return fail('taxid.format', { kind: 'cédula/RUC', expected: '9999999999 | 9999999999999' });
  const isRuc = s.length === 13;
  const province = Number(s.slice(0, 2));
  const third = digitAt(s, 2);
  const kind = !isRuc
    ? 'cédula'
    : third < 6
      ? 'RUC persona natural'
      : third === 6
        ? 'RUC sector público'
        : third === 9
          ? 'RUC sociedad privada'
          : 'RUC';
  if (!((province >= 1 && province <= 24) || province === 30)) {
    return fail('taxid.component', { kind, rule: 'province', expected: '01-24 | 30', found: s.slice(0, 2) });
  }
  if (kind === 'cédula' || kind === 'RUC persona natural') {
    if (third >= 6) return fail('taxid.component', { kind, rule: 'third digit', expected: '[0-5]', found: String(third) });
    const f = compare('modulo 10', String(cedulaCheckDigit(s)), s.charAt(9));
    if (f) return checkProblem(kind, f);
    if (isRuc && s.slice(10) !== '001') {
      return fail('taxid.component', { kind, rule: 'establishment', expected: '001', found: s.slice(10) });
    }
    return ok({ normalized: s, kind });
  }
  if (third === 6) {
    const f = compare('modulo 11', ecMod11(s, [3, 2, 7, 6, 5, 4, 3, 2]), s.charAt(8));
    if (f) return checkProblem(kind, f);
    if (s.slice(9) === '0000') return fail('taxid.component', { kind, rule: 'establishment', expected: '0001-9999', found: '0000' });
    return ok({ normalized: s, kind });
  }
  if (third === 9) {
    const f = compare('modulo 11', ecMod11(s, [4, 3, 2, 7, 6, 5, 4, 3, 2]), s.charAt(9));
    if (f) return checkProblem(kind, f);
    if (s.slice(10) === '000') return fail('taxid.component', { kind, rule: 'establishment', expected: '001-999', found: '000' });
    return ok({ normalized: s, kind });
  }
  return fail('taxid.component', { kind, rule: 'third digit', expected: '[0-69]', found: String(third) });
}

// ---- Mexico ---------------------------------------------------------------------------------

const RFC_FORMAT = /^([A-ZÑ&]{3,4})(\d{6})([A-Z0-9]{3})$/;
const RFC_VALUES = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ';
const RFC_GENERIC = ['XAXX010101000', 'XEXX010101000'];

/** SAT check character of the first 11 (company) or 12 (person) characters of an RFC. */
export function rfcCheckDigit(body: string): string {
  const padded = body.length === 11 ? ' ' + body : body;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += RFC_VALUES.indexOf(padded.charAt(i)) * (13 - i);
  const r = sum % 11;
  if (r === 0) return '0';
  return r === 1 ? 'A' : String(11 - r);
}

function isRealDate(yymmdd: string): boolean {
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  if (mm < 1 || mm > 12 || dd < 1) return false;
  // The century is not written: 00 is 2000 (leap), every other multiple of 4 is leap in 1901–2099.
  const days = [31, yy % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1]!;
  return dd <= days;
}

function validateMexico(s: string): Result<TaxIdInfo> {
  if (RFC_GENERIC.includes(s)) return ok({ normalized: s, kind: 'RFC genérico' });
  const m = RFC_FORMAT.exec(s);
  if (!m) return fail('taxid.format', { kind: 'RFC', expected: 'AAAA999999XXX | AAA999999XXX' });
  const kind = m[1]!.length === 4 ? 'RFC persona física' : 'RFC persona moral';
  if (!isRealDate(m[2]!)) return fail('taxid.component', { kind, rule: 'date', expected: 'YYMMDD', found: m[2]! });
  const f = compare('check digit', rfcCheckDigit(s.slice(0, -1)), s.slice(-1));
  return f ? checkProblem(kind, f) : ok({ normalized: s, kind });
}

// ---- EU VAT numbers -------------------------------------------------------------------------

interface VatRule {
  re: RegExp;
  mask: string;
  /** Compares the check digits of a body that matches `re`; null when right. */
  check?: (b: string) => CheckFailure | null;
}

/** Modulo 11 with the check digit weighted 1: 11 − r, 11 → 0, 10 → none (DK, FI). */
function mod11Digit(b: string, weights: readonly number[]): string | null {
  const r = weightedSum(b, weights) % 11;
  return r === 0 ? '0' : r === 1 ? null : String(11 - r);
}

const CY_EVEN = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];

const VAT_RULES: Record<string, VatRule> = {
  AT: {
    re: /^U\d{8}$/,
    mask: '[U]99999999',
    check: (b) => {
      let sum = 0;
      for (let i = 1; i <= 7; i++) {
        const p = digitAt(b, i) * (i % 2 === 1 ? 1 : 2);
        sum += Math.floor(p / 10) + (p % 10);
      }
      return compare('check digit', String((10 - ((sum + 4) % 10)) % 10), b.charAt(8));
    },
  },
  BE: {
    re: /^[01]\d{9}$/,
    mask: '[01]999999999',
    check: (b) => compare('modulo 97', pad2(97 - modDecimal(b.slice(0, 8), 97)), b.slice(8)),
  },
  BG: { re: /^\d{9,10}$/, mask: '999999999 | 9999999999' },
  CY: {
    re: /^\d{8}[A-Z]$/,
    mask: '99999999A',
    check: (b) => {
      let sum = 0;
      for (let i = 0; i < 8; i++) sum += i % 2 === 0 ? CY_EVEN[digitAt(b, i)]! : digitAt(b, i);
      return compare('check letter', String.fromCharCode(65 + (sum % 26)), b.charAt(8));
    },
  },
  CZ: { re: /^\d{8,10}$/, mask: '99999999 | 999999999 | 9999999999' },
  DE: {
    re: /^[1-9]\d{8}$/,
    mask: '[1-9]99999999',
    check: (b) => compare('ISO 7064 MOD 11,10', String(iso7064Mod11_10(b.slice(0, 8))), b.charAt(8)),
  },
  DK: {
    re: /^[1-9]\d{7}$/,
    mask: '[1-9]9999999',
    check: (b) => compare('modulo 11', mod11Digit(b, [2, 7, 6, 5, 4, 3, 2]), b.charAt(7)),
  },
  EE: {
    re: /^10\d{7}$/,
    mask: '[1][0]9999999',
    check: (b) => compare('modulo 10', String((10 - (weightedSum(b, [3, 7, 1, 3, 7, 1, 3, 7]) % 10)) % 10), b.charAt(8)),
  },
  EL: {
    re: /^\d{9}$/,
    mask: '999999999',
    check: (b) => compare('modulo 11', String(((weightedSum(b, [256, 128, 64, 32, 16, 8, 4, 2]) % 11) % 10)), b.charAt(8)),
  },
  FI: {
    re: /^\d{8}$/,
    mask: '99999999',
    check: (b) => compare('modulo 11', mod11Digit(b, [7, 9, 10, 5, 8, 4, 2]), b.charAt(7)),
  },
  FR: {
    // The key: two digits (mod 97 of the SIREN), or the newer alphanumeric keys (not checked).
    re: /^[0-9A-HJ-NP-Z]{2}\d{9}$/,
    mask: 'XX999999999',
    check: (b) => (/^\d\d/.test(b) ? compare('modulo 97', pad2((modDecimal(b.slice(2), 97) * 3 + 12) % 97), b.slice(0, 2)) : null),
  },
  HR: {
    re: /^\d{11}$/,
    mask: '99999999999',
    check: (b) => compare('ISO 7064 MOD 11,10', String(iso7064Mod11_10(b.slice(0, 10))), b.charAt(10)),
  },
  HU: {
    re: /^\d{8}$/,
    mask: '99999999',
    check: (b) => compare('modulo 10', String((10 - (weightedSum(b, [9, 7, 3, 1, 9, 7, 3]) % 10)) % 10), b.charAt(7)),
  },
  IE: { re: /^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/, mask: '9999999A | 9999999AA | 9X99999A' },
  IT: {
    re: /^\d{11}$/,
    mask: '99999999999',
    check: (b) => compare('Luhn', String(luhnCheckDigit(b.slice(0, 10))), b.charAt(10)),
  },
  LT: { re: /^(\d{9}|\d{12})$/, mask: '999999999 | 999999999999' },
  LU: {
    re: /^\d{8}$/,
    mask: '99999999',
    check: (b) => compare('modulo 89', pad2(modDecimal(b.slice(0, 6), 89)), b.slice(6)),
  },
  LV: { re: /^\d{11}$/, mask: '99999999999' },
  MT: {
    re: /^[1-9]\d{7}$/,
    mask: '[1-9]9999999',
    check: (b) => compare('modulo 37', pad2(37 - (weightedSum(b, [3, 4, 6, 7, 8, 9]) % 37)), b.slice(6)),
  },
  NL: { re: /^\d{9}B\d{2}$/, mask: '999999999[B]99' },
  PL: {
    re: /^\d{10}$/,
    mask: '9999999999',
    check: (b) => {
      const r = weightedSum(b, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
      return compare('modulo 11', r === 10 ? null : String(r), b.charAt(9));
    },
  },
  PT: {
    re: /^[1-9]\d{8}$/,
    mask: '[1-9]99999999',
    check: (b) => {
      const r = weightedSum(b, [9, 8, 7, 6, 5, 4, 3, 2]) % 11;
      return compare('modulo 11', r < 2 ? '0' : String(11 - r), b.charAt(8));
    },
  },
  RO: { re: /^[1-9]\d{1,9}$/, mask: '[1-9]9{1,9}' },
  SE: {
    re: /^\d{10}01$/,
    mask: '9999999999[0][1]',
    check: (b) => compare('Luhn', String(luhnCheckDigit(b.slice(0, 9))), b.charAt(9)),
  },
  SI: {
    re: /^[1-9]\d{7}$/,
    mask: '[1-9]9999999',
    check: (b) => {
      const r = weightedSum(b, [8, 7, 6, 5, 4, 3, 2]) % 11;
      return compare('modulo 11', r === 0 ? null : r === 1 ? '0' : String(11 - r), b.charAt(7));
    },
  },
  SK: {
    re: /^[1-9]\d{9}$/,
    mask: '[1-9]999999999',
    check: (b) => {
      const d = (11 - ((modDecimal(b.slice(0, 9), 11) * 10) % 11)) % 11; // makes the number divisible by 11
      return compare('modulo 11', d === 10 ? null : String(d), b.charAt(9));
    },
  },
  XI: { re: /^(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$/, mask: '999999999 | 999999999999 | [G][D][0-4]99 | [H][A][5-9]99' },
};

/** Descriptions of the kinds `validateTaxId` returns (and names in its problems). */
export const TAX_ID_KINDS: Readonly<Record<string, string>> = {
  NIF: 'Spain: NIF of a person with DNI (8 digits + control letter, mod 23)',
  NIE: 'Spain: NIE of a foreigner (X/Y/Z + 7 digits + control letter)',
  CIF: 'Spain: NIF of a legal entity (organisation letter + 7 digits + control digit or letter)',
  'NIF-KLM': 'Spain: special NIF K, L or M (letter + 7 digits + control letter)',
  cédula: 'Ecuador: cédula de identidad (10 digits, modulo 10)',
  'RUC persona natural': 'Ecuador: RUC of a natural person (cédula + 001)',
  'RUC sociedad privada': 'Ecuador: RUC of a private company (third digit 9, modulo 11)',
  'RUC sector público': 'Ecuador: RUC of a public entity (third digit 6, modulo 11)',
  'consumidor final': 'Ecuador: the final consumer 9999999999999',
  'RFC persona física': 'Mexico: RFC of a person (4 letters + date + homoclave, 13 characters)',
  'RFC persona moral': 'Mexico: RFC of a company (3 letters + date + homoclave, 12 characters)',
  'RFC genérico': 'Mexico: generic RFC XAXX010101000 (national) or XEXX010101000 (foreign)',
  ...Object.fromEntries(
    EU_VAT_PREFIXES.map((p) => [`VAT-${p}`, `EU VAT number ${p} (${VAT_RULES[p]?.check || p === 'ES' ? 'format and check digits' : 'format only'})`]),
  ),
  other: 'any other country: not checked',
};

/** The EU VAT prefix `s` starts with (GR read as EL), or null. */
function vatPrefixOf(s: string): string | null {
  const p = s.slice(0, 2);
  if (p === 'GR') return 'EL';
  return EU_VAT_PREFIXES.includes(p) ? p : null;
}

const vatFits = (prefix: string, body: string): boolean =>
  prefix === 'ES' ? spanishFits(body) : VAT_RULES[prefix]!.re.test(body);

function validateVat(prefix: string, body: string): Result<TaxIdInfo> {
  const kind = `VAT-${prefix}`;
  if (prefix === 'ES') {
    const r = validateSpain(body);
    return r.ok ? ok({ normalized: 'ES' + body, kind }) : r;
  }
  const rule = VAT_RULES[prefix]!;
  if (!rule.re.test(body)) return fail('taxid.format', { kind, expected: rule.mask });
  const f = rule.check?.(body);
  return f ? checkProblem(kind, f) : ok({ normalized: prefix + body, kind });
}

// ---- entry point ----------------------------------------------------------------------------

interface Reading {
  fits: boolean;
  run: () => Result<TaxIdInfo>;
}

/** The first reading whose format fits; when none does, the first (for its problem). */
function pick(readings: Reading[]): Result<TaxIdInfo> {
  return (readings.find((r) => r.fits) ?? readings[0]!).run();
}

/**
 * Normalizes and validates the tax id `id` of country `country` (ISO 3166-1 alpha-2).
 * - ES: NIF, NIE, CIF, K/L/M; with an `ES` prefix it is read as the Spanish VAT number.
 * - EC: cédula, RUC (natural person, private company, public entity), consumidor final.
 * - MX: RFC of persons and companies (date and SAT check digit), the generic RFCs.
 * - EU members (and XI): the VAT number, with or without its prefix.
 * - An id that starts with the prefix of another EU VAT number is read as that VAT number,
 *   under any country (unless, for MX, it is shaped like an RFC; for an EU country, unless only
 *   the country's own unprefixed format fits it).
 * - Any other country: any non-empty id (kind `other`).
 */
export function validateTaxId(country: string, id: string): Result<TaxIdInfo> {
  const s = normalizeTaxId(id);
  if (s.length === 0) return fail('taxid.empty');
  const cc = country.trim().toUpperCase();
  const own = euVatPrefix(cc);
  const foreign = vatPrefixOf(s);
  const readings: Reading[] = [];
  const asForeign = (): void => {
    if (foreign) readings.push({ fits: vatFits(foreign, s.slice(2)), run: () => validateVat(foreign, s.slice(2)) });
  };
  if (cc === 'MX') {
    readings.push({ fits: RFC_FORMAT.test(s) || RFC_GENERIC.includes(s), run: () => validateMexico(s) });
    asForeign();
  } else if (own) {
    asForeign();
    if (own === 'ES') readings.push({ fits: spanishFits(s), run: () => validateSpain(s) });
    else readings.push({ fits: vatFits(own, s), run: () => validateVat(own, s) });
  } else if (cc === 'EC') {
    asForeign();
    readings.push({ fits: true, run: () => validateEcuador(s) });
  } else {
    asForeign();
    if (!foreign) readings.push({ fits: true, run: () => ok({ normalized: s, kind: 'other' }) });
  }
  return pick(readings);
}
