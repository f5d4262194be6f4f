/**
 * Printer bytes: laid-out documents to ESC/POS (or StarPRNT / Star Line for Star models), the
 * drawer kick and the status requests. The encoder library knows the printer models and their
 * code pages; tpv draws the rows `layoutRows` already set (so the paper equals the preview line
 * for line) and writes the codes and the cut itself, where the encoder's bytes are not what the
 * printer needs (QR data in latin1, CODE128 braces unescaped, a line fed after the cut). Text
 * never reaches the encoder with characters it would send as control codes (see UNPRINTABLE).
 */
import ReceiptPrinterEncoder, { type ReceiptPrinterEncoderOptions } from '@point-of-sale/receipt-printer-encoder';
import { TpvError } from '../core/errors.js';
import { type CodeSize, codeText, type Columns, layoutRows, type LayoutLine, type Row } from './layout.js';

export type PrinterLanguage = 'esc-pos' | 'star-prnt' | 'star-line';

export interface ProfileInfo {
  id: string;
  name: string;
  language: PrinterLanguage;
  /** The model prints QR codes (some older ones only print barcodes). */
  qr: boolean;
}

export interface EncodeOptions {
  profile: string;
  columns: Columns;
  /** How a cut row cuts (default partial: the receipt stays hanging until torn off). */
  cut?: 'partial' | 'full';
}

type CodePage = NonNullable<ReceiptPrinterEncoderOptions['codepageCandidates']>[number];
type Model = NonNullable<ReceiptPrinterEncoderOptions['printerModel']>;

/** Plain ESC/POS with Epson's code page numbers: what most unbranded printers understand. */
const GENERIC = 'generic';

export const PRINTER_PROFILES: readonly string[] = [GENERIC, ...ReceiptPrinterEncoder.printerModels.map((m) => m.id)];

const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;

/**
 * The code pages text may switch to, best first, kept to those the model has. PC858 first: it
 * holds all of Latin-1 and the euro, so Spanish, Portuguese, French or German text prints in one
 * page (`ESC t 19` on Epson and most clones) instead of hopping between PC437, PC850 and PC857;
 * Windows-1252 adds typographic quotes and dashes; the rest cover other scripts.
 */
const PAGE_PREFERENCE: readonly CodePage[] = [
  'cp858', 'windows1252', 'cp437', 'cp850', 'cp857', 'cp852', 'windows1250', 'cp866', 'windows1251', 'cp737',
  'windows1253', 'windows1254', 'cp862', 'windows1255', 'cp775', 'windows1257', 'windows1258', 'cp720', 'cp864', 'windows1256',
];

/** Feed before cutting when the model does not say: the cutter sits a few lines above the head. */
const DEFAULT_CUT_FEED = 4;

/**
 * QR data limit: version 11 (61 modules, 366 dots at 6 dots a module, inside the 384 dots of 58 mm
 * paper) at error level M holds 251 bytes. Our scan codes are a few dozen.
 */
const QR_MAX_BYTES = 251;
const QR_MODULE_DOTS = 6;

/**
 * Bytes a QR model 2 symbol of versions 1–11 holds at error correction level M in byte mode
 * (ISO/IEC 18004:2015 table 7), the mode a URL takes (its lowercase letters are outside the
 * alphanumeric set). Version v is 17 + 4v modules a side.
 */
const QR_BYTES_AT_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251] as const;

/** Printer resolution: 203 dpi, 7.99 dots a millimetre, that of the 58 and 80 mm thermal printers tpv knows. */
export const DOTS_PER_MM = 203 / 25.4;

/** The module sizes every printer takes (GS ( k fn 67 and StarPRNT's cell size go 1–8 on most models). */
const QR_MODULE_DOTS_MAX = 8;

/** How a sized QR prints: its version and modules a side, the module size in dots, its side in mm. */
export interface QrGeometry {
  version: number;
  modules: number;
  moduleDots: number;
  mm: number;
}

/** The smallest QR version whose level M holds `bytes` bytes (0 when none up to version 11 does). */
export function qrVersionAtM(bytes: number): number {
  return QR_BYTES_AT_M.findIndex((capacity) => capacity >= bytes) + 1;
}

/**
 * The module size that prints a QR of `bytes` bytes (level M, byte mode) within `size`: of the
 * sizes 1–8 dots in range, the one closest to the middle of the range; when none is, the closest
 * to the range. The symbol is modules × dots / DOTS_PER_MM millimetres a side. For the AEAT's
 * 30–40 mm, 35 mm is 280 dots: a test-environment URL of 113 bytes
 * ("https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B12345674&numserie=T01-000123&fecha=21-11-2026&importe=12.35")
 * needs version 7 (122 bytes at M), 45 modules; 280 / 45 = 6.2 → 6 dots, 270 dots = 33.8 mm. A
 * production URL (a base 14 characters longer) of 127 bytes needs version 8, 49 modules × 6 dots =
 * 294 dots = 36.8 mm; version 6 (≤ 106 bytes, 41 modules) takes 7 dots (35.9 mm), version 9 (53)
 * and 10 (57) take 5 (33.2 and 35.7 mm). Each choice stays within 30–40 mm also if a printer
 * packs the data into one version less (mixing numeric and alphanumeric segments): 41 × 6 =
 * 30.8 mm, 45 × 6 = 33.8 mm, 49 × 5 = 30.7 mm.
 */
