import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { caught } from '../helpers.js';
import {
  DOTS_PER_MM,
  drawerPulse,
  encodeDocument,
  encodeJob,
  isPrinterProfile,
  parseStatus,
  PRINTER_PROFILES,
  profileInfo,
  qrGeometry,
  qrVersionAtM,
  STATUS_REQUESTS,
} from '../../src/devices/escpos.js';
import { code128Text, decodedText, decodeEscpos } from '../../src/devices/escpos-decode.js';
import { type Columns, COLUMNS, layoutRows, type LayoutLine, renderText } from '../../src/devices/layout.js';

const hex = (bytes: Uint8Array | number[]): string => Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');

/** Every start index of `needle` in `bytes`. */
function indexesOf(bytes: Uint8Array, needle: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + needle.length <= bytes.length; i++) if (needle.every((b, j) => bytes[i + j] === b)) out.push(i);
  return out;
}

const decodedRows = (bytes: Uint8Array, columns: number): string => decodeEscpos(bytes, { columns }).rows.map((r) => r.text).join('\n').trimEnd();

const ticket: LayoutLine[] = [
  { kind: 'text', text: 'Panadería Muñoz — Año Nuevo', align: 'center', bold: true, large: true },
  { kind: 'text', text: 'Pão de Açúcar, São João, Limões, Poções', align: 'center' },
  { kind: 'text', text: 'Crème brûlée, Pâté, Forêt, Garçon, Noël, Hôtel', align: 'left' },
  { kind: 'text', text: 'Straße, Größe, Übergröße, Müller', align: 'right' },
  { kind: 'rule' },
  { kind: 'pair', left: 'Café con leche (ñ á é í ó ú ü)', right: '1,80 €' },
  { kind: 'pair', left: 'Crêpe à la crème', right: '12,50 €', bold: true },
  { kind: 'rule', char: '=' },
  { kind: 'pair', left: 'TOTAL', right: '14,30 €', bold: true, large: true },
  { kind: 'blank' },
  { kind: 'text', text: '¿Factura? ¡Gracias! ÀÈÌÒÙ ÇÑ ÃÕ ß ¼ ½ ¾ « » ° ª º', align: 'center' },
  { kind: 'code', symbology: 'code128', data: 'TPV:T01-000123' },
  { kind: 'code', symbology: 'qr', data: 'TPV:T01-000123' },
  { kind: 'cut' },
];

describe('drawer pulse', () => {
  it('is exactly ESC p m t1 t2, with m 0 for pin 2 and 1 for pin 5', () => {
    expect(hex(drawerPulse({ pin: 2 }))).toBe('1b 70 00 32 fa');
    expect(hex(drawerPulse({ pin: 5 }))).toBe('1b 70 01 32 fa');
    expect(hex(drawerPulse({ pin: 2, onMs: 100, offMs: 500, profile: 'epson-tm-t20iii' }))).toBe('1b 70 00 32 fa');
    expect(hex(drawerPulse({ pin: 2, onMs: 50, offMs: 250, profile: 'xprinter-xp-n160ii' }))).toBe('1b 70 00 19 7d');
  });

  it('decodes back to the pin and times', () => {
    expect(decodeEscpos(drawerPulse({ pin: 5, onMs: 120, offMs: 240 })).events).toEqual([{ type: 'drawer', pin: 5, onMs: 120, offMs: 240, row: 0 }]);
  });

  it('uses the Star command on Star models', () => {
    const star = new ReceiptPrinterEncoder({ printerModel: 'star-tsp100iv' }).pulse(0, 100, 500).encode();
    expect(hex(drawerPulse({ pin: 2, profile: 'star-tsp100iv' }))).toBe(hex(star));
    expect(hex(drawerPulse({ pin: 5, profile: 'star-tsp100iv' }))).toBe('1b 07 0a 32 1a');
  });
});

