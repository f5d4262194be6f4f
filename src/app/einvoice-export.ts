/**
 * `tpv einvoice export` and `tpv einvoice verify --file` (docs/einvoice.md): the registros de
 * facturación of a range of business days as the AEAT's XML, for a tax inspector, and the check of
 * such a file from the file alone (every huella, every link).
 *
 * The container: ONE list element of our own namespace (parse.ts's EXPORT_NS), holding the records
 * as direct children. Not RegFactuSistemaFacturacion envelopes: those are SOAP submission
 * messages (a Cabecera, at most 1,000 records each), and cutting the chain every 1,000 records
 * into envelopes that were never sent as such would suggest submissions that did not happen; one
 * list keeps the chain in one piece, whatever its length, and reads the same for 5 records or
 * 50,000. Each record is the very text registroXml writes (what is, or would be, sent: the
 * record as made; a `fix` resend adds Subsanacion to the message, never to the record), with the
 * `sum1` prefix declared on the list element, so it stays byte-identical and in the AEAT's
 * namespace; wrapped in xml.ts's envelope it validates against the AEAT's XSDs. What tpv knows of
 * each record beyond the record (its last state, the AEAT's code and CSV) is a comment just before
 * it, never inside it.
 *
 * Which records: those of the business days asked, by their document's date in the store's time
 * (documents.created_at carries the store's offset) — for a registro de anulación, the day it
 * was made (its document is the one cancelled, maybe days before). The export is the contiguous
 * piece of the chain from the first such record to the last, so that it verifies on its own: its
 * first record names the one before the range as its anterior, every other the record before it.
 */
import { TpvError } from '../core/errors.js';
import { isoWithOffset } from '../core/time.js';
import { huellaMatches } from '../einvoice/verifactu/huella.js';
import { EXPORT_NS, EXPORT_ROOT, ExportNoValido, parseExport } from '../einvoice/verifactu/parse.js';
import type { Registro } from '../einvoice/verifactu/record.js';
import { NS, registroXml } from '../einvoice/verifactu/xml.js';
import type { App } from './context.js';
import type { EinvoiceState } from './einvoice.js';
import { readTextFile } from './files.js';

/** The days asked, "YYYY-MM-DD" each, either end open when absent. */
export interface ExportRange {
  from?: string;
  to?: string;
}

/** What an export holds, in short. */
export interface ExportSummary {
  from: string | null;
  to: string | null;
  records: number;
  /** The first and last record's document number. */
  first: string | null;
  last: string | null;
  /** The huella of the last record. */
  head: string | null;
}

interface Row {
  id: number;
  record: string;
  huella: string;
  state: EinvoiceState;
  code: string | null;
  csv: string | null;
}

/** The business day of a record: its document's date, or for an anulación the day it was made. */
const DAY = "CASE r.kind WHEN 'alta' THEN substr(d.created_at, 1, 10) ELSE substr(r.generated_at, 1, 10) END";

/** What may stand in a comment: no "--", nothing a reader would take for markup. */
const commentSafe = (v: string): string => v.replace(/[^A-Za-z0-9_.:+/ -]/g, '?').replace(/-{2,}/g, '-').replace(/-$/, '');

const attr = (v: string): string => v.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * The export of `range` made at `now`: the XML text (as chunks: the declaration and list element,
 * then a comment and a record per record) and its summary. No record in the range is an empty
 * list, not an error.
 */
