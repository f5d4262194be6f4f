/**
 * What `tpv audit verify` and `tpv doctor` check so that no fiscal figure can be falsified quietly:
 * the journal chain, the triggers that keep its facts immutable, the copies of a document's shift
 * in its payment and tax rows, every Z report recomputed from its documents, and every numbering
 * series contiguous up to its counter (a deleted tail is a gap).
 */
import { canonicalJson, type Json } from '../core/canonical.js';
import { type MessageKey, type Params, TpvError } from '../core/errors.js';
import { readZBody } from '../core/shift.js';
import type { Sqlite } from '../db/connection.js';
import { loadDocument } from '../db/documents.js';
import { readTextFile } from './files.js';
import { journalEntries, type JournalEntry, journalHead, type JournalCheck, SHORT_HASH, verifyChain, verifyJournal } from './journal.js';
import { type ShiftRow, shiftFigures } from './shifts.js';

/** The triggers that make fiscal facts append-only (migrations 0002, 0003, 0008). */
export const FISCAL_TRIGGERS = [
  'documents_no_update',
  'documents_no_delete',
  'document_lines_no_update',
  'document_lines_no_delete',
  'document_taxes_no_update',
  'document_taxes_no_delete',
  'document_payments_no_update',
  'document_payments_no_delete',
  'journal_no_update',
  'journal_no_delete',
  'cash_moves_no_update',
  'cash_moves_no_delete',
  'shifts_no_update',
  'shifts_no_delete',
  'series_no_rewind',
  'series_no_delete',
  'credit_events_no_update',
  'credit_events_no_delete',
  'stock_moves_no_update',
  'stock_moves_no_delete',
  'einvoice_records_no_update',
  'einvoice_records_no_delete',
  'einvoice_states_no_update',
  'einvoice_states_no_delete',
  'einvoice_submissions_no_update',
  'einvoice_submissions_no_delete',
] as const;

export interface AuditFinding {
  check: 'journal' | 'triggers' | 'shift_copies' | 'z_report' | 'series';
  code: MessageKey;
  params: Params;
}

export interface AuditReport {
  ok: boolean;
  journal: JournalCheck;
  /** The last entry: what to compare with a printed Z report or an export. */
  head: { seq: number; hash: string };
  findings: AuditFinding[];
}

export function auditStore(db: Sqlite): AuditReport {
  const journal = verifyJournal(db);
  const findings: AuditFinding[] = [];
  if (!journal.ok) {
    const b = journal.broken!;
    findings.push({ check: 'journal', code: `audit.${b.reason}`, params: { seq: b.seq, number: b.number ?? '?' } });
  }
  const missing = missingTriggers(db);
  if (missing.length) findings.push({ check: 'triggers', code: 'audit.triggers_missing', params: { triggers: missing.join(', ') } });
  findings.push(...shiftCopies(db), ...zReports(db), ...seriesGaps(db));
  return { ok: findings.length === 0, journal, head: journalHead(db), findings };
}

function missingTriggers(db: Sqlite): string[] {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]);
  return FISCAL_TRIGGERS.filter((t) => !present.has(t));
}

/** A payment or tax row says which shift and type its document has (the Z sums them): they must agree. */
function shiftCopies(db: Sqlite): AuditFinding[] {
  const number = db
    .prepare(`SELECT d.number FROM documents d WHERE EXISTS (SELECT 1 FROM document_payments p WHERE p.document_id = d.id
        AND (p.shift_id IS NOT d.shift_id OR p.doc_type IS NOT d.type))
      OR EXISTS (SELECT 1 FROM document_taxes t WHERE t.document_id = d.id AND (t.shift_id IS NOT d.shift_id OR t.doc_type IS NOT d.type))
      LIMIT 1`)
    .pluck()
    .get() as string | undefined;
  return number ? [{ check: 'shift_copies', code: 'audit.shift_copies', params: { number } }] : [];
}