describe('code pages', () => {
  it('sends ESC t after every ESC @ of a job, before the text', () => {
    const doc: LayoutLine[] = [{ kind: 'text', text: 'Total 12,50 €' }, { kind: 'cut' }];
    const job = encodeJob([doc, doc, doc], { profile: 'epson-tm-t20iii', columns: 42 });
    const starts = indexesOf(job, [0x1b, 0x40]);
    expect(starts).toHaveLength(3);
    for (const [n, start] of starts.entries()) {
      const doc = job.subarray(start, starts[n + 1] ?? job.length);
      // ESC @, FS . (no kanji), ESC M 0 (font A), then the code page before the first character
      expect(hex(doc.subarray(0, 10))).toBe('1b 40 1c 2e 1b 4d 00 1b 74 13');
      expect(doc.indexOf(0xd5)).toBeGreaterThan(9);
    }
    const decoded = decodeEscpos(job);
    expect(decoded.rows.map((r) => r.text)).toEqual(['Total 12,50 €', 'Total 12,50 €', 'Total 12,50 €']);
    expect(decoded.events.filter((e) => e.type === 'initialize')).toHaveLength(3);
    expect(decoded.events.filter((e) => e.type === 'cut')).toHaveLength(3);
  });

  it.each([
    ['epson-tm-t20iii', '1b 74 13 d5'],
    ['generic', '1b 74 13 d5'],
    ['xprinter-xp-n160ii', '1b 74 13 d5'],
    ['pos-5890', '1b 74 13 d5'],
    ['bixolon-srp350iii', '1b 74 13 d5'],
    ['star-tsp100iv', '1b 1d 74 04 d5'],
  ])('prints € on %s as PC858 0xD5', (profile, bytes) => {
    const out = encodeDocument([{ kind: 'text', text: '€' }], { profile, columns: 48 });
    expect(hex(out)).toContain(bytes);
    if (profileInfo(profile).language === 'esc-pos') expect(decodeEscpos(out).rows[0]!.text).toBe('€');
  });

  it("uses the model's own number for PC858 where it differs from Epson's", () => {
    expect(hex(encodeDocument([{ kind: 'text', text: '€' }], { profile: 'citizen-ct-s310ii', columns: 48 }))).toContain('1b 74 02 d5');
    expect(hex(encodeDocument([{ kind: 'text', text: '€' }], { profile: 'hp-a779', columns: 42 }))).toContain('1b 74 06 d5');
  });

  it('never sends a control code for a character: PC437 glyphs of control codes print as ?, § ¶ • from Windows-1252', () => {
    const text = 'a←b◙c→d♥e⌂f\x1bg\nh § ¶ •';
    const out = encodeDocument([{ kind: 'text', text }], { profile: 'generic', columns: 42 });
    const body = hex(out.subarray(out.indexOf(0x61), out.lastIndexOf(0x0a)));
    // only printable bytes once the code page switches are taken out
    expect(body.replace(/1b 74 [0-9a-f]{2} ?/g, '')).toBe(hex(Buffer.from('a?b?c?d?e?f?g?h \xa7 \xb6 \x95', 'latin1')));
    expect(decodeEscpos(out).rows[0]!.text).toBe('a?b?c?d?e?f?g?h § ¶ •');
  });

  it('decodes Epson pages 0 PC437, 2 PC850, 13 PC857, 16 WPC1252 and 19 PC858', () => {
    const text = (n: number, bytes: number[]): string => decodeEscpos(Uint8Array.of(0x1b, 0x74, n, ...bytes)).rows[0]!.text;
    expect(text(0, [0xa4, 0x82, 0xe1, 0x9c])).toBe('ñéß£');
    expect(text(2, [0xa4, 0xc6, 0xe4, 0xd5])).toBe('ñãõı');
    expect(text(13, [0xd5, 0xa6, 0x98])).toBe('€Ğİ');
    expect(text(16, [0x80, 0xf1, 0x93, 0x94, 0x96])).toBe('€ñ“”–');
    expect(text(19, [0xd5, 0xa4, 0xe1, 0x87])).toBe('€ñßç');
  });
});

