/**
 * The customer pole display: 2 lines of 20 characters, on a serial port. Two command sets cover
 * nearly every model sold: Epson's ESC/POS display commands (DM-D110, DM-D210 and the many
 * displays with an "Epson mode") and the CD5220 command set (Partner Tech CD5220 and its clones).
 * tpv always rewrites the whole screen, so a display that missed bytes or was power-cycled is
 * right again at the next update. `DisplayScreen` interprets the same commands, for the display
 * simulator and the tests.
 *
 * Sources: Epson DM-D110 Specification (STANDARD) §5.4 "Command Details" (ESC @, ESC t n with
 * n = 0…5, 16…19, US $ x y, US C n, US MD1…3, HOM, CLR, CAN); Epson's character code table
 * reference (download4.epson.biz/sec_pubs/pos/reference_en/charcode: page 2 = PC850, page 19 =
 * PC858); the CD5220 User's Manual as summarised by batzlerg/cd5220 (CD5220_reference.md:
 * ESC @, CLR, ESC Q A/B <text> CR, ESC _ n, ESC l x y, and the "string display mode" that
 * ignores most commands until CLR or CAN); LCDproc's serialPOS_cd5220.c and serialPOS_epson.c.
 */
import { CP850, CP858 } from './codepages.js';

export type DisplayMode = 'epson' | 'cd5220';
export const DISPLAY_MODES: readonly DisplayMode[] = ['epson', 'cd5220'];

export const DISPLAY_COLUMNS = 20;
export type DisplayLines = [string, string];

const ESC = 0x1b;
const US = 0x1f;
const CR = 0x0d;
const LF = 0x0a;
const HT = 0x09;
const BS = 0x08;
const HOM = 0x0b;
const CLR = 0x0c;
const CAN = 0x18;

/**
 * The Epson character table tpv selects: page 19, PC858 (PC850 "Multilingual" with € at D5 in
 * place of the dotless ı): every letter of Spanish, Catalan, French, German and Portuguese.
 * Page 19 is listed for ESC t on the DM-D110 and DM-D210 (Epson DM-D110 Specification, ESC t n).
 */
export const EPSON_TABLE_PC858 = 19;
/** Page 2, PC850: decoded too, because many "Epson mode" clones stop at page 5. */
const EPSON_TABLE_PC850 = 2;

const PC858_BYTE = new Map([...CP858].map((ch, i) => [ch, 0x80 + i]));

/**
 * ASCII stand-ins for characters a display cannot show. Letters with accents lose them through
 * Unicode decomposition; these are the ones that do not decompose, and common punctuation.
 */
const ASCII_FALLBACK: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ł: 'l', Ł: 'L',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i', '€': 'EUR', '£': 'GBP', '¢': 'c', ª: 'a', º: 'o', '¿': '?', '¡': '!',
  '«': '"', '»': '"', '“': '"', '”': '"', '„': '"', '‘': "'", '’': "'", '‚': "'", '´': "'", '–': '-', '—': '-',
  '‐': '-', '−': '-', '…': '...', '×': 'x', '÷': '/', '·': '.', '•': '*', '°': 'o',
};

/** One character as plain ASCII: the fallback table, else the base letter without its accents. */
function toAscii(ch: string): string {
  const named = ASCII_FALLBACK[ch];
  if (named !== undefined) return named;
  const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
  if (base === '') return ''; // a combining mark left over by NFC: its letter is already shown
  return /^[\x20-\x7e]+$/.test(base) ? base : '?';
}

/** Whether the display can show `ch` as it is: ASCII everywhere, PC858 letters in Epson mode. */
function showable(ch: string, mode: DisplayMode): boolean {
  return (ch >= ' ' && ch <= '~') || (mode === 'epson' && PC858_BYTE.has(ch));
}

/**
 * Fits a line to 20 columns. When it is too long (often because a fallback like "EUR" widened
 * it), the widest run of spaces shrinks first, so a right-aligned amount stays whole.
 */
function fitLine(chars: string[]): string {
  const out = [...chars];
  while (out.length > DISPLAY_COLUMNS) {
    const gap = widestGap(out);
    if (gap === null) break;
    out.splice(gap, 1);
  }
  return out.slice(0, DISPLAY_COLUMNS).join('').padEnd(DISPLAY_COLUMNS, ' ');
}

/** Where the widest run of two or more spaces starts, or null. */
function widestGap(chars: string[]): number | null {
  let best: number | null = null;
  let bestLen = 1;
  for (let i = 0; i < chars.length; ) {
    let j = i;
    while (chars[j] === ' ') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = Math.max(j, i + 1);
  }
  return best;
}