export function exportRecords(app: App, range: ExportRange, now: Date): { chunks: string[]; summary: ExportSummary } {
  const { db, profile } = app;
  const span = db
    .prepare(`SELECT min(r.id) AS first, max(r.id) AS last FROM einvoice_records r JOIN documents d ON d.id = r.document_id WHERE ${DAY} >= ? AND ${DAY} <= ?`)
    .get(range.from ?? '0000-00-00', range.to ?? '9999-99-99') as { first: number | null; last: number | null };
  const rows =
    span.first === null || span.last === null
      ? []
      : (db
          .prepare(
            `SELECT r.id, r.record, r.huella, s.state, s.code, s.csv FROM einvoice_records r
             JOIN einvoice_states s ON s.id = (SELECT max(id) FROM einvoice_states WHERE record_id = r.id)
             WHERE r.id BETWEEN ? AND ? ORDER BY r.id`,
          )
          .all(span.first, span.last) as Row[]);
  const attributes: [string, string | undefined][] = [
    ['NIF', profile.taxId],
    ['NombreRazon', profile.legalName || profile.name],
    ['NumeroInstalacion', profile.register],
    ['Desde', range.from],
    ['Hasta', range.to],
    ['Generado', isoWithOffset(now, profile.timezone)],
  ];
  const open =
    `<?xml version="1.0" encoding="UTF-8"?>\n<tpv:${EXPORT_ROOT} xmlns:tpv="${EXPORT_NS}" xmlns:sum1="${NS.sum1}"` +
    attributes
      .filter((a): a is [string, string] => a[1] !== undefined && a[1] !== '')
      .map(([k, v]) => ` ${k}="${attr(v)}"`)
      .join('') +
    '>\n';
  const chunks = [open];
  let first: Registro | undefined;
  let last: Registro | undefined;
  for (const row of rows) {
    const r = JSON.parse(row.record) as Registro;
    first ??= r;
    last = r;
    const state = [`state ${row.state}`, ...(row.code ? [`code ${row.code}`] : []), ...(row.csv ? [`CSV ${row.csv}`] : [])].map(commentSafe).join('; ');
    chunks.push(`<!-- ${state} -->\n${registroXml(r)}\n`);
  }
  chunks.push(`</tpv:${EXPORT_ROOT}>\n`);
  return {
    chunks,
    summary: { from: range.from ?? null, to: range.to ?? null, records: rows.length, first: first?.id.numSerie ?? null, last: last?.id.numSerie ?? null, head: last?.huella ?? null },
  };
}

/** The first record of a file that does not hold: its place in the file (1 = the first), its number, why. */
export interface FileBreak {
  position: number;
  number: string;
  reason: 'huella' | 'link' | 'time';
}

export interface FileVerification {
  path: string;
  records: number;
  first: string | null;
  last: string | null;
  head: string | null;
  /** What the first record chains to: a record before the range (accepted as given), or null (the chain's first record). */
  anterior: { number: string; huella: string } | null;
  broken?: FileBreak;
}

/** Whether `r` names `prev` as the record before it (RegistroAnterior = prev's IDFactura + Huella). */
const follows = (r: Registro, prev: Registro): boolean =>
  r.anterior !== null &&
  r.anterior.idEmisor === prev.id.idEmisor &&
  r.anterior.numSerie === prev.id.numSerie &&
  r.anterior.fechaExpedicion === prev.id.fechaExpedicion &&
  r.anterior.huella === prev.huella;

/** Recomputes every huella and link of records read from a file, in their order. */
export function verifyRecords(path: string, registros: readonly Registro[]): FileVerification {
  const first = registros[0];
  const out: FileVerification = {
    path,
    records: registros.length,
    first: first?.id.numSerie ?? null,
    last: registros.at(-1)?.id.numSerie ?? null,
    head: registros.at(-1)?.huella ?? null,
    anterior: first?.anterior ? { number: first.anterior.numSerie, huella: first.anterior.huella } : null,
  };
  let prev: Registro | undefined;
  for (const [i, r] of registros.entries()) {
    const broken = (reason: FileBreak['reason']): FileVerification => ({ ...out, records: i + 1, head: prev?.huella ?? null, broken: { position: i + 1, number: r.id.numSerie, reason } });
    if (!huellaMatches(r)) return broken('huella');
    // the first record may chain to one before the range: its anterior is taken as given
    if (prev && !follows(r, prev)) return broken('link');
    if (prev && Date.parse(r.fechaHoraHusoGenRegistro) < Date.parse(prev.fechaHoraHusoGenRegistro)) return broken('time');
    prev = r;
  }
  return out;
}

/** An export file may be large: a record is about 2 KB. */
const EXPORT_FILE_LIMIT = 512 * 1024 * 1024;

/**
 * `tpv einvoice verify --file FILE`: the file's records, checked from the file alone. A file that
 * is no export is invalid input (exit 3); a record that does not hold is a conflict (exit 5)
 * naming it, as `tpv einvoice verify` does for the database.
 */
export function verifyExportFile(path: string): FileVerification {
  let registros: Registro[];
  try {
    registros = parseExport(readTextFile(path, EXPORT_FILE_LIMIT)).registros;
  } catch (e) {
    if (e instanceof ExportNoValido) throw new TpvError('invalid', 'einvoice.not_an_export', { path, reason: e.message });
    throw e;
  }
  const r = verifyRecords(path, registros);
  if (r.broken) throw new TpvError('conflict', `einvoice.broken_${r.broken.reason}`, { number: r.broken.number, id: r.broken.position }, r);
  return r;
}