describe('codes', () => {
  it('counts QR data in UTF-8 bytes (pL pH = bytes + 3), not characters', () => {
    const data = 'TPV:ñ€';
    const utf8 = [...new TextEncoder().encode(data)];
    expect(utf8).toHaveLength(9);
    const out = encodeDocument([{ kind: 'code', symbology: 'qr', data }], { profile: 'epson-tm-t20iii', columns: 42 });
    const at = indexesOf(out, [0x1d, 0x28, 0x6b, 12, 0, 0x31, 0x50, 0x30]);
    expect(at).toHaveLength(1);
    expect(hex(out.subarray(at[0]! + 8, at[0]! + 8 + 9))).toBe(hex(utf8));
    expect(decodeEscpos(out).events).toContainEqual({ type: 'qr', data, row: 0 });
  });

  it('writes a long QR length over both bytes; data too long for a QR prints as text', () => {
    const data = 'x'.repeat(251);
    const out = encodeDocument([{ kind: 'code', symbology: 'qr', data }], { profile: 'generic', columns: 32 });
    expect(indexesOf(out, [0x1d, 0x28, 0x6b, 254, 0, 0x31, 0x50, 0x30])).toHaveLength(1);
    const long = decodeEscpos(encodeDocument([{ kind: 'code', symbology: 'qr', data: data + 'x' }], { profile: 'generic', columns: 32 }));
    expect(long.events.filter((e) => e.type === 'qr')).toEqual([]);
    expect(long.rows.map((r) => r.text).join('')).toContain(data + 'x');
  });

  it('writes CODE128 in code set B with its length byte', () => {
    const out = encodeDocument([{ kind: 'code', symbology: 'code128', data: 'TPV:T01-000123' }], { profile: 'epson-tm-t20iii', columns: 48 });
    const body = [...Buffer.from('{BTPV:T01-000123', 'ascii')];
    expect(indexesOf(out, [0x1d, 0x6b, 73, 16, ...body])).toHaveLength(1);
    expect(decodeEscpos(out).events).toContainEqual({ type: 'barcode', symbology: 'code128', data: 'TPV:T01-000123', row: 0 });
  });

  it('doubles a brace in CODE128 data, which the decoder reads back', () => {
    const out = encodeDocument([{ kind: 'code', symbology: 'code128', data: '{A}' }], { profile: 'generic', columns: 48 });
    expect(indexesOf(out, [0x1d, 0x6b, 73, 6, ...Buffer.from('{B{{A}', 'ascii')])).toHaveLength(1);
    expect(decodeEscpos(out).events).toContainEqual({ type: 'barcode', symbology: 'code128', data: '{A}', row: 0 });
  });

  it('prints a QR instead of a CODE128 that is not ASCII (never a ? that scans as another code)', () => {
    const job = decodeEscpos(encodeDocument([{ kind: 'code', symbology: 'code128', data: 'TPV:Ñ1' }], { profile: 'generic', columns: 42 }));
    expect(job.events.filter((e) => e.type === 'barcode' || e.type === 'qr')).toEqual([expect.objectContaining({ type: 'qr', data: 'TPV:Ñ1' })]);
  });

  it('prints a QR instead of a CODE128 wider than the paper (14 characters at 32 columns)', () => {
    const fits = 'TPV:T01-000123';
    const kinds = (data: string): string[] =>
      decodeEscpos(encodeDocument([{ kind: 'code', symbology: 'code128', data }], { profile: 'generic', columns: 32 }))
        .events.filter((e) => e.type === 'barcode' || e.type === 'qr')
        .map((e) => e.type);
    expect(kinds(fits)).toEqual(['barcode']);
    expect(kinds(fits + '4')).toEqual(['qr']);
    expect(renderText([{ kind: 'code', symbology: 'code128', data: fits + '4' }], 32)).toContain('[QR ');
  });

  it('prints the data as text on a model that cannot print a QR', () => {
    expect(profileInfo('epson-tm-t88ii').qr).toBe(false);
    const job = decodeEscpos(encodeDocument([{ kind: 'code', symbology: 'qr', data: 'TPV:1' }], { profile: 'epson-tm-t88ii', columns: 42 }));
    expect(job.events.filter((e) => e.type === 'qr')).toEqual([]);
    expect(job.rows.map((r) => r.text.trim())).toContain('[QR TPV:1]');
  });

  it('reads CODE128 code sets, braces and set C digit pairs', () => {
    expect(code128Text(Uint8Array.from([...Buffer.from('{BAB{{', 'ascii'), 0x7b, 0x43, 12, 3]))).toBe('AB{1203');
  });
});

