/**
 * Printed documents are laid out once into device-independent lines (text, alignment, emphasis,
 * rules, a barcode/QR of the document number, a cut) and rendered from there: to plain text here
 * (previews, `tpv receipts show`, tests), to ESC/POS bytes by the printer driver.
 */
export type Align = 'left' | 'center' | 'right';

export type LayoutLine =
  | { kind: 'text'; text: string; align?: Align; bold?: boolean; large?: boolean }
  /** Left text and right text on one line (the right side wins when it does not fit). */
  | { kind: 'pair'; left: string; right: string; bold?: boolean; large?: boolean }
  | { kind: 'rule'; char?: string }
  | { kind: 'blank' }
  | { kind: 'code'; symbology: 'qr' | 'code128'; data: string }
  | { kind: 'cut' };

export const COLUMNS = [32, 42, 48] as const;
export type Columns = (typeof COLUMNS)[number];

/** Wraps text to the width, breaking at spaces when it can. */
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

/** Plain text, `columns` wide: what the paper shows, line for line. */
export function renderText(lines: LayoutLine[], columns: Columns): string {
  const out: string[] = [];
  for (const l of lines) {
    switch (l.kind) {
      case 'text':
        for (const w of wrap(l.text, columns)) {
          const pad = columns - w.length;
          out.push(l.align === 'center' ? ' '.repeat(Math.floor(pad / 2)) + w : l.align === 'right' ? ' '.repeat(pad) + w : w);
        }
        break;
      case 'pair': {
        const room = columns - l.right.length - 1;
        if (room < 1) {
          // the right side does not fit beside anything: both sides on lines of their own
          out.push(...wrap(l.left, columns), ...wrap(l.right, columns).map((w) => w.padStart(columns)));
          break;
        }
        const left = wrap(l.left, room);
        for (let i = 0; i < left.length - 1; i++) out.push(left[i]!);
        out.push(left[left.length - 1]!.padEnd(room) + ' ' + l.right);
        break;
      }
      case 'rule':
        out.push((l.char ?? '-').repeat(columns));
        break;
      case 'blank':
        out.push('');
        break;
      case 'code':
        out.push(`[${l.symbology === 'qr' ? 'QR' : 'BARCODE'} ${l.data}]`.padStart(Math.floor((columns + l.data.length + 5) / 2)));
        break;
      case 'cut':
        break;
    }
  }
  return out.map((s) => s.trimEnd()).join('\n') + '\n';
}
