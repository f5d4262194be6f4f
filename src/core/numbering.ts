import { fail, ok, type Result } from './errors.js';

/**
 * Document numbering series: a template per register and document type, a counter that moves
 * inside the transaction that inserts the document (so a rollback leaves no gap), and an
 * optional yearly reset.
 */
/** credit_note: the corrective invoice made when an invoiced receipt is refunded. */
export type DocType = 'receipt' | 'refund' | 'invoice' | 'credit_note' | 'z_report';
export const DOC_TYPES: readonly DocType[] = ['receipt', 'refund', 'invoice', 'credit_note', 'z_report'];

export const DEFAULT_TEMPLATES: Record<DocType, string> = {
  receipt: '{register}-{n:6}',
  refund: '{register}R-{n:6}',
  invoice: '{register}F-{n:6}',
  credit_note: '{register}FR-{n:6}',
  z_report: '{register}Z-{n:4}',
};

const TOKEN = /\{(register|yyyy|yy|n)(?::(\d{1,2}))?\}/g;

/**
 * A template has exactly one counter token `{n}` or `{n:W}` (zero-padded to W digits), and may
 * use `{register}`, `{yyyy}`, `{yy}`; other characters are letters, digits and `-_/.`.
 */
export function checkTemplate(template: string): Result<string> {
  const counters = [...template.matchAll(TOKEN)].filter((m) => m[1] === 'n').length;
  if (counters !== 1) return fail('series.template_counter', { template });
  const rest = template.replace(TOKEN, '');
  if (!/^[A-Za-z0-9_\-/.]*$/.test(rest)) return fail('series.template_chars', { template });
  if (template.length > 40) return fail('series.template_chars', { template });
  return ok(template);
}

/** Whether a template prints the year ({yyyy} or {yy}): a yearly reset needs it, or numbers would repeat. */
export function templateHasYear(template: string): boolean {
  return [...template.matchAll(TOKEN)].some((m) => m[1] === 'yyyy' || m[1] === 'yy');
}

/**
 * A series' template with its yearly reset: the counter starts again at 1 each year, so only a
 * template that prints the year keeps the numbers unique.
 */
export function checkSeries(template: string, yearlyReset: boolean): Result<string> {
  const r = checkTemplate(template);
  if (!r.ok || !yearlyReset || templateHasYear(template)) return r;
  return fail('series.yearly_needs_year', { template });
}

export function formatNumber(template: string, vars: { register: string; n: number; year: number }): string {
  return template.replace(TOKEN, (_m, name: string, width?: string) => {
    switch (name) {
      case 'register':
        return vars.register;
      case 'yyyy':
        return String(vars.year);
      case 'yy':
        return String(vars.year % 100).padStart(2, '0');
      default:
        return width ? String(vars.n).padStart(Number(width), '0') : String(vars.n);
    }
  });
}

export interface SeriesState {
  next: number;
  yearlyReset: boolean;
  /** The year `next` belongs to (null before the first number of a yearly series). */
  year: number | null;
}

/** The number to give now and the state to store: a yearly series starts again at 1 in a new year. */
export function allocate(state: SeriesState, currentYear: number): { n: number; year: number; next: SeriesState } {
  const restart = state.yearlyReset && state.year !== null && state.year !== currentYear;
  const n = restart ? 1 : state.next;
  return { n, year: currentYear, next: { ...state, next: n + 1, year: state.yearlyReset ? currentYear : state.year } };
}

/**
 * What the barcode/QR printed on a document holds: its number behind a prefix, so a scan at the
 * till's entry line is told apart from a product code (and opens the return of that receipt).
 */
export const DOCUMENT_SCAN_PREFIX = 'TPV:';

export function documentScanCode(number: string): string {
  return DOCUMENT_SCAN_PREFIX + number;
}

/** The document number in a scan or a typed number ("TPV:T01-000042", " T01-000042 "). */
export function documentNumberOf(scanned: string): string {
  const s = scanned.trim();
  return (isDocumentScan(s) ? s.slice(DOCUMENT_SCAN_PREFIX.length) : s).trim();
}

/** Whether a scan is a document code (not a product). */
export function isDocumentScan(scanned: string): boolean {
  return scanned.trim().toUpperCase().startsWith(DOCUMENT_SCAN_PREFIX);
}