describe('a QR of a given size (the tax agency\'s: 30–40 mm, 6 mm of blank paper around it)', () => {
  const size = { minMm: 30, maxMm: 40, quietMm: 6 };
  /** Bytes at error correction M in byte mode by version (ISO/IEC 18004:2015 table 7), written again here. */
  const atM = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251];

  it('takes the version the data needs at level M', () => {
    atM.forEach((capacity, i) => {
      expect(qrVersionAtM(capacity), `${capacity} bytes`).toBe(i + 1);
      expect(qrVersionAtM(capacity + 1), `${capacity + 1} bytes`).toBe(i + 2 <= 11 ? i + 2 : 0);
    });
  });

  it('picks the module so the symbol is 30–40 mm at 203 dpi for every URL length the AEAT\'s can have, also one version smaller', () => {
    expect(DOTS_PER_MM).toBeCloseTo(8, 1);
    for (let bytes = 63; bytes <= 251; bytes++) {
      const g = qrGeometry(bytes, size);
      expect(g.modules).toBe(17 + 4 * g.version);
      expect(g.mm).toBeCloseTo((g.modules * g.moduleDots) / DOTS_PER_MM, 9);
      expect(g.mm, `${bytes} bytes`).toBeGreaterThanOrEqual(30);
      expect(g.mm, `${bytes} bytes`).toBeLessThanOrEqual(40);
      // a printer that packs digits and capitals in their own segments may need one version less
      expect(((g.modules - 4) * g.moduleDots) / DOTS_PER_MM, `${bytes} bytes, one version less`).toBeGreaterThanOrEqual(30);
    }
    // the test environment's URL of a receipt: 113 bytes, version 7, 45 modules of 6 dots, 33.8 mm
    expect(qrGeometry(113, size)).toMatchObject({ version: 7, modules: 45, moduleDots: 6 });
    // production's: 127 bytes, version 8, 49 modules of 6 dots, 36.8 mm
    expect(qrGeometry(127, size)).toMatchObject({ version: 8, modules: 49, moduleDots: 6 });
  });

  it('writes that module size, level M, with ESC J feeds of 6 mm around it; without a size, 6 dots and a line feed', () => {
    const url = 'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B12345674&numserie=T01-000123&fecha=21-11-2026&importe=12.35';
    const sized = encodeDocument([{ kind: 'code', symbology: 'qr', data: url, size }], { profile: 'epson-tm-t20iii', columns: 32 });
    const k = (fn: number, n: number): number[] => [0x1d, 0x28, 0x6b, 3, 0, 0x31, fn, n];
    expect(indexesOf(sized, k(0x43, 6))).toHaveLength(1);
    expect(indexesOf(sized, k(0x45, 0x31))).toHaveLength(1);
    expect(indexesOf(sized, [0x1b, 0x4a, 48])).toHaveLength(2);
    const job = decodeEscpos(sized);
    expect(job.events.filter((e) => e.type !== 'initialize' && e.type !== 'codepage')).toEqual([
      { type: 'feed', dots: 48, row: 0 },
      { type: 'qr', data: url, row: 0 },
      { type: 'feed', dots: 48, row: 1 },
    ]);
    const plain = encodeDocument([{ kind: 'code', symbology: 'qr', data: url }], { profile: 'epson-tm-t20iii', columns: 32 });
    expect(indexesOf(plain, k(0x43, 6))).toHaveLength(1);
    expect(indexesOf(plain, [0x1b, 0x4a])).toEqual([]);
    // a Star model feeds in quarter millimetres, with the same cell size
    const star = encodeDocument([{ kind: 'code', symbology: 'qr', data: url, size }], { profile: 'star-tsp100iv', columns: 42 });
    expect(indexesOf(star, [0x1b, 0x1d, 0x79, 0x53, 0x32, 6])).toHaveLength(1);
    expect(indexesOf(star, [0x1b, 0x4a, 24])).toHaveLength(2);
  });

  it('decodes to the plain text, at every width', () => {
    const lines: LayoutLine[] = [
      { kind: 'text', text: 'QR tributario:', align: 'center', bold: true, large: true },
      { kind: 'code', symbology: 'qr', data: 'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B12345674&numserie=T01-000123&fecha=21-11-2026&importe=12.35', size },
      { kind: 'text', text: 'VERI*FACTU', align: 'center', bold: true, large: true },
      { kind: 'blank' },
      ...ticket,
    ];
    for (const columns of COLUMNS) expect(decodedRows(encodeDocument(lines, { profile: 'generic', columns }), columns)).toBe(renderText(lines, columns).trimEnd());
  });
});

