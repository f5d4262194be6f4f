/**
 * Text from outside — a flag, a request, a file — checked once before it is stored, and text
 * printed on a terminal escaped once (DESIGN §12).
 *
 * Stored text is normalised to NFC, trimmed, bounded ({@link TEXT_LIMITS}) and free of the
 * characters a terminal, a printer or a reader can be fooled by ({@link FORBIDDEN}): every C0
 * control (TAB and line breaks too: every stored field is one line), DEL, the C1 controls, the
 * Unicode line/paragraph separators and the bidirectional overrides and isolates (U+202A–202E,
 * U+2066–2069, the "Trojan Source" characters). Names fold runs of white space (a cell wrapped on
 * several lines in a spreadsheet) into one space instead of refusing them.
 *
 * Anything shown on a terminal goes through {@link terminalText}, so text stored before these
 * checks existed (or written into the database by hand) prints as `\x1b`, never as an escape.
 */
import { fail, ok, type Result, TpvError } from './errors.js';

/** The longest text of each kind of field, in characters (code points, after NFC). */
export const TEXT_LIMITS = {
  /** A product's name: 200, what catalogs exported before this limit hold (they import back). */
  productName: 200,
  /** A customer's or user's name: 120, what a VeriFactu record holds for a name (NombreRazon). */
  name: 120,
  /** A product category. */
  category: 100,
  /** A customer's postal address, on one line. */
  address: 300,
  /** An e-mail address (RFC 5321 path). */
  email: 254,
  phone: 40,
  /** Notes and reasons: a sale's or a line's note, a refund's, a cash move's, a no-sale's, a stock adjustment's, a voided credit's. */
  note: 500,
  /** Codes: a SKU, a payment's reference, a tax id as typed. */
  code: 64,
  /** A request's idempotency key (a sale's `id`). */
  id: 100,
} as const;

export type TextKind = keyof typeof TEXT_LIMITS;

/** Kinds whose white space runs (TAB, line breaks) become one space instead of being refused. */
const FOLDED: ReadonlySet<TextKind> = new Set(['productName', 'name', 'category']);

/** Characters no stored text may hold (see the module comment). */
export const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'g');
/** The same, less TAB and LF: what a terminal may receive in multi-line output. */
const FORBIDDEN_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `U+001B`: how a message names a character. */
export const codePoint = (c: string): string => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');

/** The first forbidden character of a text (named `U+001B`), or null. */
export function forbiddenChar(text: string): string | null {
  const m = FORBIDDEN.exec(text);
  return m ? codePoint(m[0]) : null;
}

/** Length in characters (code points), as the limits count it. */
export const textLength = (text: string): number => [...text].length;

/**
 * A text as stored: NFC, trimmed (names: white space folded to single spaces). Problems:
 * `text.malformed` (a lone surrogate: not Unicode text), `text.control` {char},
 * `text.too_long` {max}. An empty result is the caller's to accept or refuse.
 */
export function cleanText(raw: string, kind: TextKind): Result<string> {
  let text: string;
  if (PRINTABLE_ASCII.test(raw)) {
    // the common case (a sku, most names), already NFC with nothing forbidden: an import's hot path
    text = FOLDED.has(kind) ? raw.replace(/ {2,}/g, ' ').trim() : raw.trim();
  } else {
    if (LONE_SURROGATE.test(raw)) return fail('text.malformed');
    text = raw.normalize('NFC');
    text = FOLDED.has(kind) ? text.replace(/\s+/g, ' ').trim() : text.trim();
    const char = forbiddenChar(text);
    if (char) return fail('text.control', { char });
  }
  const max = TEXT_LIMITS[kind];
  // (never more characters than UTF-16 units: count only when it may be too long)
  if (text.length > max && textLength(text) > max) return fail('text.too_long', { max });
  return ok(text);
}

/** {@link cleanText}, or exit 3 naming the field (`name`, `lines[2].note`…). */
export function storedText(raw: string, kind: TextKind, field: string): string {
  const r = cleanText(raw, kind);
  if (!r.ok) throw new TpvError('invalid', r.problem.code, { ...(r.problem.params as Record<string, string | number>), field });
  return r.value;
}

/** {@link storedText} for an optional field: null, undefined and blank are null. */
export function optionalText(raw: string | null | undefined, kind: TextKind, field: string): string | null {
  if (raw === null || raw === undefined) return null;
  return storedText(raw, kind, field) || null;
}

const escape = (c: string): string => {
  const n = c.codePointAt(0)!;
  return n < 0x100 ? '\\x' + n.toString(16).padStart(2, '0') : '\\u' + n.toString(16).padStart(4, '0');
};

/**
 * Text safe to write to a terminal: each character of {@link FORBIDDEN} shown as an escape
 * (`\x1b`, `\x00`, `\u202e`). With `lines`, TAB and LF stay (multi-line output); without, they are
 * escaped too (one table cell, one value). Escaping twice changes nothing more.
 */
export function terminalText(text: string, lines = false): string {
  return text.replace(lines ? FORBIDDEN_IN_LINES : FORBIDDEN_ALL, escape);
}

/**
 * JSON text with the characters JSON.stringify leaves raw but a terminal acts on (C1 controls,
 * separators, bidi controls) written as `\u` escapes: the same JSON value, safe on a terminal.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => '\\u' + c.codePointAt(0)!.toString(16).padStart(4, '0'));
}