/** One line as the display will show it: spaces for controls, fallbacks, exactly 20 columns. */
function displayLine(text: string, mode: DisplayMode): string {
  const plain = text.normalize('NFC').replace(/\p{Cf}/gu, '').replace(/[\s\p{Cc}]/gu, ' ');
  const chars = [...plain].flatMap((ch) =>
    showable(ch, mode) ? [ch] : [...toAscii(ch)],
  );
  return fitLine(chars);
}

/** What the display will show for these lines in this mode (the text `displayBytes` encodes). */
export function displayText(lines: DisplayLines, mode: DisplayMode): DisplayLines {
  return [displayLine(lines[0], mode), displayLine(lines[1], mode)];
}

/** A line's characters as display bytes (every character is showable by then). */
function lineBytes(line: string): number[] {
  return [...line].map((ch) => PC858_BYTE.get(ch) ?? ch.charCodeAt(0));
}

/**
 * The bytes that put these two lines on the display, replacing whatever it showed.
 * Epson: ESC @ (initialize: clears, cursor home, resets the table, so ESC t must follow it),
 * ESC t 19 (PC858), US MD1 (overwrite mode: a display set to scroll could scroll at the end),
 * US C 0 (cursor off), then US $ 1 1 + line 1 and US $ 1 2 + line 2.
 * CD5220: CLR first (it ends the string display mode a previous screen left, in which most
 * commands are ignored), ESC @, ESC _ 0 (cursor off), ESC Q A + line 1 + CR, ESC Q B + line 2 + CR.
 * CD5220 clones differ in their tables above 0x7F, so that mode sends ASCII only.
 */
export function displayBytes(lines: DisplayLines, mode: DisplayMode): Uint8Array {
  const [top, bottom] = displayText(lines, mode).map(lineBytes) as [number[], number[]];
  if (mode === 'epson') {
    return Uint8Array.from([
      ...[ESC, 0x40, ESC, 0x74, EPSON_TABLE_PC858, US, 0x01, US, 0x43, 0x00],
      ...[US, 0x24, 1, 1, ...top],
      ...[US, 0x24, 1, 2, ...bottom],
    ]);
  }
  return Uint8Array.from([
    ...[CLR, ESC, 0x40, ESC, 0x5f, 0x00],
    ...[ESC, 0x51, 0x41, ...top, CR],
    ...[ESC, 0x51, 0x42, ...bottom, CR],
  ]);
}

/** How many bytes a command at the start of `b` takes, or null when it is not complete yet. */
type Step = number | null;

/** The longest text of a CD5220 `ESC Q x … CR` (ESC Q D scrolls up to 40 characters). */
const CD5220_STRING_MAX = 40;

/**
 * A 2×20 display fed with its byte stream, in chunks split anywhere. It models what a cashier's
 * customer sees: the characters, the cursor, clearing, overwrite and vertical scroll modes, and
 * the CD5220 string display mode. Brightness, blinking, windows and user-defined characters are
 * not modelled.
 */
export class DisplayScreen {
  private readonly cells: string[][] = [blankRow(), blankRow()];
  private x = 0;
  private y = 0;
  private table = 0;
  private verticalScroll = false;
  private stringMode = false;
  /** The last column was just written: the cursor waits there, the next character wraps. */
  private wrapPending = false;
  private held: number[] = [];

  constructor(private readonly mode: DisplayMode) {}

  /** The two lines shown now. */
  get lines(): DisplayLines {
    return [this.cells[0]!.join(''), this.cells[1]!.join('')];
  }

  /** Interprets the bytes; a command cut at the end of the chunk waits for the next one. */
  feed(bytes: Uint8Array): void {
    const b = this.held.length ? [...this.held, ...bytes] : [...bytes];
    let i = 0;
    while (i < b.length) {
      const used = this.mode === 'epson' ? this.epson(b, i) : this.cd5220(b, i);
      if (used === null) break;
      i += used;
    }
    this.held = b.slice(i);
  }

  /** One Epson command or character at `i`. */
  private epson(b: number[], i: number): Step {
    const c = b[i]!;
    if (c === ESC) return this.epsonEsc(b, i);
    if (c === US) return this.epsonUs(b, i);
    if (c < 0x20 || c === 0x7f) return this.control(c);
    this.put(c < 0x80 ? String.fromCharCode(c) : this.epsonHigh(c));
    return 1;
  }

  /** A byte above 0x7F in the selected table: PC858 and PC850 are known, others show '?'. */
  private epsonHigh(c: number): string {
    if (this.table === EPSON_TABLE_PC858) return CP858[c - 0x80]!;
    if (this.table === EPSON_TABLE_PC850) return CP850[c - 0x80]!;
    return '?';
  }