export function qrGeometry(bytes: number, size: Pick<CodeSize, 'minMm' | 'maxMm'>, dotsPerMm = DOTS_PER_MM): QrGeometry {
  const version = Math.max(1, qrVersionAtM(bytes));
  const modules = 17 + 4 * version;
  const mid = (size.minMm + size.maxMm) / 2;
  const mmOf = (dots: number): number => (modules * dots) / dotsPerMm;
  const off = (mm: number): number => Math.max(0, size.minMm - mm, mm - size.maxMm);
  let best = 1;
  for (let dots = 2; dots <= QR_MODULE_DOTS_MAX; dots++) {
    const [a, b] = [mmOf(dots), mmOf(best)];
    if (off(a) < off(b) || (off(a) === off(b) && Math.abs(a - mid) < Math.abs(b - mid))) best = dots;
  }
  return { version, modules, moduleDots: best, mm: mmOf(best) };
}
const BARCODE_HEIGHT_DOTS = 80;
/** CODE128 module width in dots (GS w 2): 0.25 mm at 203 dpi, the usual minimum for scanners. */
const BARCODE_MODULE_DOTS = 2;

interface Printer extends ProfileInfo {
  options: ReceiptPrinterEncoderOptions;
  cutFeed: number;
  pages: CodePage[];
}

interface Capabilities {
  qrcode?: { supported?: boolean };
  cutter?: { feed?: number };
}

export function isPrinterProfile(id: string): boolean {
  return PRINTER_PROFILES.includes(id);
}

/** Everything tpv needs to know about a profile, read from the encoder's model definitions. */
function printerOf(profile: string): Printer {
  if (!isPrinterProfile(profile)) throw new TpvError('invalid', 'device.profile', { value: profile });
  const options: ReceiptPrinterEncoderOptions =
    profile === GENERIC ? { language: 'esc-pos', codepageMapping: 'epson' } : { printerModel: profile as Model };
  const probe = new ReceiptPrinterEncoder(options);
  const caps = probe.printerCapabilities as Capabilities;
  return {
    id: profile,
    name: profile === GENERIC ? 'Generic ESC/POS' : ReceiptPrinterEncoder.printerModels.find((m) => m.id === profile)!.name,
    language: probe.language as PrinterLanguage,
    qr: caps.qrcode?.supported !== false,
    options,
    cutFeed: caps.cutter?.feed ?? DEFAULT_CUT_FEED,
    pages: PAGE_PREFERENCE.filter((page) => hasPage(probe, page)),
  };
}

/** The encoder refuses a code page the model's mapping lacks: that is how we ask. */
function hasPage(probe: ReceiptPrinterEncoder, page: CodePage): boolean {
  try {
    probe.codepage(page);
    return true;
  } catch {
    return false;
  }
}

export function profileInfo(id: string): ProfileInfo {
  const { name, language, qr } = printerOf(id);
  return { id, name, language, qr };
}

/**
 * One document: ESC @ (which resets the printer's code page, so the encoder sends `ESC t n` again
 * before the first text), then the rows as `layoutRows` set them.
 */
export function encodeDocument(lines: LayoutLine[], opts: EncodeOptions): Uint8Array {
  const printer = printerOf(opts.profile);
  const rows = layoutRows(lines, opts.columns);
  // StarPRNT prints in page units: the encoder ends every job with a flush (ESC GS P 0, ESC GS P 1)
  // so that it prints. A cut prints the page by itself, and must be the job's last command: a
  // document that ends with one is not flushed after it.
  const autoFlush = rows.at(-1)?.kind !== 'cut';
  const enc = new ReceiptPrinterEncoder({ ...printer.options, columns: opts.columns, newline: '\n', codepageCandidates: printer.pages, ...(autoFlush ? {} : { autoFlush }) });
  enc.initialize();
  for (const row of rows) drawRow(enc, row, printer, opts);
  return enc.encode();
}

/** Several documents, each encoded on its own: every one starts with ESC @, and sends its code page again. */
export function encodeJob(docs: LayoutLine[][], opts: EncodeOptions): Uint8Array {
  return concat(docs.map((d) => encodeDocument(d, opts)));
}