/** Every Z report against the figures its shift's documents and cash moves give now. */
function zReports(db: Sqlite): AuditFinding[] {
  const out: AuditFinding[] = [];
  const zs = db.prepare("SELECT id FROM documents WHERE type = 'z_report' ORDER BY id").pluck().all() as number[];
  const shiftOf = db.prepare('SELECT * FROM shifts WHERE id = ?');
  for (const id of zs) {
    const z = loadDocument(db, id)!;
    const shift = z.shiftId === null ? undefined : (shiftOf.get(z.shiftId) as ShiftRow | undefined);
    let stored;
    try {
      stored = readZBody(z.body);
    } catch {
      out.push({ check: 'z_report', code: 'audit.z_mismatch', params: { number: z.number, field: 'body' } });
      continue;
    }
    if (!shift) {
      out.push({ check: 'z_report', code: 'audit.z_mismatch', params: { number: z.number, field: 'shift' } });
      continue;
    }
    const now = shiftFigures(db, { ...shift, closed_at: z.createdAt }, stored.cash.counted);
    const field = firstDifference(stored as unknown as Json, now as unknown as Json);
    if (field !== null) out.push({ check: 'z_report', code: 'audit.z_mismatch', params: { number: z.number, field } });
  }
  return out;
}

/** The path of the first value that differs between two JSON values (`cash.out`), or null. */
export function firstDifference(a: Json, b: Json, path = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k] ?? null, b[k] ?? null, path ? `${path}.${k}` : k);
      if (d !== null) return d;
    }
  }
  return path || '.';
}

/**
 * Each series issues 1, 2, 3… up to its counter. A number may be skipped only where the counter
 * was moved forward on purpose (`tpv series set --next`, recorded as a `series` event) and a yearly
 * series starts again at 1.
 */
function seriesGaps(db: Sqlite): AuditFinding[] {
  const out: AuditFinding[] = [];
  const all = db.prepare('SELECT id, register, doc_type, next, yearly_reset FROM series ORDER BY id').all() as {
    id: number;
    register: string;
    doc_type: string;
    next: number;
    yearly_reset: number;
  }[];
  const docs = db.prepare('SELECT seq, number FROM documents WHERE series_id = ? ORDER BY id');
  const jumps = db.prepare(`SELECT DISTINCT json_extract(payload, '$.next') FROM outbox WHERE type = 'series'
    AND json_extract(payload, '$.register') = ? AND json_extract(payload, '$.type') = ?`);
  for (const s of all) {
    const moved = new Set(jumps.pluck().all(s.register, s.doc_type) as number[]);
    const name = `${s.register} ${s.doc_type}`;
    let prev = 0;
    let last = '';
    const gap = (to: number): void => {
      out.push({
        check: 'series',
        code: 'audit.series_gap',
        params: { series: name, after: last || '-', missing: to - prev > 2 ? `${prev + 1}–${to - 1}` : String(prev + 1) },
      });
    };
    for (const d of docs.iterate(s.id) as Iterable<{ seq: number; number: string }>) {
      const fine = d.seq === prev + 1 || (d.seq === 1 && s.yearly_reset === 1) || (d.seq > prev + 1 && moved.has(d.seq));
      if (!fine) gap(d.seq);
      prev = d.seq;
      last = d.number;
    }
    if (s.next !== prev + 1 && !(s.next > prev + 1 && moved.has(s.next))) gap(s.next);
  }
  return out;
}

/** The file `tpv audit export` writes and `tpv audit verify --file` checks. */
export interface JournalExport {
  format: 'tpv-journal';
  version: 1;
  store: { name: string; tax_id: string; register: string };
  exported_at: string;
  from: string | null;
  to: string | null;
  /** The hash before the first entry (the genesis, or the previous entry's hash). */
  start: string;
  entries: JournalEntry[];
}

/** The entries whose facts fall between two days (store dates, inclusive), as one contiguous run of the chain. */
export function exportJournal(db: Sqlite, store: JournalExport['store'], range: { from?: string; to?: string }, now: Date): JournalExport {
  const bounds = db
    .prepare(`SELECT min(j.seq) AS first, max(j.seq) AS last FROM journal j
      LEFT JOIN documents d ON d.id = j.document_id LEFT JOIN cash_moves m ON m.id = j.cash_move_id LEFT JOIN shifts s ON s.id = j.shift_id
      WHERE substr(coalesce(d.created_at, m.created_at, s.opened_at), 1, 10) BETWEEN ? AND ?`)
    .get(range.from ?? '0000-00-00', range.to ?? '9999-99-99') as { first: number | null; last: number | null };
  const entries: JournalEntry[] = [];
  if (bounds.first !== null && bounds.last !== null) {
    for (const e of journalEntries(db, bounds.first, bounds.last)) {
      // a missing fact is exported as it is: the auditor's verify names it
      entries.push('missing' in e ? { seq: e.seq, prev_hash: '', hash: '', label: e.label, fact: null } : e);
    }
  }
  const start = entries[0]?.prev_hash ?? journalHead(db).hash;
  return { format: 'tpv-journal', version: 1, store, exported_at: now.toISOString(), from: range.from ?? null, to: range.to ?? null, start, entries };
}

