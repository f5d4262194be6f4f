/**
 * `tpv products import`: CSV (delimiter , ; or tab, auto-detected) or JSON Lines, UTF-8 (BOM or not)
 * or windows-1252. Two passes:
 *  1. read and validate every row (no lock held): field rules, duplicates within the file, tax rates,
 *     barcodes owned by other products, required fields of new products;
 *  2. unless there were errors (all-or-nothing) or this is a dry run, upsert by sku in short
 *     transactions that release the write lock between them, so tills keep selling meanwhile.
 *
 * Pass 2 is resumable, not atomic: a file of 200,000 rows in one transaction would hold the till
 * off for seconds (DESIGN §4). Each run is recorded in `import_runs` with how many rows landed,
 * updated in the transaction of each batch; a run that is killed or fails stays there, and every
 * later command warns about it (app/open.ts, `tpv doctor`) until the same file is imported again
 * to its end: an upsert by sku, so the second run finishes what the first left.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { type MessageKey, TpvError } from '../core/errors.js';
import { CsvReader, csvText, detectDelimiter } from '../core/csv.js';
import { parseProductRow, PRODUCT_FIELDS, type FieldProblem, type ProductField, type ProductPatch } from '../core/product.js';
import { showParams } from '../core/money.js';
import { systemError } from '../core/system-errors.js';
import { beginBulkLoad, endBulkLoad, endImportRun, importRunApplied, type ProductRow, startImportRun } from '../db/catalog.js';
import { t } from '../i18n/index.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { CatalogWriter } from './catalog-writer.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

export type ImportFormat = 'csv' | 'jsonl';
export type ImportEncoding = 'utf8' | 'latin1';

export interface ImportOptions {
  format?: ImportFormat;
  encoding?: ImportEncoding;
  /** target field → source column name */
  map?: Partial<Record<ProductField, string>>;
  skipInvalid?: boolean;
  dryRun?: boolean;
  /** Rows per write transaction. */
  batchSize?: number;
  /** Name of the input for messages (a path, or "-"). */
  source?: string;
  progress?: (p: ImportProgress) => void;
  approver?: Approver;
}

export interface ImportProgress {
  phase: 'validate' | 'write';
  rows: number;
  /** Rows (write) or bytes (validate) to do, when known. */
  total: number | null;
  done: number;
}

export interface RowError {
  line: number;
  /** The column as named in the file (or the JSON key). */
  column: string;
  field: ProductField | null;
  code: MessageKey;
  params: Record<string, string | number>;
}

export interface ImportReport {
  source: string;
  format: ImportFormat;
  delimiter: string | null;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  dryRun: boolean;
  written: boolean;
  ignoredColumns: string[];
  errors: RowError[];
}

/**
 * Rows per write transaction: short enough that a till waiting for the write lock gets it within
 * a few tens of milliseconds, long enough that commits do not dominate.
 */
const BATCH_ROWS = 4000;
/** …or this much time, whichever comes first (checked every CHUNK_ROWS rows). */
const BATCH_MS = 20;
const CHUNK_ROWS = 250;

/** The pause between two write batches, for other writers (tills) to take the lock. */
const YIELD_MS = 3;

/** From this many new rows on, an import into an empty catalog is a bulk load. */
const BULK_ROWS = 10_000;

interface ParsedRow {
  line: number;
  patch: ProductPatch;
}

/**
 * windows-1252 differs from ISO-8859-1 only in 0x80–0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ).
 * Node 20's TextDecoder('windows-1252') maps them to C1 controls (nodejs/node#56542), so tpv
 * decodes as latin1 and maps that range itself.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1 = /[\u0080-\u009f]/g;
export const decodeWindows1252 = (bytes: Buffer): string =>
  bytes.toString('latin1').replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);

interface Decoder {
  decode(chunk?: Buffer, opts?: { stream: boolean }): string;
}

function decoderFor(encoding: ImportEncoding): Decoder {
  if (encoding === 'latin1') return { decode: (chunk) => (chunk ? decodeWindows1252(chunk) : '') };
  return new TextDecoder('utf-8', { fatal: true });
}

export function parseEncoding(text: string): ImportEncoding | undefined {
  const t = text.toLowerCase().replace(/[-_]/g, '');
  if (t === 'utf8') return 'utf8';
  if (['latin1', 'windows1252', 'cp1252', 'iso88591', 'iso885915'].includes(t)) return 'latin1';
  return undefined;
}

/** Normalises a header cell: trimmed, lower case, BOM removed. */
const headerKey = (h: string): string => h.replace(/^\uFEFF/, '').trim().toLowerCase();