function drawRow(enc: ReceiptPrinterEncoder, row: Row, printer: Printer, opts: EncodeOptions): void {
  const star = printer.language !== 'esc-pos';
  switch (row.kind) {
    case 'text':
      drawText(enc, row, printer);
      break;
    case 'code':
      // a model without QR (or data too long for one) prints the data as text: never a failed receipt
      if (row.symbology === 'qr' && (!printer.qr || new TextEncoder().encode(row.data).length > QR_MAX_BYTES)) {
        drawText(enc, { kind: 'text', text: codeText('qr', row.data, opts.columns), bold: false, large: false }, printer);
      } else enc.raw(row.symbology === 'qr' ? qrBytes(row.data, star, row.size) : code128Bytes(row.data, star));
      break;
    case 'cut':
      enc.raw(cutBytes(opts.cut ?? 'partial', printer, star));
      break;
  }
}

/**
 * Characters the encoder must not be given: control characters, and the glyphs PC437 and its
 * family show for control codes (0x01–0x1F, 0x7F). The encoder looks a character up at its first
 * position in the page, so it would send '←' as ESC, '◙' as LF and '§' as DC4: printer commands.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼⌂]/g;
/** Of those glyphs, Windows-1252 has these three above 0x7F: they print from that page. */
const WINDOWS_1252_RUN = /([§¶•]+)/;
/** Latin-1 (but § and ¶) and the euro: all in PC858. */
const PC858_TEXT = /^[\x20-\x7e\u00a0-\u00a6\u00a8-\u00b5\u00b7-\u00ff€]*$/;

/**
 * The page a run of text prints from. Western text takes PC858 outright: the encoder's 'auto'
 * searches every candidate page for every character, about 20 times slower.
 */
function pageFor(run: string, printer: Printer): CodePage | 'auto' {
  if (WINDOWS_1252_RUN.test(run) && printer.pages.includes('windows1252')) return 'windows1252';
  if (PC858_TEXT.test(run) && printer.pages.includes('cp858')) return 'cp858';
  return 'auto';
}

/**
 * A text row as it was set (already padded). Double height only: double width would halve the
 * columns the row was set in. Anything unprintable prints as '?', as the encoder prints a
 * character no code page has, so the row keeps its width.
 */
function drawText(enc: ReceiptPrinterEncoder, row: Extract<Row, { kind: 'text' }>, printer: Printer): void {
  enc.bold(row.bold).size(1, row.large ? 2 : 1);
  for (const run of row.text.split(WINDOWS_1252_RUN)) {
    if (run === '') continue;
    const page = pageFor(run, printer);
    enc.codepage(page).text(page === 'auto' ? run.replace(UNPRINTABLE, '?') : run);
  }
  enc.newline();
}

/**
 * A centred QR code, model 2, level M. The data goes as UTF-8 and its length in bytes: the
 * encoder writes it as latin1 (€ turns into '?'). A sized QR (the tax agency's) takes the module
 * size `qrGeometry` gives, and blank paper above and below it (ESC J: dots in ESC/POS, quarter
 * millimetres on Star), since the printer prints no quiet zone; the feed after it ends its line.
 */
function qrBytes(text: string, star: boolean, size?: CodeSize): number[] {
  const data = new TextEncoder().encode(text);
  const dots = size ? qrGeometry(data.length, size).moduleDots : QR_MODULE_DOTS;
  const quiet = size ? [ESC, 0x4a, Math.min(255, Math.round(size.quietMm * (star ? 4 : DOTS_PER_MM)))] : [];
  const after = size ? quiet : [LF];
  if (star) {
    // StarPRNT: ESC GS y S 0 n model, S 1 n level, S 2 n cell size, D 1 0 nL nH data store, P print
    const qr = [ESC, GS, 0x79];
    return [
      ...quiet,
      ...[ESC, GS, 0x61, 1],
      ...[...qr, 0x53, 0x30, 2, ...qr, 0x53, 0x31, 1, ...qr, 0x53, 0x32, dots],
      ...[...qr, 0x44, 0x31, 0x00, data.length & 0xff, data.length >> 8, ...data, ...qr, 0x50],
      ...[...after, ESC, GS, 0x61, 0],
    ];
  }
  // GS ( k pL pH 49 fn …: pL pH count the bytes after themselves (cn, fn, m and the data)
  const k = [GS, 0x28, 0x6b];
  const stored = data.length + 3;
  return [
    ...quiet,
    ...[ESC, 0x61, 1],
    ...[...k, 4, 0, 0x31, 0x41, 0x32, 0x00, ...k, 3, 0, 0x31, 0x43, dots, ...k, 3, 0, 0x31, 0x45, 0x31],
    ...[...k, stored & 0xff, stored >> 8, 0x31, 0x50, 0x30, ...data, ...k, 3, 0, 0x31, 0x51, 0x30],
    ...[...after, ESC, 0x61, 0],
  ];
}