/** Checks that a parsed file is an export; returns why not (a short reason) or null. */
export function exportProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const x = v as Partial<JournalExport>;
  if (x.format !== 'tpv-journal') return 'format';
  if (x.version !== 1) return `version ${String(x.version)}`;
  if (typeof x.start !== 'string' || !Array.isArray(x.entries)) return 'entries';
  for (const e of x.entries) {
    if (typeof e !== 'object' || e === null || typeof e.seq !== 'number' || typeof e.hash !== 'string' || typeof e.prev_hash !== 'string') return 'entries';
  }
  return null;
}

/** An anchor printed on paper: an entry's sequence number and the start of its hash. */
export interface Anchor {
  seq: number;
  hash: string;
}

/** The first anchor the entries do not match (or do not reach), with what the entry says now. */
export function anchorProblem(entries: Iterable<{ seq: number; hash: string }>, anchors: Anchor[]): { anchor: Anchor; actual: string | null } | null {
  const want = new Map(anchors.map((a) => [a.seq, a]));
  for (const e of entries) {
    const a = want.get(e.seq);
    if (!a) continue;
    if (!e.hash.startsWith(a.hash)) return { anchor: a, actual: e.hash.slice(0, Math.max(a.hash.length, SHORT_HASH)) };
    want.delete(e.seq);
  }
  const [unreached] = want.values();
  return unreached ? { anchor: unreached, actual: null } : null;
}

/** Throws the first anchor the entries do not match (exit 5), naming what the entry says now. */
export function assertAnchors(anchors: Anchor[], entries: Iterable<{ seq: number; hash?: string }>): void {
  if (anchors.length === 0) return;
  const withHash = (function* () {
    for (const e of entries) yield { seq: e.seq, hash: e.hash ?? '' };
  })();
  const p = anchorProblem(withHash, anchors);
  if (!p) return;
  const anchor = `${p.anchor.seq}:${p.anchor.hash}`;
  if (p.actual === null) throw new TpvError('conflict', 'audit.anchor_unknown', { seq: p.anchor.seq, anchor });
  throw new TpvError('conflict', 'audit.anchor_mismatch', { seq: p.anchor.seq, anchor, actual: p.actual });
}

/** The figures of an export as `tpv audit` prints them: its entries, first and last, and its head. */
export function exportSummary(x: JournalExport): { entries: number; first: number; last: number; seq: number; head: string } {
  const last = x.entries[x.entries.length - 1]!;
  return { entries: x.entries.length, first: x.entries[0]!.seq, last: last.seq, seq: last.seq, head: last.hash };
}

/** Verifies an export file on its own (no database): its chain from its start, and the anchors given. */
export function verifyExportFile(path: string, anchors: Anchor[]): JournalCheck & ReturnType<typeof exportSummary> & { store: JournalExport['store'] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readTextFile(path));
  } catch (e) {
    if (e instanceof TpvError) throw e;
    throw new TpvError('invalid', 'audit.file_bad', { path, reason: 'not JSON' });
  }
  const problem = exportProblem(parsed);
  if (problem) throw new TpvError('invalid', 'audit.file_bad', { path, reason: problem });
  const x = parsed as JournalExport;
  if (x.entries.length === 0) throw new TpvError('invalid', 'audit.file_bad', { path, reason: 'no entries' });
  const r = verifyChain(x.entries, x.start);
  if (!r.ok) throw new TpvError('conflict', `audit.${r.broken!.reason}`, { seq: r.broken!.seq, number: r.broken!.number ?? '?' }, r);
  assertAnchors(anchors, x.entries);
  return { ...r, ...exportSummary(x), store: x.store };
}
