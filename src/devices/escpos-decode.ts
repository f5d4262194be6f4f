/**
 * A small ESC/POS reader: turns the bytes sent to a receipt printer back into printed rows and
 * events (cuts, drawer pulses, codes, status requests). The printer simulator shows jobs with it
 * and the tests check the encoder against it, so it follows the Epson command reference and uses
 * no code of the encoder: a mistake in one does not hide in the other.
 *
 * Code pages follow Epson's numbering of `ESC t n` (most ESC/POS clones share it for the pages
 * below). Codes (QR, barcodes) appear among the rows as the same `[QR data]` / `[BARCODE data]`
 * labels the plain-text preview prints, so a decoded job reads like the preview.
 */
import { EPSON_CODE_PAGES as CODE_PAGES } from './codepages.js';
import { type Align, codeText } from './layout.js';

export interface DecodedRow {
  text: string;
  /** Some character of the row was printed emphasized (ESC E / ESC !). */
  bold: boolean;
  /** Some character of the row was printed at more than single height (GS ! / ESC !). */
  large: boolean;
  align: Align;
}

type EventBody =
  | { type: 'initialize' }
  | { type: 'codepage'; n: number }
  | { type: 'cut'; mode: 'partial' | 'full' }
  | { type: 'feed'; lines: number }
  | { type: 'feed'; dots: number }
  | { type: 'drawer'; pin: 2 | 5; onMs: number; offMs: number }
  | { type: 'qr'; data: string }
  | { type: 'barcode'; symbology: string; data: string }
  | { type: 'statusRequest'; n: number }
  | { type: 'unknown'; bytes: number[] };

/** What happened besides text; `row` is the number of rows printed before it. */
export type DecodedEvent = EventBody & { row: number };

export interface DecodedJob {
  rows: DecodedRow[];
  events: DecodedEvent[];
}

const LF = 0x0a;
const CR = 0x0d;
const DLE = 0x10;
const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;

/** Barcode symbologies of `GS k m` (function A m = 0–6, function B m = 65–79). */
const SYMBOLOGIES: Readonly<Record<number, string>> = {
  0: 'upca', 1: 'upce', 2: 'ean13', 3: 'ean8', 4: 'code39', 5: 'itf', 6: 'codabar',
  65: 'upca', 66: 'upce', 67: 'ean13', 68: 'ean8', 69: 'code39', 70: 'itf', 71: 'codabar',
  72: 'code93', 73: 'code128', 74: 'gs1-128', 75: 'gs1-databar-omni', 76: 'gs1-databar-truncated',
  77: 'gs1-databar-limited', 78: 'gs1-databar-expanded', 79: 'code128-auto',
};

/** Commands read and set aside (fonts, spacing, underline, barcode geometry…): their total length. */
const IGNORED: Readonly<Record<number, Readonly<Record<number, number>>>> = {
  [ESC]: { 0x20: 3, 0x2d: 3, 0x32: 2, 0x33: 3, 0x47: 3, 0x4d: 3, 0x7b: 3 },
  [GS]: { 0x42: 3, 0x48: 3, 0x66: 3, 0x68: 3, 0x77: 3 },
  [FS]: { 0x2e: 2 },
};

/** A printed code, labelled as the preview labels it (every barcode shows as `[BARCODE …]`). */
interface Code {
  kind: 'qr' | 'code128';
  data: string;
}

/** What ESC @ resets: the print modes, the line being filled, the stored QR data. */
interface Modes {
  page: number;
  bold: boolean;
  large: boolean;
  align: Align;
  line: string;
  lineBold: boolean;
  lineLarge: boolean;
  /** A code printed on the current line (the LF after it ends the row). */
  code: Code | null;
  qr: Uint8Array;
}

/** The printer as the bytes leave it. */
interface Printer extends Modes {
  rows: DecodedRow[];
  events: DecodedEvent[];
  /** Rows that are codes, labelled once the paper width is known. */
  codes: Map<number, Code>;
}

const initialModes = (): Modes => ({
  page: 0,
  bold: false,
  large: false,
  align: 'left',
  line: '',
  lineBold: false,
  lineLarge: false,
  code: null,
  qr: new Uint8Array(0),
});

const emit = (p: Printer, e: EventBody): void => void p.events.push({ ...e, row: p.rows.length });

/** LF: the line becomes a row (an empty line is a blank row). */
function endLine(p: Printer): void {
  if (p.code !== null) {
    p.codes.set(p.rows.length, p.code);
    p.rows.push({ text: codeText(p.code.kind, p.code.data, 0), bold: false, large: false, align: p.align });
  } else {
    p.rows.push({ text: p.line, bold: p.lineBold, large: p.lineLarge, align: p.align });
  }
  p.line = '';
  p.lineBold = p.lineLarge = false;
  p.code = null;
}

