/**
 * A small reader of StarPRNT jobs as tpv writes them, for the tests that check what a Star
 * printer prints (golden receipts, the X and Z reports). Written from Star's command manual, not
 * from the encoder, so a mistake in one does not hide in the other.
 */
import { expect } from 'vitest';
import { STAR_CODE_PAGES } from '../src/devices/codepages.js';
import { codeText } from '../src/devices/layout.js';

/**
 * What a Star printer prints of a StarPRNT job as tpv writes one: text rows, codes as the preview
 * labels them, the commands in order and the code pages selected (`ESC GS t n`, in order). Any
 * byte it does not know fails the test.
 */
export function readStar(bytes: Uint8Array, columns: number): { rows: string[]; commands: string[]; pages: number[] } {
  const rows: string[] = [];
  const commands: string[] = [];
  const pages: number[] = [];
  let line = '';
  let page = '';
  let qr = new Uint8Array(0);
  const flush = (): void => {
    if (line !== '') rows.push(line);
    line = '';
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const at = (k: number): number => bytes[i + k]!;
    if (b === 0x0a) {
      rows.push(line);
      line = '';
      i += 1;
    } else if (b >= 0x20) {
      line += b < 0x80 ? String.fromCharCode(b) : page[b - 0x80]!;
      i += 1;
    } else if (b === 0x18) {
      i += 1; // CAN after ESC @: clears the buffer
    } else if (b !== 0x1b) {
      throw new Error(`byte ${b.toString(16)} at ${i}`);
    } else if (at(1) === 0x40) {
      commands.push('initialize');
      i += 2;
    } else if (at(1) === 0x45 || at(1) === 0x46) {
      i += 2; // ESC E / ESC F: emphasis on, off
    } else if (at(1) === 0x69) {
      i += 4; // ESC i n1 n2: character size
    } else if (at(1) === 0x4a) {
      flush();
      commands.push('feed');
      i += 3;
    } else if (at(1) === 0x64) {
      flush();
      commands.push(`cut ${at(2)}`);
      i += 3;
    } else if (at(1) === 0x62) {
      // ESC b n1 n2 n3 n4 data RS; n2 = 2: text under the bars, then a line feed of its own
      flush();
      const end = bytes.indexOf(0x1e, i + 6);
      expect(at(3), 'HRI text and a feed').toBe(2);
      rows.push(codeText('code128', Buffer.from(bytes.subarray(i + 6, end)).toString('latin1'), columns));
      commands.push('barcode');
      i = end + 1;
    } else if (at(1) === 0x1d && at(2) === 0x74) {
      page = STAR_CODE_PAGES[at(3)]!;
      expect(page, `code page ${at(3)}`).toBeDefined();
      pages.push(at(3));
      i += 4;
    } else if (at(1) === 0x1d && at(2) === 0x61) {
      i += 4; // ESC GS a n: alignment (text rows come padded)
    } else if (at(1) === 0x1d && at(2) === 0x50) {
      commands.push('flush');
      i += 4;
    } else if (at(1) === 0x1d && at(2) === 0x79 && at(3) === 0x53) {
      i += 6; // ESC GS y S n m: QR model, level, cell size
    } else if (at(1) === 0x1d && at(2) === 0x79 && at(3) === 0x44) {
      const n = at(6) + at(7) * 256;
      qr = bytes.slice(i + 8, i + 8 + n);
      i += 8 + n;
    } else if (at(1) === 0x1d && at(2) === 0x79 && at(3) === 0x50) {
      flush();
      line = codeText('qr', new TextDecoder().decode(qr), columns); // the line feed after it ends its row
      commands.push('qr');
      i += 4;
    } else {
      throw new Error(`command ${Buffer.from(bytes.subarray(i, i + 4)).toString('hex')} at ${i}`);
    }
  }
  flush();
  return { rows, commands, pages };
}