describe('round trip', () => {
  it.each(COLUMNS)('decodes to exactly the plain text at %i columns', (columns) => {
    const bytes = encodeDocument(ticket, { profile: 'epson-tm-t20iii', columns });
    expect(decodedRows(bytes, columns)).toBe(renderText(ticket, columns).trimEnd());
    // without being told, the decoder takes the width from the rules
    expect(decodeEscpos(bytes).rows.map((r) => r.text).join('\n').trimEnd()).toBe(renderText(ticket, columns).trimEnd());
  });

  it.each(['generic', 'xprinter-xp-n160ii', 'pos-5890', 'bixolon-srp350iii', 'sunmi-p3mix', 'epson-tm-t88vi'])('holds on %s', (profile) => {
    const lines = ticket.filter((l) => !(l.kind === 'code' && l.symbology === 'qr'));
    expect(decodedRows(encodeDocument(lines, { profile, columns: 42 }), 42)).toBe(renderText(lines, 42).trimEnd());
  });

  it('keeps bold and large per row, never double width', () => {
    const columns = 42;
    const bytes = encodeDocument(ticket, { profile: 'generic', columns });
    const rows = decodeEscpos(bytes, { columns }).rows;
    const expected = layoutRows(ticket, columns).filter((r) => r.kind !== 'cut');
    expect(rows).toHaveLength(expected.length);
    expected.forEach((r, n) => {
      const want = r.kind === 'text' ? { bold: r.bold && r.text !== '', large: r.large && r.text !== '' } : { bold: false, large: false };
      expect({ bold: rows[n]!.bold, large: rows[n]!.large }, `row ${n}`).toEqual(want);
    });
    expect(rows.some((r) => r.bold && r.large)).toBe(true);
    expect(indexesOf(bytes, [0x1b, 0x21])).toEqual([]); // ESC ! would reset bold
    for (const at of indexesOf(bytes, [0x1d, 0x21])) expect(bytes[at + 2]! & 0xf0).toBe(0);
  });

  it('cuts partially by default, fully when asked, after feeding past the cutter', () => {
    const doc: LayoutLine[] = [{ kind: 'text', text: 'x' }, { kind: 'cut' }];
    expect(hex(encodeDocument(doc, { profile: 'epson-tm-t20iii', columns: 42 }))).toMatch(/0a 1b 64 04 1d 56 01$/);
    expect(hex(encodeDocument(doc, { profile: 'generic', columns: 42, cut: 'full' }))).toMatch(/0a 1b 64 04 1d 56 00$/);
    const events = decodeEscpos(encodeDocument(doc, { profile: 'generic', columns: 42, cut: 'full' })).events.map((e) => e.type);
    expect(events.slice(-2)).toEqual(['feed', 'cut']);
  });

  const latin1 = fc.constantFrom(
    ...Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)),
    ...Array.from({ length: 0x60 }, (_, i) => String.fromCharCode(0xa0 + i)),
    '€',
    '•',
  );
  const text = fc.array(latin1, { maxLength: 70 }).map((cs) => cs.join(''));
  const line: fc.Arbitrary<LayoutLine> = fc.oneof(
    fc.record({ kind: fc.constant('text' as const), text, align: fc.constantFrom('left' as const, 'center' as const, 'right' as const), bold: fc.boolean(), large: fc.boolean() }),
    fc.record({ kind: fc.constant('pair' as const), left: text, right: fc.array(latin1, { maxLength: 12 }).map((cs) => cs.join('')), bold: fc.boolean() }),
    fc.record({ kind: fc.constant('rule' as const), char: fc.constantFrom('-', '=', '·', '€') }),
    fc.constant({ kind: 'blank' as const }),
    fc.constant({ kind: 'cut' as const }),
    fc.record({ kind: fc.constant('code' as const), symbology: fc.constant('qr' as const), data: text.filter((t) => t.length > 0) }),
    fc.record({ kind: fc.constant('code' as const), symbology: fc.constant('code128' as const), data: fc.stringMatching(/^[ -~]{1,14}$/) }),
  );

  it('holds for any Latin-1 + € layout (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), fc.constantFrom(...COLUMNS), fc.constantFrom('generic', 'epson-tm-t20iii', 'xprinter-xp-n160ii'), (lines, columns: Columns, profile) => {
        const bytes = encodeDocument(lines, { profile, columns });
        expect(decodedRows(bytes, columns)).toBe(renderText(lines, columns).trimEnd());
      }),
      { numRuns: 300 },
    );
  });
});