/** Commands that print what is buffered (feeds, cuts, codes) print a non-empty line as a row. */
function flushLine(p: Printer): void {
  if (p.line !== '' || p.code !== null) endLine(p);
}

function printCode(p: Printer, code: Code): void {
  flushLine(p);
  p.code = code;
}

function printChar(p: Printer, byte: number): void {
  const ch = byte < 0x80 ? String.fromCharCode(byte) : (CODE_PAGES[p.page]?.[byte - 0x80] ?? '\ufffd');
  if (p.code !== null) endLine(p);
  p.line += ch;
  p.lineBold ||= p.bold;
  p.lineLarge ||= p.large;
}

function alignOf(n: number): Align {
  const m = n >= 0x30 ? n - 0x30 : n;
  return m === 1 ? 'center' : m === 2 ? 'right' : 'left';
}

/**
 * CODE128 data as ESC/POS carries it: `{A`/`{B`/`{C` pick a code set, `{{` is a brace, other
 * `{x` pairs are function characters (not part of the text); code set C packs two digits a byte.
 */
export function code128Text(bytes: Uint8Array): string {
  let out = '';
  let set = 0x42;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x7b && i + 1 < bytes.length) {
      const f = bytes[++i]!;
      if (f === 0x7b) out += '{';
      else if (f >= 0x41 && f <= 0x43) set = f;
      continue;
    }
    out += set === 0x43 ? String(b).padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

const ascii = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** `GS k`: function A ends its data with NUL, function B gives its length. Returns the bytes used. */
function barcode(p: Printer, b: Uint8Array, i: number): number {
  const m = b[i + 2]!;
  let data: Uint8Array;
  let used: number;
  if (m <= 6) {
    const end = b.indexOf(0, i + 3);
    if (end < 0) return 0;
    data = b.subarray(i + 3, end);
    used = end + 1 - i;
  } else {
    const n = b[i + 3];
    if (n === undefined || i + 4 + n > b.length) return 0;
    data = b.subarray(i + 4, i + 4 + n);
    used = 4 + n;
  }
  const symbology = SYMBOLOGIES[m] ?? `m${m}`;
  const text = m === 73 ? code128Text(data) : ascii(data);
  emit(p, { type: 'barcode', symbology, data: text });
  printCode(p, { kind: 'code128', data: text });
  return used;
}

/** `GS ( k pL pH cn fn …`: QR (cn 49) stores its data with fn 80 and prints it with fn 81. */
function symbol(p: Printer, b: Uint8Array, i: number): number {
  const size = b[i + 3]! + b[i + 4]! * 256;
  const used = 5 + size;
  if (i + used > b.length) return 0;
  const cn = b[i + 5];
  const fn = b[i + 6];
  if (cn !== 0x31) {
    emit(p, { type: 'unknown', bytes: [...b.subarray(i, i + used)] });
  } else if (fn === 0x50) {
    p.qr = b.slice(i + 8, i + used);
  } else if (fn === 0x51) {
    const data = new TextDecoder().decode(p.qr);
    emit(p, { type: 'qr', data });
    printCode(p, { kind: 'qr', data });
  }
  return used;
}

/** `GS V m [n]`: m 0/48/65/97/103 cut fully, 1/49/66/98/104 partially; m ≥ 65 carries a feed. */
function cut(p: Printer, b: Uint8Array, i: number): number {
  const m = b[i + 2]!;
  const used = m >= 65 ? 4 : 3;
  if (i + used > b.length) return 0;
  flushLine(p);
  emit(p, { type: 'cut', mode: [1, 49, 66, 98, 104].includes(m) ? 'partial' : 'full' });
  return used;
}

/** One ESC command at i; returns the bytes it used, 0 when the data ends inside it. */
function escCommand(p: Printer, b: Uint8Array, i: number): number {
  const c = b[i + 1];
  const n = b[i + 2];
  if (c === 0x40) {
    // ESC @ clears the buffer (an unterminated line is lost, as on paper) and resets the modes
    Object.assign(p, initialModes());
    emit(p, { type: 'initialize' });
    return 2;
  }
  if (c === 0x70) {
    if (i + 5 > b.length) return 0;
    emit(p, { type: 'drawer', pin: (n! & 1) === 1 ? 5 : 2, onMs: b[i + 3]! * 2, offMs: b[i + 4]! * 2 });
    return 5;
  }
  if (n === undefined) return 0;
  switch (c) {
    case 0x74:
      p.page = n;
      emit(p, { type: 'codepage', n });
      return 3;
    case 0x45:
      p.bold = (n & 1) === 1;
      return 3;
    case 0x21:
      // ESC ! sets every mode at once: bit 3 emphasized, bit 4 double height
      p.bold = (n & 0x08) !== 0;
      p.large = (n & 0x10) !== 0;
      return 3;
    case 0x61:
      p.align = alignOf(n);
      return 3;
    case 0x64:
      flushLine(p);
      emit(p, { type: 'feed', lines: n });
      return 3;
    case 0x4a:
      flushLine(p);
      emit(p, { type: 'feed', dots: n });
      return 3;
  }
  return 0;
}

