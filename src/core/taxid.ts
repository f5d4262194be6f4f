import { fail, ok, type Problem, type Result } from './errors.js';

/**
 * Tax identification numbers of customers and of the business: Spain (NIF, NIE, CIF, the special
 * NIFs K/L/M), Ecuador (cédula, RUC, consumidor final), Mexico (RFC), EU VAT numbers (with or
 * without their country prefix, check digits of every member state) and UK VAT numbers (GB, XI).
 * Any other country: any non-empty id.
 *
 * The reference is python-stdnum (its modules are cited where they are followed): an id it
 * accepts is never refused here, and where it names a public rule the rule is checked. The one
 * exception is deliberate: a Mexican RFC whose check digit (or homoclave) does not match is kept,
 * as stdnum does by default (the SAT has issued such RFCs), but as kind `unverified` with the
 * failed rule in `warning`, never silently as verified.
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
 *   rule `province`, `third digit`, `establishment` (Ecuador), `date`, `name letters` (Mexico,
 *   the words the SAT never issues), `date`, `office`, `first digit`… (VAT numbers).
 * - `taxid.check` {kind, rule, expected} — the check digit/letter is wrong; `rule` names it
 *   (`control letter`, `control digit`, `modulo 11`, `ISO 7064 MOD 11,10`, …) and `expected`
 *   is the right value (two values `4/D` when a CIF may use either form).
 * - `taxid.check_impossible` {kind, rule} — the check digits do not match and no single right
 *   value can be named: no check digit can make these digits valid (a modulo 11 remainder that
 *   would need the "digit" 10), or several rules were tried (`BSN / ISO 7064 MOD 97,10`).
 * {@link TAX_ID_CHECK_PROBLEMS} are the check problems `--accept-tax-id` may override. `rule` is
 * one of {@link TAX_ID_RULES}; `kind` and `rule` are stable English identifiers, shown in the
 * user's language by the message catalog (src/i18n/index.ts), never translated here.
 */

export interface TaxIdInfo {
  /**
   * Upper case, without the separators people type ({@link normalizeTaxId}); VAT numbers with
   * their country prefix and the padding their rule restores (`NL4495445B01` → `NL004495445B01`).
   */
  normalized: string;
  /** One of the keys of {@link TAX_ID_KINDS}. */
  kind: string;
  /** Why an id kept as `unverified` could not be verified (the problem it would otherwise be). */
  warning?: Problem;
}

/** The kind of an id kept without being verified. */
export const UNVERIFIED = 'unverified';

/** The problems of a wrong check digit: the ones a user may override (`--accept-tax-id`). */
export const TAX_ID_CHECK_PROBLEMS: readonly string[] = ['taxid.check', 'taxid.check_impossible'];

/**
 * The `rule` of the problems: stable English identifiers (they stay so in JSON details and
 * warnings); the message catalog shows each in the user's language (`taxid.rule.*`, src/i18n).
 * Besides these, `digit N` (a digit that must have a fixed value: the 8th of a Lithuanian company).
 */
export const TAX_ID_RULES = [
  'control letter', 'control digit', 'control character', 'check digit', 'check letter',
  'modulo 10', 'modulo 11', 'modulo 23', 'modulo 37', 'modulo 89', 'modulo 97',
  'ISO 7064 MOD 11,10', 'BSN / ISO 7064 MOD 97,10', 'EGN / PNF / modulo 11', 'Luhn', 'Luhn (SIREN)',
  'new-style key', 'GD/HA number', 'date', 'establishment', 'first digit', 'first digits',
  'third digit', 'homoclave', 'name letters', 'office', 'province',
] as const;
export type TaxIdRule = (typeof TAX_ID_RULES)[number] | `digit ${number}`;

/** The `kind` of a problem when the kind of id is not known yet (else a key of {@link TAX_ID_KINDS}). */
export const TAX_ID_GENERIC_KINDS: readonly string[] = ['cédula/RUC', 'RUC', 'RFC'];

// ---- EU VAT numbers: prefixes ---------------------------------------------------------------

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

/** The prefixes read as a VAT number under any country: the EU's and the United Kingdom's GB. */
const VAT_PREFIXES: readonly string[] = [...EU_VAT_PREFIXES, 'GB'];

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

/**
 * Upper case (NFC), without the separators people type: whitespace, dots, dashes, commas,
 * colons, slashes and underscores (`DK: 21599336`, `CZ 640229/4448`, `DE 136,695 976`).
 */
export function normalizeTaxId(id: string): string {
  return id
    .toUpperCase()
    .normalize('NFC')
    .replace(/[\s.,:/_\-\u2010-\u2015\u2212]/g, '');
}

// ---- shared check-digit helpers -------------------------------------------------------------

const digitAt = (s: string, i: number): number => s.charCodeAt(i) - 48;
const isDigits = (s: string): boolean => /^\d+$/.test(s);