describe('Star models', () => {
  const doc: LayoutLine[] = [
    { kind: 'text', text: 'Total 12,50 €' },
    { kind: 'code', symbology: 'code128', data: 'TPV:T01-000123' },
    { kind: 'text', text: '¡Gracias!' },
    { kind: 'cut' },
  ];

  it.each(['star-tsp100iv', 'star-mc-print2', 'star-tsp650'])('%s: the cut is the last command, no flush after it', (profile) => {
    const bytes = encodeDocument(doc, { profile, columns: 42 });
    expect(hex(bytes)).toMatch(/0a 1b 64 03$/);
    expect(indexesOf(bytes, [0x1b, 0x1d, 0x50])).toEqual([]);
    expect(hex(encodeDocument(doc, { profile, columns: 42, cut: 'full' }))).toMatch(/0a 1b 64 02$/);
  });

  it('a StarPRNT job without a cut is still flushed, so that it prints', () => {
    expect(hex(encodeDocument(doc.slice(0, 3), { profile: 'star-tsp100iv', columns: 42 }))).toMatch(/0a 1b 1d 50 30 1b 1d 50 31$/);
  });

  it('no blank line after a barcode: ESC b with n2 = 2 feeds the line itself', () => {
    const bytes = encodeDocument(doc, { profile: 'star-tsp100iv', columns: 42 });
    const [at] = indexesOf(bytes, [0x1b, 0x62, 6, 2]);
    const rs = bytes.indexOf(0x1e, at);
    expect(Buffer.from(bytes.subarray(at! + 6, rs)).toString('latin1')).toBe('TPV:T01-000123');
    // straight back to left alignment and the next row: no LF of ours in between
    expect(hex(bytes.subarray(rs + 1, rs + 5))).toBe('1b 1d 61 00');
    expect(bytes.indexOf(0x0a, rs)).toBeGreaterThan(bytes.indexOf(0x21, rs)); // the next LF ends "¡Gracias!" (¡ is 0xAD, ! 0x21)
  });
});