function gsCommand(p: Printer, b: Uint8Array, i: number): number {
  const c = b[i + 1];
  const n = b[i + 2];
  if (n === undefined) return 0;
  switch (c) {
    case 0x21:
      p.large = (n & 0x0f) > 0;
      return 3;
    case 0x56:
      return cut(p, b, i);
    case 0x6b:
      return barcode(p, b, i);
    case 0x28:
      return n === 0x6b && i + 5 <= b.length ? symbol(p, b, i) : 0;
  }
  return 0;
}

/**
 * Reads one command at i and returns how many bytes it used. Bytes it does not know become an
 * `unknown` event (one byte, or the whole command when its length is known).
 */
function command(p: Printer, b: Uint8Array, i: number): number {
  const lead = b[i]!;
  const ignored = IGNORED[lead]?.[b[i + 1] ?? -1];
  if (ignored !== undefined && i + ignored <= b.length) return ignored;
  let used = 0;
  if (lead === ESC) used = escCommand(p, b, i);
  else if (lead === GS) used = gsCommand(p, b, i);
  else if (lead === DLE && b[i + 1] === 0x04 && i + 2 < b.length) {
    emit(p, { type: 'statusRequest', n: b[i + 2]! });
    used = 3;
  }
  if (used > 0) return used;
  const known = lead === ESC || lead === GS || lead === FS || lead === DLE;
  const size = known ? Math.min(2, b.length - i) : 1;
  emit(p, { type: 'unknown', bytes: [...b.subarray(i, i + size)] });
  return size;
}

/** Reads a print job. `columns` places the code labels; by default the widest text row (a rule). */
export function decodeEscpos(bytes: Uint8Array, opts: { columns?: number } = {}): DecodedJob {
  const p: Printer = { rows: [], events: [], codes: new Map(), ...initialModes() };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b === LF) endLine(p);
    else if (b >= 0x20 && b !== 0x7f) printChar(p, b);
    else if (b !== CR) {
      i += command(p, bytes, i);
      continue;
    }
    i++;
  }
  flushLine(p);
  const columns = opts.columns ?? Math.max(0, ...p.rows.filter((_, n) => !p.codes.has(n)).map((r) => r.text.length));
  for (const [n, code] of p.codes) {
    const row = p.rows[n]!;
    row.text = row.align === 'center' ? codeText(code.kind, code.data, columns) : row.align === 'right' ? row.text.padStart(columns) : row.text;
  }
  return { rows: p.rows, events: p.events };
}

function marker(e: DecodedEvent): string | null {
  switch (e.type) {
    case 'initialize':
      return '[initialize]';
    case 'codepage':
      return `[code page ${e.n}]`;
    case 'cut':
      return e.mode === 'full' ? '--- cut (full) ---' : '--- cut ---';
    case 'feed':
      return 'lines' in e ? `[feed ${e.lines} lines]` : `[feed ${e.dots} dots]`;
    case 'drawer':
      return `[drawer pin ${e.pin} ${e.onMs}/${e.offMs} ms]`;
    case 'statusRequest':
      return `[status request ${e.n}]`;
    case 'unknown':
      return `[unknown ${e.bytes.map((x) => x.toString(16).padStart(2, '0')).join(' ')}]`;
    default:
      return null; // codes are rows already
  }
}

/** The job as readable text, one line per printed row; with `markers`, the events between them. */
export function decodedText(job: DecodedJob, opts: { markers?: boolean } = {}): string {
  const out: string[] = [];
  const markersAt = (row: number): void => {
    if (!opts.markers) return;
    for (const e of job.events) {
      const m = e.row === row ? marker(e) : null;
      if (m !== null) out.push(m);
    }
  };
  job.rows.forEach((r, n) => {
    markersAt(n);
    out.push(r.text);
  });
  markersAt(job.rows.length);
  return out.length ? out.join('\n') + '\n' : '';
}