  /** ESC commands of the Epson set: ESC @, ESC t n; others with one parameter are skipped. */
  private epsonEsc(b: number[], i: number): Step {
    const op = b[i + 1];
    if (op === undefined) return null;
    if (op === 0x40) {
      this.reset();
      return 2;
    }
    if (op === 0x74 || op === 0x52 || op === 0x3d || op === 0x25 || op === 0x3f) {
      const n = b[i + 2];
      if (n === undefined) return null;
      if (op === 0x74) this.table = n;
      return 3;
    }
    return 2;
  }

  /** US commands of the Epson set: cursor position, display modes, cursor moves. */
  private epsonUs(b: number[], i: number): Step {
    const op = b[i + 1];
    if (op === undefined) return null;
    switch (op) {
      case 0x24: // US $ x y
        if (b[i + 3] === undefined) return null;
        this.moveTo(b[i + 2]! - 1, b[i + 3]! - 1);
        return 4;
      case 0x01: // US MD1 overwrite
      case 0x02: // US MD2 vertical scroll
      case 0x03: // US MD3 horizontal scroll (shown as overwrite)
        this.verticalScroll = op === 0x02;
        return 2;
      case 0x42: // US B: left end of the lower line
        this.moveTo(0, 1);
        return 2;
      case 0x0a: // US LF: up
        this.moveTo(this.x, this.y - 1);
        return 2;
      case 0x0d: // US CR: right end
        this.moveTo(DISPLAY_COLUMNS - 1, this.y);
        return 2;
      case 0x23: // US # n m: annunciator
        return b[i + 3] === undefined ? null : 4;
      default: // US C n, US X n, US E n, US r n, US . n, US , n, US ; n …
        return b[i + 2] === undefined ? null : 3;
    }
  }

  /** One CD5220 command or character at `i`; in string display mode only a few commands act. */
  private cd5220(b: number[], i: number): Step {
    const c = b[i]!;
    if (c === ESC) return this.cd5220Esc(b, i);
    if (this.stringMode && c !== CLR && c !== CAN) return 1;
    if (c < 0x20 || c === 0x7f) return this.control(c);
    this.put(c < 0x80 ? String.fromCharCode(c) : '?');
    return 1;
  }

  /** ESC commands of the CD5220 set. */
  private cd5220Esc(b: number[], i: number): Step {
    const op = b[i + 1];
    if (op === undefined) return null;
    if (op === 0x40) {
      this.reset();
      return 2;
    }
    if (op === 0x51) return this.cd5220String(b, i);
    if (this.stringMode) return 2;
    switch (op) {
      case 0x6c: // ESC l x y
        if (b[i + 3] === undefined) return null;
        this.moveTo(b[i + 2]! - 1, b[i + 3]! - 1);
        return 4;
      case 0x11: // ESC DC1 overwrite
      case 0x12: // ESC DC2 vertical scroll
      case 0x13: // ESC DC3 horizontal scroll (shown as overwrite)
        this.verticalScroll = op === 0x12;
        return 2;
      case 0x5b: // ESC [ x: cursor moves
        if (b[i + 2] === undefined) return null;
        this.cd5220Cursor(b[i + 2]!);
        return 3;
      default: // ESC _ n, ESC * n, ESC f n, ESC c n, ESC % n, ESC ? n, ESC s n, ESC = n
        return b[i + 2] === undefined ? null : 3;
    }
  }