describe('layout', () => {
  it('binds a number to its unit and prints the binding as a plain space', () => {
    expect(renderText([{ kind: 'text', text: 'Café molido natural tostado 250 g' }], 32)).toBe('Café molido natural tostado\n250 g\n');
    expect(renderText([{ kind: 'text', text: 'Vale de 2 manzanas y 5 €' }], 32)).toBe('Vale de 2 manzanas y 5 €\n');
    expect(renderText([{ kind: 'text', text: 'Tarjeta de recarga telefónica 5 €' }], 32)).toBe('Tarjeta de recarga telefónica\n5 €\n');
  });

  it('keeps the indentation of a wrapped indented text', () => {
    expect(renderText([{ kind: 'text', text: '  Motivo: devolución de mercancía' }], 32)).toBe('  Motivo: devolución de\n  mercancía\n');
  });

  it('sets a wide pair (a title and its number) at the full width, the number beside the last line when it fits', () => {
    const title: LayoutLine = { kind: 'pair', left: 'Factura rectificativa simplificada', right: 'T01R-000001', wide: true };
    expect(renderText([title], 32)).toBe('Factura rectificativa\nsimplificada         T01R-000001\n');
    expect(renderText([title], 42)).toBe('Factura rectificativa simplificada\n' + 'T01R-000001'.padStart(42) + '\n');
    expect(renderText([title], 48)).toBe('Factura rectificativa simplificada'.padEnd(37) + 'T01R-000001\n');
    // without `wide`, the left side wraps beside the right one
    expect(renderText([{ ...title, wide: false }], 32)).toBe('Factura\nrectificativa\nsimplificada         T01R-000001\n');
  });
});

describe('decoder', () => {
  it('reads hand-written ESC/POS: ESC !, ESC a, GS V with a feed, function A barcodes, status requests', () => {
    const bytes = Uint8Array.of(
      ...[0x1b, 0x40, 0x1b, 0x21, 0x18, ...Buffer.from('Big'), 0x0a],
      ...[0x1b, 0x21, 0x00, 0x1b, 0x61, 0x02, ...Buffer.from('right'), 0x0d, 0x0a],
      ...[0x1b, 0x61, 0x01, 0x1d, 0x6b, 0x04, ...Buffer.from('AB12'), 0x00, 0x0a],
      ...[0x10, 0x04, 0x01, 0x1b, 0x64, 0x02, 0x1d, 0x56, 0x42, 0x05, 0x07],
    );
    const job = decodeEscpos(bytes, { columns: 20 });
    expect(job.rows).toEqual([
      { text: 'Big', bold: true, large: true, align: 'left' },
      { text: 'right', bold: false, large: false, align: 'right' },
      { text: '   [BARCODE AB12]', bold: false, large: false, align: 'center' },
    ]);
    expect(job.events.map(({ type }) => type)).toEqual(['initialize', 'barcode', 'statusRequest', 'feed', 'cut', 'unknown']);
    expect(job.events).toContainEqual({ type: 'cut', mode: 'partial', row: 3 });
    expect(job.events).toContainEqual({ type: 'barcode', symbology: 'code39', data: 'AB12', row: 2 });
  });

  it('drops a line ESC @ interrupts, as the printer clears its buffer', () => {
    expect(decodeEscpos(Uint8Array.of(0x41, 0x1b, 0x40, 0x42, 0x0a)).rows.map((r) => r.text)).toEqual(['B']);
  });

  it('shows events as markers when asked', () => {
    const job = decodeEscpos(
      Uint8Array.of(...drawerPulse({ pin: 2 }), ...encodeDocument([{ kind: 'text', text: 'Hola' }, { kind: 'cut' }], { profile: 'generic', columns: 32 }), 0x10, 0x04, 0x04),
    );
    expect(decodedText(job)).toBe('Hola\n');
    expect(decodedText(job, { markers: true })).toBe(
      ['[drawer pin 2 100/500 ms]', '[initialize]', '[code page 19]', 'Hola', '[feed 4 lines]', '--- cut ---', '[status request 4]'].join('\n') + '\n',
    );
  });
});