/** Builds the field → column index mapping from the header and --map. */
function mapColumns(
  header: string[],
  map: Partial<Record<ProductField, string>>,
): { index: Map<ProductField, number>; ignored: string[] } {
  const positions = new Map<string, number>();
  header.forEach((h, i) => {
    const k = headerKey(h);
    if (!positions.has(k)) positions.set(k, i);
  });
  const index = new Map<ProductField, number>();
  const used = new Set<number>();
  for (const field of PRODUCT_FIELDS) {
    const source = map[field];
    const key = headerKey(source ?? field);
    const pos = positions.get(key);
    if (pos === undefined) {
      if (source !== undefined) {
        throw new TpvError('invalid', 'import.map_column_missing', {
          field,
          column: source,
          found: header.map((h) => h.trim()).join(', '),
        });
      }
      continue;
    }
    index.set(field, pos);
    used.add(pos);
  }
  if (!index.has('sku')) {
    throw new TpvError('invalid', 'import.sku_column_missing', { found: header.map((h) => h.trim()).join(', ') });
  }
  const ignored = header.filter((_, i) => !used.has(i)).map((h) => h.trim()).filter(Boolean);
  return { index, ignored };
}

const cellText = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(String).join('|');
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
};

/**
 * Reads, validates and (unless dry run or invalid) writes an import. Throws an 'invalid' TpvError
 * carrying the report as details when rows were rejected and --skip-invalid was not given.
 */
