/**
 * Printed documents are laid out once into device-independent lines (text, alignment, emphasis,
 * rules, a barcode/QR of the document number, a cut), then set into rows of the paper's width by
 * `layoutRows`. Plain text (previews, `tpv receipts show`, tests) and ESC/POS bytes
 * (src/devices/escpos.ts) are both drawn from those rows, so the paper and the preview match
 * line for line.
 */
export type Align = 'left' | 'center' | 'right';

export type LayoutLine =
  | { kind: 'text'; text: string; align?: Align; bold?: boolean; large?: boolean }
  /**
   * Left text and right text on one line (the right side wins when it does not fit). With `wide`,
   * a left side too long for the line wraps at the full width, and the right side goes beside its
   * last line when it fits there (a title and its number), else on a line of its own.
   */
  | { kind: 'pair'; left: string; right: string; bold?: boolean; large?: boolean; wide?: boolean }
  | { kind: 'rule'; char?: string }
  | { kind: 'blank' }
  | { kind: 'code'; symbology: 'qr' | 'code128'; data: string; size?: CodeSize }
  | { kind: 'cut' };

/**
 * A QR printed at a given physical size (the tax agency's QR: 30–40 mm a side) with blank paper
 * above and below it: the encoder picks the module size from the QR version the data needs (see
 * `qrGeometry` in src/devices/escpos.ts). Without it a QR prints at the usual module size.
 */
export interface CodeSize {
  /** The side of the printed symbol, quiet zone aside, in millimetres. */
  minMm: number;
  maxMm: number;
  /** Blank paper fed above and below the symbol (ESC/POS prints no quiet zone of its own). */
  quietMm: number;
}

export const COLUMNS = [32, 42, 48] as const;
export type Columns = (typeof COLUMNS)[number];

/**
 * One printed row: text already padded to its alignment (at most `columns` characters), or a
 * code, or a cut. `large` rows print at double height (never double width, so the columns hold).
 */
export type Row =
  | { kind: 'text'; text: string; bold: boolean; large: boolean }
  | { kind: 'code'; symbology: 'qr' | 'code128'; data: string; size?: CodeSize }
  | { kind: 'cut' };

/** A space no line breaks at: the layout binds a number to its unit with it; rows print it as a plain space. */
export const NBSP = '\u00a0';

/**
 * Units a number is never parted from ("250 g", "5,00 €", "21 %", "0,5 l", "2 u."): a unit after
 * a digit and a space, not followed by a letter or digit (so "2 manzanas" stays breakable).
 */
const NUMBER_UNIT = /(\d) (?=(?:€|\$|£|%|kg|mg|g|ml|cl|dl|l|km|cm|mm|m|uds?\.?|ud\.?|u\.?|h|min)(?![\p{L}\p{N}]))/gu;

/** Text with each number bound to its unit by a non-breaking space. */
export function keepUnits(text: string): string {
  return text.replace(NUMBER_UNIT, `$1${NBSP}`);
}

/** Wraps text to the width, breaking at spaces when it can (never at a non-breaking space). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text.trimEnd(); // leading spaces are indentation
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

/** Font A is 12 dots wide (384 / 504 / 576 dots at 32 / 42 / 48 columns); CODE128 modules are 2 dots. */
const CODE128_DOTS_PER_COLUMN = 12;
const CODE128_MODULE_DOTS = 2;

/** How many characters a CODE128 (code set B) holds across the paper: start, check (11 modules each) and stop (13) aside. */
export function code128Capacity(columns: number): number {
  return Math.floor(((columns * CODE128_DOTS_PER_COLUMN) / CODE128_MODULE_DOTS - 13) / 11) - 2;
}

/** A CODE128 holds printable ASCII only and must fit the paper; otherwise the document prints a QR. */
export function code128Fits(data: string, columns: number): boolean {
  return /^[\x20-\x7e]*$/.test(data) && data.length <= code128Capacity(columns);
}

/**
 * Sets the lines into rows `columns` wide. Numbers stay with their units (`keepUnits`) when a line
 * wraps; the rows carry plain spaces only, so neither the preview nor the printer's code page ever
 * sees a non-breaking space.
 */
export function layoutRows(lines: LayoutLine[], columns: number): Row[] {
  const out: Row[] = [];
  const text = (s: string, bold = false, large = false): void => void out.push({ kind: 'text', text: s.replaceAll(NBSP, ' ').trimEnd(), bold, large });
  for (const line of lines) {
    const l = line.kind === 'text' ? { ...line, text: keepUnits(line.text) } : line.kind === 'pair' ? { ...line, left: keepUnits(line.left), right: keepUnits(line.right) } : line;
    switch (l.kind) {
      case 'text': {
        // a wrapped indented text keeps its indentation on every line
        const indent = /^ */.exec(l.text)![0];
        const lines = indent && indent.length < columns / 2 ? wrap(l.text.slice(indent.length), columns - indent.length).map((w) => indent + w) : wrap(l.text, columns);
        for (const w of lines) {
          const pad = columns - w.length;
          text(l.align === 'center' ? ' '.repeat(Math.floor(pad / 2)) + w : l.align === 'right' ? ' '.repeat(pad) + w : w, l.bold, l.large);
        }
        break;
      }
      case 'pair': {
        const room = columns - l.right.length - 1;
        if (l.wide && room >= 1 && l.left.length > room) {
          const left = wrap(l.left, columns);
          const last = left.pop()!;
          for (const w of left) text(w, l.bold, l.large);
          if (last.length <= room) text(last.padEnd(room) + ' ' + l.right, l.bold, l.large);
          else for (const w of [last, l.right.padStart(columns)]) text(w, l.bold, l.large);
          break;
        }
        if (room < 1) {
          // the right side does not fit beside anything: both sides on lines of their own
          for (const w of wrap(l.left, columns)) text(w, l.bold, l.large);
          for (const w of wrap(l.right, columns)) text(w.padStart(columns), l.bold, l.large);
          break;
        }
        const left = wrap(l.left, room);
        for (let i = 0; i < left.length - 1; i++) text(left[i]!, l.bold, l.large);
        text(left[left.length - 1]!.padEnd(room) + ' ' + l.right, l.bold, l.large);
        break;
      }
      case 'rule':
        text((l.char ?? '-').repeat(columns));
        break;
      case 'blank':
        text('');
        break;
      case 'code':
        out.push({
          kind: 'code',
          symbology: l.symbology === 'code128' && !code128Fits(l.data, columns) ? 'qr' : l.symbology,
          data: l.data,
          ...(l.size && l.symbology === 'qr' ? { size: l.size } : {}),
        });
        break;
      case 'cut':
        out.push({ kind: 'cut' });
        break;
    }
  }
  return out;
}

/** How a code shows in plain text: its data, centred, in brackets. */
export function codeText(symbology: 'qr' | 'code128', data: string, columns: number): string {
  const label = `[${symbology === 'qr' ? 'QR' : 'BARCODE'} ${data}]`;
  return ' '.repeat(Math.max(0, Math.floor((columns - label.length) / 2))) + label;
}

/** Plain text, `columns` wide: what the paper shows, line for line. */
export function renderText(lines: LayoutLine[], columns: Columns): string {
  const out: string[] = [];
  for (const r of layoutRows(lines, columns)) {
    if (r.kind === 'text') out.push(r.text);
    else if (r.kind === 'code') out.push(codeText(r.symbology, r.data, columns));
  }
  return out.join('\n') + '\n';
}