describe('profiles', () => {
  it('accepts generic and every model of the encoder', () => {
    expect(PRINTER_PROFILES[0]).toBe('generic');
    for (const m of ReceiptPrinterEncoder.printerModels) expect(isPrinterProfile(m.id)).toBe(true);
    expect(PRINTER_PROFILES).toHaveLength(ReceiptPrinterEncoder.printerModels.length + 1);
    expect(isPrinterProfile('epson')).toBe(false);
  });

  it('describes a profile', () => {
    expect(profileInfo('generic')).toEqual({ id: 'generic', name: 'Generic ESC/POS', language: 'esc-pos', qr: true });
    expect(profileInfo('epson-tm-t20iii')).toMatchObject({ name: 'Epson TM-T20III', language: 'esc-pos' });
    expect(profileInfo('star-tsp100iv').language).toBe('star-prnt');
    expect(profileInfo('star-tsp650').language).toBe('star-line');
    const e = caught(() => profileInfo('nope'));
    expect([e.kind, e.code, e.params]).toEqual(['invalid', 'device.profile', { value: 'nope' }]);
  });

  it('encodes every profile at every width', () => {
    const lines = ticket.filter((l) => l.kind !== 'code' || l.symbology === 'code128');
    for (const profile of PRINTER_PROFILES) for (const columns of COLUMNS) expect(encodeDocument(lines, { profile, columns }).length).toBeGreaterThan(100);
  });
});

describe('status', () => {
  it('sends DLE EOT 1, 2 and 4', () => {
    expect(STATUS_REQUESTS.map((r) => hex(r))).toEqual(['10 04 01', '10 04 02', '10 04 04']);
  });

  it('reads an idle printer (fixed bits 1 and 4 set)', () => {
    expect(parseStatus({ printer: 0x12, offline: 0x12, paper: 0x12 })).toEqual({
      online: true,
      coverOpen: false,
      paperEnd: false,
      paperNearEnd: false,
      drawerOpen: true,
      error: false,
    });
    expect(parseStatus({ printer: 0x12 }, true).drawerOpen).toBe(false);
  });

  it('reads the drawer from pin 3 as the drawer wires it', () => {
    expect(parseStatus({ printer: 0x16 }, true).drawerOpen).toBe(true);
    expect(parseStatus({ printer: 0x16 }, false).drawerOpen).toBe(false);
    expect(parseStatus({}).drawerOpen).toBeNull();
  });

  it('reads a paper end', () => {
    expect(parseStatus({ printer: 0x1a, offline: 0x32, paper: 0x7e })).toMatchObject({ online: false, paperEnd: true, paperNearEnd: true, coverOpen: false, error: false });
  });

  it('reads a near end, an open cover and an error', () => {
    expect(parseStatus({ printer: 0x12, offline: 0x12, paper: 0x1e })).toMatchObject({ online: true, paperNearEnd: true, paperEnd: false });
    expect(parseStatus({ printer: 0x1a, offline: 0x16 })).toMatchObject({ online: false, coverOpen: true, paperEnd: false });
    expect(parseStatus({ printer: 0x1a, offline: 0x52 })).toMatchObject({ online: false, error: true });
  });

  it('counts a single bit of a sensor pair, as some clones send', () => {
    expect(parseStatus({ paper: 0x12 | 0x20 }).paperEnd).toBe(true);
    expect(parseStatus({ paper: 0x12 | 0x04 }).paperNearEnd).toBe(true);
  });
});