/**
 * A centred CODE128 in code set B, human-readable text below. The layout only gives printable
 * ASCII that fits the paper (`code128Fits`; anything else becomes a QR), never a '?' that would
 * scan as another code. In the ESC/POS data a brace is written twice (`{B` selects the set).
 */
function code128Bytes(data: string, star: boolean): number[] {
  const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
  if (star) {
    // ESC b n1 n2 n3 n4 data RS: CODE128, text below + feed (n2 = 2 feeds a line after the text,
    // so no LF of ours follows: it would print a blank line), narrowest module (2 dots), height
    return [ESC, GS, 0x61, 1, ESC, 0x62, 6, 2, 1, BARCODE_HEIGHT_DOTS, ...ascii(data), 0x1e, ESC, GS, 0x61, 0];
  }
  const body = ascii('{B' + data.replaceAll('{', '{{'));
  return [
    ...[ESC, 0x61, 1, GS, 0x68, BARCODE_HEIGHT_DOTS, GS, 0x77, BARCODE_MODULE_DOTS, GS, 0x48, 2, GS, 0x66, 0],
    ...[GS, 0x6b, 73, body.length, ...body],
    ...[LF, ESC, 0x61, 0],
  ];
}

/**
 * Feed the last row past the cutter, then cut. ESC/POS: ESC d n + GS V m (function A, which every
 * clone has). Star: ESC d n with n 2/3 feeds to the cutter by itself. No line feed follows, so the
 * next receipt does not start with a blank line.
 */
function cutBytes(mode: 'partial' | 'full', printer: Printer, star: boolean): number[] {
  if (star) return [ESC, 0x64, mode === 'partial' ? 3 : 2];
  return [ESC, 0x64, printer.cutFeed, GS, 0x56, mode === 'partial' ? 1 : 0];
}

/** ESC p takes times in 2 ms units, 0–255. */
const pulseUnits = (ms: number): number => Math.max(0, Math.min(255, Math.round(ms / 2)));

/**
 * Opens the drawer. ESC/POS: exactly `ESC p m t1 t2` (m 0 = connector pin 2, 1 = pin 5), with no
 * ESC @ before it, so it can go in front of a print job. Star models: the encoder's pulse command.
 */
export function drawerPulse(opts: { pin: 2 | 5; onMs?: number; offMs?: number; profile?: string }): Uint8Array {
  const on = opts.onMs ?? 100;
  const off = opts.offMs ?? 500;
  const printer = printerOf(opts.profile ?? GENERIC);
  const device = opts.pin === 5 ? 1 : 0;
  if (printer.language === 'esc-pos') return Uint8Array.of(ESC, 0x70, device, pulseUnits(on), pulseUnits(off));
  return new ReceiptPrinterEncoder(printer.options).pulse(device, on, off).encode();
}

/** DLE EOT n, in this order: printer (1), offline cause (2), roll paper sensor (4). */
export const STATUS_REQUESTS: readonly Uint8Array[] = [Uint8Array.of(0x10, 0x04, 1), Uint8Array.of(0x10, 0x04, 2), Uint8Array.of(0x10, 0x04, 4)];

/** The one-byte replies to STATUS_REQUESTS; a missing one reports nothing wrong. */
export interface StatusReplies {
  printer?: number;
  offline?: number;
  paper?: number;
}

export interface PrinterStatus {
  online: boolean;
  coverOpen: boolean;
  paperEnd: boolean;
  paperNearEnd: boolean;
  /** null when the printer did not say (no reply to DLE EOT 1). */
  drawerOpen: boolean | null;
  error: boolean;
}

const bit = (byte: number | undefined, mask: number): boolean => byte !== undefined && (byte & mask) !== 0;

/**
 * Reads the DLE EOT replies as Epson defines them. n=1: bit 2 drawer kick-out connector pin 3
 * high, bit 3 offline. n=2: bit 2 cover open, bit 5 stopped by paper end, bit 6 error. n=4: bits
 * 2–3 roll paper near end, bits 5–6 paper end. Epson sets both bits of a pair together; either one
 * counts, for clones that set only one. Whether pin 3 high means open depends on the drawer.
 */
export function parseStatus(replies: StatusReplies, drawerOpenWhenHigh = false): PrinterStatus {
  const { printer, offline, paper } = replies;
  return {
    online: !bit(printer, 0x08),
    coverOpen: bit(offline, 0x04),
    paperEnd: bit(offline, 0x20) || bit(paper, 0x60),
    paperNearEnd: bit(paper, 0x0c),
    drawerOpen: printer === undefined ? null : bit(printer, 0x04) === drawerOpenWhenHigh,
    error: bit(offline, 0x40),
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