/** Imports a catalog file; writing takes catalog management (a dry run only reads). */
export async function importProducts(
  app: App,
  actor: UserRow,
  input: Readable,
  totalBytes: number | null,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  if (!opts.dryRun) authorize(app, actor, 'manage_catalog', opts.approver);
  const money = app.profile;
  const source = opts.source ?? '-';
  const map = opts.map ?? {};
  const encoding = opts.encoding ?? 'utf8';
  const decoder = decoderFor(encoding);
  const writer = new CatalogWriter(app);
  const errors: RowError[] = [];
  const rows: ParsedRow[] = [];
  let format: ImportFormat | undefined = opts.format;
  let delimiter: string | null = null;
  let reader: CsvReader | null = null;
  let columns: Map<ProductField, number> | null = null;
  let columnNames: string[] = [];
  let ignoredColumns: string[] = [];
  let decimalComma = false;
  let jsonBuf = '';
  let jsonLine = 0;
  let bytes = 0;
  let lastProgress = 0;
  let dataRows = 0;

  const addProblems = (line: number, problems: FieldProblem[], colName: (f: ProductField) => string): void => {
    for (const p of problems) {
      errors.push({ line, column: colName(p.field), field: p.field, code: p.code, params: showParams(p.params, app.profile.exponent) });
    }
  };

  const handleCells = (line: number, cells: Partial<Record<ProductField, string>>, colName: (f: ProductField) => string): void => {
    dataRows++;
    const r = parseProductRow(cells, { exponent: money.exponent, decimalComma });
    if (r.patch) rows.push({ line, patch: r.patch });
    else addProblems(line, r.problems, colName);
  };

  const csvColName = (f: ProductField): string => {
    const i = columns?.get(f);
    return i === undefined ? f : (columnNames[i] ?? f).trim();
  };

  const onCsvRecords = (records: { line: number; fields: string[] }[]): void => {
    for (const rec of records) {
      if (!columns) {
        columnNames = rec.fields.map((h) => h.replace(/^\uFEFF/, ''));
        const m = mapColumns(rec.fields, map);
        columns = m.index;
        ignoredColumns = m.ignored;
        continue;
      }
      if (rec.fields.length === 1 && rec.fields[0]!.trim() === '') continue; // blank line
      const cells: Partial<Record<ProductField, string>> = {};
      // a `'` before a formula-like cell is the export's neutralisation (core/csv.ts), not the value
      for (const [field, i] of columns) cells[field] = csvText(rec.fields[i] ?? '');
      if (rec.fields.length !== columnNames.length) {
        errors.push({
          line: rec.line,
          column: '-',
          field: null,
          code: 'import.field_count',
          params: { found: rec.fields.length, expected: columnNames.length },
        });
        dataRows++;
        continue;
      }
      handleCells(rec.line, cells, csvColName);
    }
  };

  const jsonKeyFor = (f: ProductField): string => map[f] ?? f;
  const onJsonLine = (text: string): void => {
    jsonLine++;
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      dataRows++;
      errors.push({ line: jsonLine, column: '-', field: null, code: 'import.json_malformed', params: {} });
      return;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      dataRows++;
      errors.push({ line: jsonLine, column: '-', field: null, code: 'import.json_object', params: {} });
      return;
    }
    const o = obj as Record<string, unknown>;
    const cells: Partial<Record<ProductField, string>> = {};
    for (const f of PRODUCT_FIELDS) {
      const key = jsonKeyFor(f);
      if (Object.prototype.hasOwnProperty.call(o, key)) cells[f] = cellText(o[key]);
    }
    handleCells(jsonLine, cells, jsonKeyFor);
  };

  const onText = (text: string, final: boolean): void => {
    if (format === undefined) {
      const first = text.replace(/^\uFEFF/, '').trimStart();
      if (first.length === 0 && !final) return;
      format = first.startsWith('{') ? 'jsonl' : 'csv';
    }
    if (format === 'csv') {
      if (!reader) {
        if (!final && !text.includes('\n') && text.length < 65536) return; // wait for a whole header line
        delimiter = detectDelimiter(text.replace(/^\uFEFF/, ''));
        decimalComma = delimiter === ';';
        reader = new CsvReader(delimiter);
      }
      onCsvRecords(reader.push(text));
      if (final) onCsvRecords(reader.end());
    } else {
      jsonBuf += text;
      let nl: number;
      while ((nl = jsonBuf.indexOf('\n')) !== -1) {
        onJsonLine(jsonBuf.slice(0, nl).replace(/^\uFEFF/, ''));
        jsonBuf = jsonBuf.slice(nl + 1);
      }
      if (final && jsonBuf.length) {
        onJsonLine(jsonBuf);
        jsonBuf = '';
      }
    }
  };

  // ---- pass 1: read and validate ----
  let pending = '';
  const checksum = createHash('sha256');
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      checksum.update(chunk);
      pending += decoder.decode(chunk, { stream: true });
      if (format === 'csv' && !reader && !pending.includes('\n')) continue;
      onText(pending, false);
      pending = '';
      if (opts.progress && bytes - lastProgress > 1 << 20) {
        lastProgress = bytes;
        opts.progress({ phase: 'validate', rows: dataRows, total: totalBytes, done: bytes });
      }
    }
    pending += decoder.decode();
    onText(pending, true);
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new TpvError('invalid', 'import.encoding', { source, bytes });
    }
    throw e;
  }
  if (format === undefined) format = opts.format ?? 'csv';
  if (format === 'csv' && !columns) throw new TpvError('invalid', 'import.empty', { source });

  // ---- cross-row and database checks ----
  const colName = format === 'csv' ? csvColName : jsonKeyFor;
  const skuLine = new Map<string, number>();
  const barcodeInFile = new Map<string, string>(); // barcode → sku claiming it in this file
  const patchOfSku = new Map<string, ProductPatch>();
  const rejected = new Set<number>(); // lines
  for (const e of errors) rejected.add(e.line);
  const valid: ParsedRow[] = [];
  for (const row of rows) {
    const p = row.patch;
    const firstLine = skuLine.get(p.sku);
    if (firstLine !== undefined) {
      errors.push({ line: row.line, column: colName('sku'), field: 'sku', code: 'product.sku_duplicate_in_file', params: { sku: p.sku, line: firstLine } });
      rejected.add(row.line);
      continue;
    }
    skuLine.set(p.sku, row.line);
    let dup = false;
    for (const code of p.barcodes ?? []) {
      const other = barcodeInFile.get(code);
      if (other !== undefined && other !== p.sku) {
        errors.push({ line: row.line, column: colName('barcodes'), field: 'barcodes', code: 'product.barcode_duplicate_in_file', params: { barcode: code, line: skuLine.get(other) ?? 0 } });
        dup = true;
      }
    }
    if (dup) {
      rejected.add(row.line);
      continue;
    }
    for (const code of p.barcodes ?? []) barcodeInFile.set(code, p.sku);
    valid.push(row);
  }

  const catalogEmpty = app.db.prepare('SELECT 1 FROM products LIMIT 1').get() === undefined;
  const moving = new Set<string>();
  const existingRows = new Map<string, ProductRow>();
  const barcodeFree = (code: string, sku: string): string | null => {
    if (catalogEmpty) return null;
    const owner = writer.barcodeOwner(code);
    if (owner === null || owner === sku) return null;
    // the owner gives it away in this same file: fine, it moves
    const ownerNew = patchOfSku.get(owner)?.barcodes;
    if (ownerNew && !ownerNew.includes(code)) {
      moving.add(code);
      return null;
    }
    return owner;
  };
  if (!catalogEmpty) for (const row of valid) patchOfSku.set(row.patch.sku, row.patch);
  const checked: ParsedRow[] = [];
  for (const row of valid) {
    const existing = catalogEmpty ? undefined : writer.existing(row.patch.sku);
    if (existing) existingRows.set(row.patch.sku, existing);
    const problems = writer.check(row.patch, existing, barcodeFree);
    if (problems.length) {
      addProblems(row.line, problems, colName);
      rejected.add(row.line);
    } else checked.push(row);
  }
  errors.sort((a, b) => a.line - b.line);

  const report: ImportReport = {
    source,
    format,
    delimiter,
    rows: dataRows,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: rejected.size,
    dryRun: opts.dryRun ?? false,
    written: false,
    ignoredColumns,
    errors,
  };
  if (ignoredColumns.length) app.notice({ code: 'import.ignored_columns', params: { columns: ignoredColumns.join(', ') } });

  if (errors.length && !opts.skipInvalid) {
    // all-or-nothing: count what would have happened, write nothing
    throw new TpvError('invalid', 'import.rejected', { rejected: rejected.size, rows: dataRows }, report);
  }

  // ---- pass 2: write in short transactions ----
  const batchSize = opts.batchSize ?? BATCH_ROWS;
  const reason = `import ${basename(source)}`;
  const dry = opts.dryRun ?? false;
  if (dry) {
    for (const row of checked) report[writer.plan(row.patch, existingRows.get(row.patch.sku)).outcome]++;
    return report;
  }
  const run = startImportRun(app.db, { kind: 'products', source, checksum: checksum.digest('hex'), rows: checked.length, pid: process.pid, at: app.now() });
  // Updates of existing products go first, row by row. New products follow with multi-row
  // INSERTs (unless barcodes move between products of this file: that needs the row path), and
  // many of them are a bulk load: the name index is built once at the end (design §4) instead of
  // row by row.
  const updates = checked.filter((r) => existingRows.has(r.patch.sku));
  const news = checked.filter((r) => !existingRows.has(r.patch.sku));
  const newInBulk = moving.size === 0;
  const bulk = newInBulk && news.length >= BULK_ROWS;
  let bulkId = 0;
  let firstId = 0;
  // index pages of a large catalog stay in memory while it loads (default cache: 2 MB). The WAL
  // keeps its default checkpoint size: with a larger one, the till whose commit happened to cross
  // it paid for checkpointing the import's pages (a 1.2 s checkout, measured)
  if (checked.length >= BULK_ROWS) app.db.pragma('cache_size = -262144');
  let done = 0;
  /** Writes rows in batches of BATCH_ROWS rows or BATCH_MS of work, whichever comes first: a
   * till waiting for the write lock never waits longer than one short batch. */
  const writeAll = async (rows: ParsedRow[], write: (chunk: ParsedRow[]) => void): Promise<void> => {
    let next = 0;
    while (next < rows.length) {
      const started = performance.now();
      const end = Math.min(next + batchSize, rows.length);
      let batch = 0;
      inTransaction(app, () => {
        while (next < end && performance.now() - started < BATCH_MS) {
          const chunk = rows.slice(next, Math.min(next + CHUNK_ROWS, end));
          write(chunk);
          next += chunk.length;
          batch += chunk.length;
        }
        // each batch commits on its own: its event carries the products it wrote, its run how many rows landed
        const products = writer.takeChanges();
        if (products.length) appendEvent(app, 'products', { products, source: reason });
        importRunApplied(app.db, run, done + batch);
      });
      done += batch; // only once committed: a batch that fails counts for nothing
      opts.progress?.({ phase: 'write', rows: dataRows, total: checked.length, done });
      // let other processes take the write lock between batches: tpv's writers try every
      // millisecond (db/connection.ts `immediate`), so a pause of a few milliseconds lets a till in
      await new Promise<void>((resolve) => setTimeout(resolve, YIELD_MS));
    }
  };
  const rowByRow = (chunk: ParsedRow[]): void => {
    for (const row of chunk) {
      // re-read inside the transaction: another process may have changed it since pass 1
      const existing = writer.existing(row.patch.sku);
      report[writer.write(row.patch, existing, reason, 'import', moving)]++;
    }
  };
  let failure: unknown = null;
  try {
    await writeAll(newInBulk ? updates : checked, rowByRow);
    if (newInBulk && news.length) {
      if (bulk) {
        firstId = app.db.prepare('SELECT coalesce(max(id), 0) FROM products').pluck().get() as number;
        bulkId = inTransaction(app, () => beginBulkLoad(app.db, process.pid, app.now()));
      }
      await writeAll(news, (chunk) => {
        report.created += writer.createMany(chunk.map((r) => r.patch), reason);
      });
    }
  } catch (e) {
    failure = e;
  }
  if (bulkId) {
    try {
      await endBulkLoad(app.db, bulkId, firstId);
    } catch (e) {
      failure ??= e; // the name index is rebuilt by the next command (db/catalog.ts recoverBulkLoads)
    }
  }
  if (failure !== null) throw importFailed(app, run, failure, { source, applied: done, rows: checked.length });
  endImportRun(app.db, run, { state: 'done', at: app.now() });
  report.written = report.created + report.updated > 0;
  return report;
}

/**
 * An import that stopped part-way: its run marked failed (when the database still takes the
 * write), and the error to show, saying how many rows landed and that running it again finishes it.
 * Another process changing the catalog meanwhile (a sku or barcode taken) is a conflict; the
 * system refusing the write (a full disk, a read-only file, an I/O error) keeps its exit code.
 */
function importFailed(app: App, run: number, e: unknown, progress: { source: string; applied: number; rows: number }): unknown {
  const cause = isConstraintError(e)
    ? new TpvError('conflict', 'import.interrupted', { message: (e as Error).message })
    : e instanceof TpvError
      ? e
      : systemError(e, app.path);
  try {
    endImportRun(app.db, run, { state: 'failed', at: app.now(), error: cause ? t(cause.code, cause.params) : String(e) });
  } catch {
    // the database refuses even this: the run stays 'running' and its process ends, which says the same
  }
  if (!cause) return e; // a bug: its own message, exit 1
  return new TpvError(cause.kind, 'import.stopped', { ...progress, reason: t(cause.code, cause.params) });
}

const isConstraintError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && String((e as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT');