/** Σ digit × weight over the first weights.length digits of `s`. */
function weightedSum(s: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += digitAt(s, i) * weights[i]!;
  return sum;
}

/** Non-negative remainder (Python's %): mod(-3, 11) = 8. */
const mod = (n: number, m: number): number => ((n % m) + m) % m;

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

/** ISO 7064 MOD 97,10 over letters and digits (A = 10 … Z = 35): valid when the remainder is 1. */
function iso7064Mod97_10Valid(s: string): boolean {
  const digits = [...s].map((c) => (c >= 'A' && c <= 'Z' ? String(c.charCodeAt(0) - 55) : c)).join('');
  return modDecimal(digits, 97) === 1;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Whether year-month-day is a day of the Gregorian calendar. */
function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * What is wrong with a number whose format fits: a check that fails (`expected` the right value,
 * null when none can be named) or, with `found`, a component that has an impossible value.
 */
type Fault = { rule: TaxIdRule; expected: string | null; found?: string };

/** Compares a computed check with the one written; null when they agree. */
function compare(rule: TaxIdRule, expected: string | null, actual: string): Fault | null {
  return expected === actual ? null : { rule, expected };
}

const component = (rule: TaxIdRule, expected: string, found: string): Fault => ({ rule, expected, found });

function checkProblem<T>(kind: string, f: Fault): Result<T> {
  if (f.found !== undefined) return fail('taxid.component', { kind, rule: f.rule, expected: f.expected ?? '', found: f.found });
  return f.expected === null
    ? fail('taxid.check_impossible', { kind, rule: f.rule })
    : fail('taxid.check', { kind, rule: f.rule, expected: f.expected });
}

/** The problem of a fault, as a warning of an id kept unverified. */
function faultWarning(kind: string, f: Fault): Problem {
  const r = checkProblem(kind, f);
  return r.ok ? { code: 'taxid.check_impossible', params: { kind, rule: f.rule } } : r.problem;
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
  let failure: Fault | null;
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
// python-stdnum ec/ci.py and ec/ruc.py: provinces 01–24, 30 (Ecuadorians abroad) and 50; a cédula's
// third digit 0–6 (6: foreigners); a RUC's third digit 0–5 a natural person (cédula + establishment),
// 6 a public entity or else a natural person, 9 a company or else one numbered by the public-entity
// rule (the SRI has issued both: 0962467429001, 1793221293001).

const EC_FORMAT = /^\d{10}(\d{3})?$/;
const CONSUMIDOR_FINAL = '9999999999999';
const EC_PROVINCES = '01-24 | 30 | 50';

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

/** A cédula (the first 10 digits of `s`): third digit 0–6, modulo 10. */
function cedulaFault(s: string): Fault | null {
  const third = s.charAt(2);
  if (third > '6') return component('third digit', '[0-6]', third);
  return compare('modulo 10', String(cedulaCheckDigit(s)), s.charAt(9));
}

/** RUC of a natural person: a cédula and an establishment 001–999. */
const naturalRucFault = (s: string): Fault | null =>
  s.slice(10) === '000' ? component('establishment', '001-999', '000') : cedulaFault(s);

/** RUC of a public entity: modulo 11 over 9 digits, establishment 0001–9999. */
const publicRucFault = (s: string): Fault | null =>
  s.slice(9) === '0000'
    ? component('establishment', '0001-9999', '0000')
    : compare('modulo 11', ecMod11(s, [3, 2, 7, 6, 5, 4, 3, 2]), s.charAt(8));

/** RUC of a private company: modulo 11 over 10 digits, establishment 001–999. */
const privateRucFault = (s: string): Fault | null =>
  s.slice(10) === '000'
    ? component('establishment', '001-999', '000')
    : compare('modulo 11', ecMod11(s, [4, 3, 2, 7, 6, 5, 4, 3, 2]), s.charAt(9));

function validateEcuador(s: string): Result<TaxIdInfo> {
  if (s === CONSUMIDOR_FINAL) return ok({ normalized: s, kind: 'consumidor final' });
  if (!EC_FORMAT.test(s)) return fail('taxid.format', { kind: 'cédula/RUC', expected: '9999999999 | 9999999999999' });
  const isRuc = s.length === 13;
  const province = Number(s.slice(0, 2));
  const third = s.charAt(2);
  const kind = !isRuc ? 'cédula' : third < '6' ? 'RUC persona natural' : third === '6' ? 'RUC sector público' : third === '9' ? 'RUC sociedad privada' : 'RUC';
  if (!((province >= 1 && province <= 24) || province === 30 || province === 50)) {
    return checkProblem(kind, component('province', EC_PROVINCES, s.slice(0, 2)));
  }
  const result = (k: string, f: Fault | null): Result<TaxIdInfo> => (f ? checkProblem(k, f) : ok({ normalized: s, kind: k }));
  if (!isRuc) return result(kind, cedulaFault(s));
  if (third < '6') return result(kind, naturalRucFault(s));
  if (third === '6') {
    const f = publicRucFault(s);
    return f && !naturalRucFault(s) ? ok({ normalized: s, kind: 'RUC persona natural' }) : result(kind, f);
  }
  if (third === '9') {
    const f = privateRucFault(s);
    return result(kind, f && !publicRucFault(s) ? null : f);
  }
  return checkProblem(kind, component('third digit', '[0-69]', third));
}

// ---- Mexico ---------------------------------------------------------------------------------
// python-stdnum mx/rfc.py: 3 (company) or 4 (person) letters, the date (YYMMDD), the homoclave
// (2 characters and the check digit). About 1.5 % of the RFCs in use fail the check digit, so stdnum
// does not enforce it by default; here such an RFC is kept as `unverified` with a warning, as is one
// whose homoclave breaks the SAT's character rules, or a person's RFC written without homoclave.

const RFC_SHAPE = /^([A-ZÑ&]{3,4})(\d{6})([A-Z0-9]{3})?$/;
const RFC_VALUES = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ';
const RFC_GENERIC = ['XAXX010101000', 'XEXX010101000'];
/** The homoclave's characters (python-stdnum mx/rfc.py `_check_digits_re`). */
const RFC_HOMOCLAVE = /^[1-9A-V][1-9A-Z][0-9A]$/;
/** Words the SAT never issues as a person's first four letters (it replaces the last letter by X). */
const RFC_BLACKLIST = new Set([
  'BUEI', 'BUEY', 'CACA', 'CACO', 'CAGA', 'CAGO', 'CAKA', 'CAKO', 'COGE', 'COJA', 'COJE', 'COJI',
  'COJO', 'CULO', 'FETO', 'GUEY', 'JOTO', 'KACA', 'KACO', 'KAGA', 'KAGO', 'KAKA', 'KOGE', 'KOJO',
  'KULO', 'MAME', 'MAMO', 'MEAR', 'MEAS', 'MEON', 'MION', 'MOCO', 'MULA', 'PEDA', 'PEDO', 'PENE',
  'PUTA', 'PUTO', 'QULO', 'RATA', 'RUIN',
]);

/** SAT check character of the first 11 (company) or 12 (person) characters of an RFC. */
export function rfcCheckDigit(body: string): string {
  const padded = body.length === 11 ? ' ' + body : body;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += RFC_VALUES.indexOf(padded.charAt(i)) * (13 - i);
  const r = sum % 11;
  if (r === 0) return '0';
  return r === 1 ? 'A' : String(11 - r);
}

/** YYMMDD, the century not written: python-stdnum reads it as 20YY (00 is a leap year). */
const isRfcDate = (yymmdd: string): boolean =>
  isRealDate(2000 + Number(yymmdd.slice(0, 2)), Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));

function validateMexico(s: string): Result<TaxIdInfo> {
  if (RFC_GENERIC.includes(s)) return ok({ normalized: s, kind: 'RFC genérico' });
  const m = RFC_SHAPE.exec(s);
  const person = m?.[1]!.length === 4;
  if (!m || (!person && !m[3])) return fail('taxid.format', { kind: 'RFC', expected: 'AAAA999999XXX | AAA999999XXX' });
  const kind = person ? 'RFC persona física' : 'RFC persona moral';
  const letters = m[1]!;
  if (person && RFC_BLACKLIST.has(letters)) return checkProblem(kind, component('name letters', letters.slice(0, 3) + 'X', letters));
  if (!isRfcDate(m[2]!)) return checkProblem(kind, component('date', 'YYMMDD', m[2]!));
  const unverified = (warning: Problem): Result<TaxIdInfo> => ok({ normalized: s, kind: UNVERIFIED, warning });
  if (!m[3]) return unverified({ code: 'taxid.format', params: { kind, expected: 'AAAA999999XXX' } });
  const f = compare('check digit', rfcCheckDigit(s.slice(0, -1)), s.slice(-1));
  if (f) return unverified(faultWarning(kind, f));
  if (!RFC_HOMOCLAVE.test(m[3])) return unverified(faultWarning(kind, component('homoclave', '[1-9A-V][1-9A-Z][0-9A]', m[3])));
  return ok({ normalized: s, kind });
}

// ---- EU and UK VAT numbers ------------------------------------------------------------------
// Each rule follows python-stdnum's module of its country (named on the rule): the same body
// after the same compaction (`compact`: padding restored), the same format, components and checks.

interface VatRule {
  /** The body as typed → as the rule reads it (python-stdnum's `compact`: padding restored). */
  compact?: (b: string) => string;
  re: RegExp;
  mask: string;
  /** What is wrong with a body that matches `re`; null when right. */
  check: (b: string) => Fault | null;
}

/** Modulo 11 with the check digit weighted 1: 11 − r, 11 → 0, 10 → none (DK, FI). */
function mod11Digit(b: string, weights: readonly number[]): string | null {
  const r = weightedSum(b, weights) % 11;
  return r === 0 ? '0' : r === 1 ? null : String(11 - r);
}

/** The Czech/Slovak birth number (python-stdnum cz/rc.py): a date (month + 20/50/70), modulo 11. */
function birthNumberFault(b: string): Fault | null {
  let year = 1900 + Number(b.slice(0, 2));
  const month = (Number(b.slice(2, 4)) % 50) % 20;
  const day = Number(b.slice(4, 6));
  if (b.length === 9) {
    if (year >= 1980) year -= 100;
    if (year > 1953) return component('date', 'YYMMDD < 540101', b.slice(0, 6)); // 9 digits only until 1953
  } else if (year < 1954) year += 100;
  if (!isRealDate(year, month, day)) return component('date', 'YYMMDD', b.slice(0, 6));
  return b.length === 10 ? compare('modulo 11', String(modDecimal(b.slice(0, 9), 11) % 10), b.charAt(9)) : null;
}

/** Bulgarian EGN (python-stdnum bg/egn.py): birth date (month + 20 before 1900, + 40 after 1999), check digit. */
function isBulgarianEgn(b: string): boolean {
  let year = 1900 + Number(b.slice(0, 2));
  let month = Number(b.slice(2, 4));
  if (month > 40) {
    year += 100;
    month -= 40;
  } else if (month > 20) {
    year -= 100;
    month -= 20;
  }
  return isRealDate(year, month, Number(b.slice(4, 6))) && (weightedSum(b, [2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11) % 10 === digitAt(b, 9);
}

/** Lithuanian (and Estonian) personal/company code check digit (python-stdnum lt/pvm.py). */
function lithuanianCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (1 + (i % 9)) * digitAt(body, i);
  if (sum % 11 === 10) {
    sum = 0;
    for (let i = 0; i < body.length; i++) sum += (1 + ((i + 2) % 9)) * digitAt(body, i);
  }
  return String((sum % 11) % 10);
}

/** Romanian CNP (python-stdnum ro/cnp.py): sex/century digit 1–9, birth date, check digit (10 → 1). */
function romanianCnpFault(b: string): Fault | null {
  const century = { '1': 1900, '2': 1900, '3': 1800, '4': 1800, '5': 2000, '6': 2000 }[b.charAt(0)] ?? 1900;
  if (!isRealDate(century + Number(b.slice(1, 3)), Number(b.slice(3, 5)), Number(b.slice(5, 7)))) return component('date', 'YYMMDD', b.slice(1, 7));
  const r = weightedSum(b, [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
  return compare('modulo 11', r === 10 ? '1' : String(r), b.charAt(12));
}

const CY_EVEN = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
const IE_LETTERS = 'WABCDEFGHIJKLMNOPQRSTUV';
/** French VAT keys: digits and letters but I and O (python-stdnum fr/tva.py `_alphabet`). */
const FR_KEY = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** Irish check letter of 7 digits and the optional second letter (python-stdnum ie/vat.py). */
const irishCheckLetter = (digits7: string, second = ''): string =>
  IE_LETTERS[(weightedSum(digits7, [8, 7, 6, 5, 4, 3, 2]) + 9 * Math.max(0, IE_LETTERS.indexOf(second))) % 23]!;

/** UK VAT numbers (python-stdnum gb/vat.py), for both GB and XI. */
const UK_RULE: VatRule = {
  re: /^(\d{9}|\d{12}|GD\d{3}|HA\d{3}|(GD|HA)8888\d{5})$/,
  mask: '999999999 | 999999999999 | [G][D]999 | [H][A]999 | [G][D]8888 99999 | [H][A]8888 99999',
  check: (b) => {
    if (b.startsWith('GD') || b.startsWith('HA')) {
      // government departments GD000–GD499, health authorities HA500–HA999
      const n = Number(b.length === 5 ? b.slice(2) : b.slice(6, 9));
      if (b.startsWith('GD') ? n >= 500 : n < 500) return component('GD/HA number', 'GD000-GD499 | HA500-HA999', b.slice(0, 2) + String(n).padStart(3, '0'));
      return b.length === 11 ? compare('modulo 97', pad2(n % 97), b.slice(9)) : null;
    }
    // 9 digits (12 for a branch: the last 3 are not checked); from 100 on also the 2010 series (+55) and 42
    const r = weightedSum(b, [8, 7, 6, 5, 4, 3, 2, 10, 1]) % 97;
    const valid = Number(b.slice(0, 3)) >= 100 ? [0, 42, 55].includes(r) : r === 0;
    return valid ? null : { rule: 'modulo 97', expected: null };
  },
};

const VAT_RULES: Record<string, VatRule> = {
  // python-stdnum at/uid.py
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
  // python-stdnum be/vat.py: `(0)` and the old 9-digit form restored to 10 digits; (n + check) mod 97 = 0
  BE: {
    compact: (b) => {
      const c = b.startsWith('(0)') ? '0' + b.slice(3) : b;
      return /^\d{9}$/.test(c) ? '0' + c : c;
    },
    re: /^(?!0{10})\d{10}$/,
    mask: '9999999999',
    check: (b) => {
      const r = modDecimal(b.slice(0, 8), 97);
      return (r + Number(b.slice(8))) % 97 === 0 ? null : { rule: 'modulo 97', expected: pad2(97 - r) };
    },
  },
  // python-stdnum bg/vat.py: 9 digits a company; 10 a person (EGN), a foreigner (PNF) or another
  BG: {
    re: /^\d{9,10}$/,
    mask: '999999999 | 9999999999',
    check: (b) => {
      if (b.length === 9) {
        let c = weightedSum(b, [1, 2, 3, 4, 5, 6, 7, 8]) % 11;
        if (c === 10) c = weightedSum(b, [3, 4, 5, 6, 7, 8, 9, 10]) % 11;
        return compare('modulo 11', String(c % 10), b.charAt(8));
      }
      const pnf = weightedSum(b, [21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10 === digitAt(b, 9);
      const other = String(mod(11 - weightedSum(b, [4, 3, 2, 7, 6, 5, 4, 3, 2]), 11)) === b.charAt(9);
      return isBulgarianEgn(b) || pnf || other ? null : { rule: 'EGN / PNF / modulo 11', expected: null };
    },
  },
  // python-stdnum cy/vat.py
  CY: {
    re: /^\d{8}[A-Z]$/,
    mask: '99999999A',
    check: (b) => {
      if (b.startsWith('12')) return component('first digits', 'not 12', '12');
      let sum = 0;
      for (let i = 0; i < 8; i++) sum += i % 2 === 0 ? CY_EVEN[digitAt(b, i)]! : digitAt(b, i);
      return compare('check letter', String.fromCharCode(65 + (sum % 26)), b.charAt(8));
    },
  },
  // python-stdnum cz/dic.py: 8 digits a company, 9 starting with 6 a person without birth number,
  // else the birth number (cz/rc.py)
  CZ: {
    re: /^\d{8,10}$/,
    mask: '99999999 | 999999999 | 9999999999',
    check: (b) => {
      if (b.length === 8) {
        if (b.startsWith('9')) return component('first digit', '[0-8]', '9');
        const c = mod(11 - weightedSum(b, [8, 7, 6, 5, 4, 3, 2]), 11);
        return compare('modulo 11', String((c || 1) % 10), b.charAt(7));
      }
      if (b.length === 9 && b.startsWith('6')) {
        const c = weightedSum(b.slice(1), [8, 7, 6, 5, 4, 3, 2]) % 11;
        return compare('modulo 11', String(mod(8 - mod(10 - c, 11), 10)), b.charAt(8));
      }
      return birthNumberFault(b);
    },
  },
  // python-stdnum de/vat.py
  DE: {
    re: /^[1-9]\d{8}$/,
    mask: '[1-9]99999999',
    check: (b) => compare('ISO 7064 MOD 11,10', String(iso7064Mod11_10(b.slice(0, 8))), b.charAt(8)),
  },
  // python-stdnum dk/cvr.py
  DK: {
    re: /^[1-9]\d{7}$/,
    mask: '[1-9]9999999',
    check: (b) => compare('modulo 11', mod11Digit(b, [2, 7, 6, 5, 4, 3, 2]), b.charAt(7)),
  },
  // python-stdnum ee/kmkr.py
  EE: {
    re: /^\d{9}$/,
    mask: '999999999',
    check: (b) => compare('modulo 10', String((10 - (weightedSum(b, [3, 7, 1, 3, 7, 1, 3, 7]) % 10)) % 10), b.charAt(8)),
  },
  // python-stdnum gr/vat.py: the old 8-digit form restored to 9
  EL: {
    compact: (b) => (/^\d{8}$/.test(b) ? '0' + b : b),
    re: /^\d{9}$/,
    mask: '999999999',
    check: (b) => compare('modulo 11', String((weightedSum(b, [256, 128, 64, 32, 16, 8, 4, 2]) % 11) % 10), b.charAt(8)),
  },
  // python-stdnum fi/alv.py
  FI: {
    re: /^\d{8}$/,
    mask: '99999999',
    check: (b) => compare('modulo 11', mod11Digit(b, [7, 9, 10, 5, 8, 4, 2]), b.charAt(7)),
  },
  // python-stdnum fr/tva.py: a key (2 digits: mod 97 of the SIREN; with a letter: the new-style
  // key) and the SIREN, which passes Luhn (unless it starts with 000: Monaco)
  FR: {
    re: /^[0-9A-HJ-NP-Z]{2}\d{9}$/,
    mask: 'XX999999999',
    check: (b) => {
      const siren = b.slice(2);
      if (!siren.startsWith('000')) {
        const f = compare('Luhn (SIREN)', String(luhnCheckDigit(siren.slice(0, 8))), siren.charAt(8));
        if (f) return f;
      }
      if (/^\d\d/.test(b)) return compare('modulo 97', pad2((modDecimal(siren, 97) * 3 + 12) % 97), b.slice(0, 2));
      const k0 = FR_KEY.indexOf(b.charAt(0));
      const k1 = FR_KEY.indexOf(b.charAt(1));
      const c = /\d/.test(b.charAt(0)) ? k0 * 24 + k1 - 10 : k0 * 34 + k1 - 100;
      return (modDecimal(siren, 11) + 1 + Math.floor(c / 11)) % 11 === c % 11 ? null : { rule: 'new-style key', expected: null };
    },
  },
  // python-stdnum hr/oib.py
  HR: {
    re: /^\d{11}$/,
    mask: '99999999999',
    check: (b) => compare('ISO 7064 MOD 11,10', String(iso7064Mod11_10(b.slice(0, 10))), b.charAt(10)),
  },
  // python-stdnum hu/anum.py
  HU: {
    re: /^\d{8}$/,
    mask: '99999999',
    check: (b) => compare('modulo 10', String((10 - (weightedSum(b, [9, 7, 3, 1, 9, 7, 3]) % 10)) % 10), b.charAt(7)),
  },
  // python-stdnum ie/vat.py: 7 digits and the check letter (and a second letter: A, H or the W of
  // old numbers), or the old form (digit, letter or + or *, 5 digits, check letter)
  IE: {
    re: /^(\d{7}[A-W]{1,2}|\d[A-Z+*]\d{5}[A-W]{1,2})$/,
    mask: '9999999A | 9999999AA | 9X99999A',
    check: (b) =>
      isDigits(b.slice(0, 7))
        ? compare('modulo 23', irishCheckLetter(b.slice(0, 7), b.charAt(8)), b.charAt(7))
        : compare('modulo 23', irishCheckLetter('0' + b.slice(2, 7) + b.charAt(0)), b.charAt(7)),
  },
  // python-stdnum it/iva.py: the office code (digits 8–10) 001–100, 120, 121, 888 or 999; Luhn
  IT: {
    re: /^(?!0{7})\d{11}$/,
    mask: '99999999999',
    check: (b) => {
      const office = b.slice(7, 10);
      if (!((office >= '001' && office <= '100') || ['120', '121', '888', '999'].includes(office))) {
        return component('office', '001-100 | 120 | 121 | 888 | 999', office);
      }
      return compare('Luhn', String(luhnCheckDigit(b.slice(0, 10))), b.charAt(10));
    },
  },
  // python-stdnum lt/pvm.py: 9 digits a company (8th digit 1), 12 a temporary or natural taxpayer (11th digit 1)
  LT: {
    re: /^(\d{9}|\d{12})$/,
    mask: '999999999 | 999999999999',
    check: (b) => {
      const at = b.length === 9 ? 7 : 10;
      if (b.charAt(at) !== '1') return component(`digit ${at + 1}`, '1', b.charAt(at));
      return compare('modulo 11', lithuanianCheckDigit(b.slice(0, -1)), b.slice(-1));
    },
  },
  // python-stdnum lu/tva.py
  LU: {
    re: /^\d{8}$/,
    mask: '99999999',
    check: (b) => compare('modulo 89', pad2(modDecimal(b.slice(0, 6), 89)), b.slice(6)),
  },
  // python-stdnum lv/pvn.py: first digit above 3 a company (Σ ≡ 3 mod 11); else a personal code
  // (DDMMYY, century digit, check digit) — or, from 32, the 2017 codes without a birth date, whose
  // check rule is not public (accepted by their format)
  LV: {
    re: /^\d{11}$/,
    mask: '99999999999',
    check: (b) => {
      if (b.charAt(0) > '3') {
        const d = mod(3 - weightedSum(b, [9, 1, 4, 8, 3, 10, 2, 5, 7, 6]), 11);
        return compare('modulo 11', d === 10 ? null : String(d), b.charAt(10));
      }
      if (b.startsWith('32')) return null;
      if (!isRealDate(1800 + 100 * digitAt(b, 6) + Number(b.slice(4, 6)), Number(b.slice(2, 4)), Number(b.slice(0, 2)))) {
        return component('date', 'DDMMYY', b.slice(0, 6));
      }
      return compare('modulo 11', String(((1 + weightedSum(b, [10, 5, 8, 4, 2, 1, 6, 3, 7, 9])) % 11) % 10), b.charAt(10));
    },
  },
  // python-stdnum mt/vat.py: Σ (weights 3,4,6,7,8,9 and the check number) ≡ 0 mod 37
  MT: {
    re: /^[1-9]\d{7}$/,
    mask: '[1-9]9999999',
    check: (b) => {
      const r = weightedSum(b, [3, 4, 6, 7, 8, 9]) % 37;
      return (r + Number(b.slice(6))) % 37 === 0 ? null : { rule: 'modulo 37', expected: pad2(37 - r) };
    },
  },
  // python-stdnum nl/btw.py: the RSIN/BSN padded to 9 digits, B, a unit 01–99; the BSN's
  // modulo 11, or (sole traders' numbers since 2020) ISO 7064 MOD 97,10 over NL and the number
  NL: {
    compact: (b) => {
      const m = /^(\d{1,8})(B\d\d)$/.exec(b);
      return m ? m[1]!.padStart(9, '0') + m[2]! : b;
    },
    re: /^\d{9}B(?!00)\d\d$/,
    mask: '999999999[B]99',
    check: (b) => {
      const bsn = !/^0{9}/.test(b) && mod(weightedSum(b, [9, 8, 7, 6, 5, 4, 3, 2]) - digitAt(b, 8), 11) === 0;
      return bsn || iso7064Mod97_10Valid('NL' + b) ? null : { rule: 'BSN / ISO 7064 MOD 97,10', expected: null };
    },
  },
  // python-stdnum pl/nip.py
  PL: {
    re: /^\d{10}$/,
    mask: '9999999999',
    check: (b) => {
      const r = weightedSum(b, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
      return compare('modulo 11', r === 10 ? null : String(r), b.charAt(9));
    },
  },
  // python-stdnum pt/nif.py
  PT: {
    re: /^[1-9]\d{8}$/,
    mask: '[1-9]99999999',
    check: (b) => {
      const r = weightedSum(b, [9, 8, 7, 6, 5, 4, 3, 2]) % 11;
      return compare('modulo 11', r < 2 ? '0' : String(11 - r), b.charAt(8));
    },
  },
  // python-stdnum ro/cf.py: a company's 2–10 digits (check digit of the rest, padded to 9), or a
  // person's CNP (13 digits, ro/cnp.py)
  RO: {
    re: /^([1-9]\d{1,9}|[1-9]\d{12})$/,
    mask: '[1-9]9{1,9} | [1-9]999999999999',
    check: (b) => {
      if (b.length === 13) return romanianCnpFault(b);
      const body = b.slice(0, -1).padStart(9, '0');
      return compare('modulo 11', String(((10 * weightedSum(body, [7, 5, 3, 2, 1, 7, 5, 3, 2])) % 11) % 10), b.slice(-1));
    },
  },
  // python-stdnum se/vat.py
  SE: {
    re: /^\d{10}01$/,
    mask: '9999999999[0][1]',
    check: (b) => compare('Luhn', String(luhnCheckDigit(b.slice(0, 9))), b.charAt(9)),
  },
  // python-stdnum si/ddv.py
  SI: {
    re: /^[1-9]\d{7}$/,
    mask: '[1-9]9999999',
    check: (b) => {
      const r = weightedSum(b, [8, 7, 6, 5, 4, 3, 2]) % 11;
      return compare('modulo 11', r === 0 ? null : r === 1 ? '0' : String(11 - r), b.charAt(7));
    },
  },
  // python-stdnum sk/dph.py: a birth number (sk/rc.py, as cz/rc.py), or a company's number (first
  // digit not 0, third digit 2, 3, 4, 7, 8 or 9) divisible by 11
  SK: {
    re: /^\d{10}$/,
    mask: '9999999999',
    check: (b) => {
      if (birthNumberFault(b) === null) return null;
      if (b.startsWith('0')) return component('first digit', '[1-9]', '0');
      if (!'234789'.includes(b.charAt(2))) return component('third digit', '[234789]', b.charAt(2));
      const d = (11 - ((modDecimal(b.slice(0, 9), 11) * 10) % 11)) % 11; // makes the number divisible by 11
      return compare('modulo 11', d === 10 ? null : String(d), b.charAt(9));
    },
  },
  GB: UK_RULE,
  XI: UK_RULE,
};

/** Descriptions of the kinds `validateTaxId` returns (and names in its problems). */
export const TAX_ID_KINDS: Readonly<Record<string, string>> = {
  NIF: 'Spain: NIF of a person with DNI (8 digits + control letter, mod 23)',
  NIE: 'Spain: NIE of a foreigner (X/Y/Z + 7 digits + control letter)',
  CIF: 'Spain: NIF of a legal entity (organisation letter + 7 digits + control digit or letter)',
  'NIF-KLM': 'Spain: special NIF K, L or M (letter + 7 digits + control letter)',
  cédula: 'Ecuador: cédula de identidad (10 digits, third digit 0-6, modulo 10)',
  'RUC persona natural': 'Ecuador: RUC of a natural person (cédula + establishment)',
  'RUC sociedad privada': 'Ecuador: RUC of a company (third digit 9; modulo 11 over 10 digits, or over 9 as the SRI also issued)',
  'RUC sector público': 'Ecuador: RUC of a public entity (third digit 6, modulo 11 over 9 digits)',
  'consumidor final': 'Ecuador: the final consumer 9999999999999',
  'RFC persona física': 'Mexico: RFC of a person (4 letters + date + homoclave, 13 characters)',
  'RFC persona moral': 'Mexico: RFC of a company (3 letters + date + homoclave, 12 characters)',
  'RFC genérico': 'Mexico: generic RFC XAXX010101000 (national) or XEXX010101000 (foreign)',
  ...Object.fromEntries(EU_VAT_PREFIXES.map((p) => [`VAT-${p}`, `EU VAT number ${p} (format and check digits)`])),
  'VAT-GB': 'United Kingdom VAT number GB (format and check digits)',
  [UNVERIFIED]:
    'kept without verifying: a Mexican RFC whose check digit or homoclave does not match (the SAT has issued such RFCs), or an id whose check digit fails kept with --accept-tax-id',
  other: 'any other country: not checked',
};

/** The VAT prefix `s` starts with (GR read as EL), or null. */
function vatPrefixOf(s: string): string | null {
  const p = s.slice(0, 2);
  if (p === 'GR') return 'EL';
  return VAT_PREFIXES.includes(p) ? p : null;
}

/** The prefix of a country's own VAT numbers: an EU member's, XI, or GB. */
const ownVatPrefix = (country: string): string | null => euVatPrefix(country) ?? (country === 'GB' ? 'GB' : null);

const vatFits = (prefix: string, body: string): boolean => {
  if (prefix === 'ES') return spanishFits(body);
  const rule = VAT_RULES[prefix]!;
  return rule.re.test(rule.compact ? rule.compact(body) : body);
};

function validateVat(prefix: string, typed: string): Result<TaxIdInfo> {
  const kind = `VAT-${prefix}`;
  if (prefix === 'ES') {
    const r = validateSpain(typed);
    return r.ok ? ok({ normalized: 'ES' + typed, kind }) : r;
  }
  const rule = VAT_RULES[prefix]!;
  const body = rule.compact ? rule.compact(typed) : typed;
  if (!rule.re.test(body)) return fail('taxid.format', { kind, expected: rule.mask });
  const f = rule.check(body);
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

const anyId = (s: string): Reading => ({ fits: true, run: () => ok({ normalized: s, kind: 'other' }) });

/**
 * Normalizes and validates the tax id `id` of country `country` (ISO 3166-1 alpha-2).
 * - ES: NIF, NIE, CIF, K/L/M; with an `ES` prefix it is read as the Spanish VAT number.
 * - EC: cédula, RUC (natural person, private company, public entity), consumidor final.
 * - MX: RFC of persons and companies (date, the words never issued; check digit and homoclave
 *   as a warning: `unverified`), the generic RFCs.
 * - EU members, XI, GB: the VAT number, with or without its prefix (an id that starts with the
 *   country's own prefix is always read as prefixed: `FR` + 9 digits is no French key `FR`).
 * - An id that starts with the prefix of another VAT number (EU or GB) is read as that VAT number,
 *   under any country (unless, for MX, it is shaped like an RFC; for an EU country, unless only
 *   the country's own unprefixed format fits it).
 * - Any other country: any non-empty id (kind `other`).
 */
export function validateTaxId(country: string, id: string): Result<TaxIdInfo> {
  const s = normalizeTaxId(id);
  if (s.length === 0) return fail('taxid.empty');
  const cc = country.trim().toUpperCase();
  const own = ownVatPrefix(cc);
  const prefix = vatPrefixOf(s);
  const readings: Reading[] = [];
  if (cc === 'MX') readings.push({ fits: RFC_SHAPE.test(s) || RFC_GENERIC.includes(s), run: () => validateMexico(s) });
  if (prefix) readings.push({ fits: vatFits(prefix, s.slice(2)), run: () => validateVat(prefix, s.slice(2)) });
  if (cc === 'MX') return pick(readings);
  if (own) {
    if (prefix !== own) {
      if (own === 'ES') readings.push({ fits: spanishFits(s), run: () => validateSpain(s) });
      else readings.push({ fits: vatFits(own, s), run: () => validateVat(own, s) });
    }
  } else if (cc === 'EC') {
    readings.push({ fits: true, run: () => validateEcuador(s) });
  } else if (!prefix) {
    readings.push(anyId(s));
  }
  return pick(readings);
}