  /** `ESC Q A|B text CR` writes a whole line; `ESC Q D text CR` scrolls text on line 1. */
  private cd5220String(b: number[], i: number): Step {
    if (b[i + 2] === undefined) return null;
    const start = i + 3;
    let end = start;
    while (end < b.length && b[end] !== CR && end - start < CD5220_STRING_MAX) end++;
    if (end === b.length) return null;
    const text = b.slice(start, end).map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c >= 0x80 ? '?' : ' '));
    const row = b[i + 2] === 0x42 ? 1 : 0;
    this.cells[row] = [...text.slice(0, DISPLAY_COLUMNS), ...blankRow()].slice(0, DISPLAY_COLUMNS);
    this.stringMode = true;
    return end - i + (b[end] === CR ? 1 : 0);
  }

  /** The `ESC [ x` cursor moves of the CD5220 set. */
  private cd5220Cursor(op: number): void {
    const to: Record<number, [number, number]> = {
      0x48: [0, 0], // H home
      0x4c: [0, this.y], // L left end
      0x52: [DISPLAY_COLUMNS - 1, this.y], // R right end
      0x4b: [0, 1], // K bottom left
      0x41: [this.x, this.y - 1], // A up
      0x42: [this.x, this.y + 1], // B down
      0x43: [this.x + 1, this.y], // C right
      0x44: [this.x - 1, this.y], // D left
    };
    const target = to[op];
    if (target) this.moveTo(...target);
  }

  /** The control characters both sets share (CLR, CAN, HOM, CR, LF, BS, HT); others do nothing. */
  private control(c: number): number {
    if (c === CLR) {
      this.clear();
      this.stringMode = false;
    } else if (c === CAN) {
      this.cells[this.y] = blankRow();
      this.moveTo(0, this.y);
      this.stringMode = false;
    } else if (c === HOM) this.moveTo(0, 0);
    else if (c === CR) this.moveTo(0, this.y);
    else if (c === LF) this.lineFeed();
    else if (c === BS) this.moveTo(this.x - 1, this.y);
    else if (c === HT) this.advance();
    return 1;
  }

  /** ESC @ on either set: screen cleared, cursor home, default table and mode. */
  private reset(): void {
    this.clear();
    this.table = 0;
    this.verticalScroll = false;
    this.stringMode = false;
  }

  private clear(): void {
    this.cells[0] = blankRow();
    this.cells[1] = blankRow();
    this.moveTo(0, 0);
  }

  /** Moves the cursor, clamped to the screen (displays ignore out-of-range positions similarly). */
  private moveTo(x: number, y: number): void {
    this.x = Math.min(Math.max(x, 0), DISPLAY_COLUMNS - 1);
    this.y = Math.min(Math.max(y, 0), 1);
    this.wrapPending = false;
  }

  /**
   * Writes at the cursor and moves on. After the last column the cursor stays put until the
   * next character, so filling the lower line does not scroll a display in vertical scroll mode.
   */
  private put(ch: string): void {
    if (this.wrapPending) this.advance();
    this.cells[this.y]![this.x] = ch;
    if (this.x < DISPLAY_COLUMNS - 1) this.x++;
    else this.wrapPending = true;
  }

  /** One column right; past the right end, the start of the next line (see `lineFeed`). */
  private advance(): void {
    this.wrapPending = false;
    if (this.x < DISPLAY_COLUMNS - 1) {
      this.x++;
      return;
    }
    this.x = 0;
    this.lineFeed();
  }

  /** Down a line; from the lower line, overwrite mode wraps to the upper one, scroll mode scrolls. */
  private lineFeed(): void {
    this.wrapPending = false;
    if (this.y === 0) this.y = 1;
    else if (this.verticalScroll) this.cells.splice(0, 2, this.cells[1]!, blankRow());
    else this.y = 0;
  }
}

function blankRow(): string[] {
  return Array<string>(DISPLAY_COLUMNS).fill(' ');
}

/** What a display shows after these bytes (from a blank screen). */
export function decodeDisplay(bytes: Uint8Array, mode: DisplayMode): DisplayLines {
  const screen = new DisplayScreen(mode);
  screen.feed(bytes);
  return screen.lines;
}

/** `left` and `right` on one line, `right` whole and flush right, `left` cut to fit. */
function spread(left: string, right: string): string {
  const r = [...right].slice(0, DISPLAY_COLUMNS);
  const room = DISPLAY_COLUMNS - r.length - (r.length && left ? 1 : 0);
  const l = [...left].slice(0, Math.max(room, 0));
  return l.join('') + ' '.repeat(DISPLAY_COLUMNS - l.length - r.length) + r.join('');
}

/** The item just scanned, its price on the right; the running total below when given. */
export function showItem(name: string, price: string, total?: { label: string; amount: string }): DisplayLines {
  return [spread(name, price), total ? spread(total.label, total.amount) : spread('', '')];
}

/** The total to pay: the label on top, the amount large on the right of the lower line. */
export function showTotal(label: string, amount: string): DisplayLines {
  return [spread(label, ''), spread('', amount)];
}

/** After payment: what was paid on top, the change below. */
export function showChange(paidLabel: string, paid: string, changeLabel: string, change: string): DisplayLines {
  return [spread(paidLabel, paid), spread(changeLabel, change)];
}

/** A greeting while idle: wrapped at spaces into the two lines, each centred. */
export function showWelcome(text: string): DisplayLines {
  const [first = '', second = ''] = wrap(text.trim().replace(/\s+/g, ' '));
  return [centre(first), centre(second)];
}

/** Words into lines of 20 at most; a word longer than a line is cut into pieces. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').flatMap((w) => pieces(w))) {
    if (line === '') line = word;
    else if ([...line].length + 1 + [...word].length <= DISPLAY_COLUMNS) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function pieces(word: string): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += DISPLAY_COLUMNS) out.push(chars.slice(i, i + DISPLAY_COLUMNS).join(''));
  return out;
}

function centre(text: string): string {
  const len = [...text].length;
  const left = Math.floor((DISPLAY_COLUMNS - len) / 2);
  return ' '.repeat(left) + text + ' '.repeat(DISPLAY_COLUMNS - len - left);
}
