/**
 * The hash-chained journal of fiscal facts: hash = sha256(prev_hash ‖ canonical(fact)). A fact is a
 * document, a cash move or a shift's opening (its float) — everything a Z report is made of.
 * Appended in the fact's own transaction; `verifyJournal` walks the chain (from the database or
 * from an export) and names the first entry whose stored data no longer matches its link.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from '../core/canonical.js';
import type { Sqlite } from '../db/connection.js';
import type { Statement } from 'better-sqlite3';
import type { StoredDocument } from '../core/document.js';
import { canonicalDocument, loadDocument } from '../db/documents.js';
import { type Lang, t } from '../i18n/index.js';

export const GENESIS = '0'.repeat(64);

/** How many hex digits of a hash are printed as an anchor (on a Z report, a receipt, `audit head`). */
export const SHORT_HASH = 16;

export interface CashMoveFact {
  id: number;
  shift_id: number;
  kind: string;
  amount: number;
  reason: string;
  user_id: number;
  created_at: string;
}

export interface ShiftOpenFact {
  id: number;
  register: string;
  opened_at: string;
  opened_by: number;
  float: number;
}

export type JournalFact =
  | { document: StoredDocument }
  | { cashMove: CashMoveFact }
  | { shiftOpen: ShiftOpenFact };

/** The fact as hashed. Documents keep the shape they had before cash moves were journaled. */
export function canonicalFact(f: JournalFact): Json {
  if ('document' in f) return canonicalDocument(f.document);
  if ('cashMove' in f) {
    const m = f.cashMove;
    return { fact: 'cash_move', shiftId: m.shift_id, kind: m.kind, amount: m.amount, reason: m.reason, userId: m.user_id, createdAt: m.created_at };
  }
  const s = f.shiftOpen;
  return { fact: 'shift_open', register: s.register, openedAt: s.opened_at, openedBy: s.opened_by, float: s.float };
}

export function linkHash(prev: string, fact: Json): string {
  return createHash('sha256').update(prev).update(canonicalJson(fact)).digest('hex');
}

const statements = new WeakMap<Sqlite, { head: Statement; insert: Statement }>();

/**
 * Appends the journal entry of a fact just written (same transaction). A document is passed as
 * inserted (the caller has it in memory); verifyJournal recomputes it from the stored rows.
 */
export function appendJournal(db: Sqlite, fact: JournalFact): string {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT hash FROM journal ORDER BY seq DESC LIMIT 1').pluck(),
      insert: db.prepare('INSERT INTO journal (document_id, cash_move_id, shift_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?)'),
    };
    statements.set(db, s);
  }
  const prev = (s.head.get() as string | undefined) ?? GENESIS;
  const hash = linkHash(prev, canonicalFact(fact));
  s.insert.run(
    'document' in fact ? fact.document.id : null,
    'cashMove' in fact ? fact.cashMove.id : null,
    'shiftOpen' in fact ? fact.shiftOpen.id : null,
    prev,
    hash,
  );
  return hash;
}

export interface JournalEntry {
  seq: number;
  prev_hash: string;
  hash: string;
  /** What the entry stands for, as a reader names it: a document number, `cash move 12`, `shift 3`. */
  label: string;
  fact: Json;
}

export type BrokenReason = 'document_changed' | 'chain_broken' | 'document_missing' | 'not_journaled';

export interface JournalCheck {
  ok: boolean;
  entries: number;
  /** The first broken link: the entry and what is wrong with it. */
  broken: { seq: number; number: string | null; reason: BrokenReason } | null;
  /** The hash of the last entry that verified. */
  head: string;
}

interface JournalRow {
  seq: number;
  document_id: number | null;
  cash_move_id: number | null;
  shift_id: number | null;
  prev_hash: string;
  hash: string;
}

/** The journal entries from `from` to `to` (sequence numbers, inclusive) with their facts as stored now. */
export function* journalEntries(db: Sqlite, from = 1, to = Number.MAX_SAFE_INTEGER): Generator<JournalEntry | { seq: number; label: string; missing: true }> {
  const rows = db.prepare('SELECT * FROM journal WHERE seq BETWEEN ? AND ? ORDER BY seq').iterate(from, to) as Iterable<JournalRow>;
  const move = db.prepare('SELECT * FROM cash_moves WHERE id = ?');
  const shift = db.prepare('SELECT id, register, opened_at, opened_by, float FROM shifts WHERE id = ?');
  for (const r of rows) {
    let fact: JournalFact | undefined;
    let label: string;
    if (r.document_id !== null) {
      const doc = loadDocument(db, r.document_id);
      fact = doc && { document: doc };
      label = doc?.number ?? `document ${r.document_id}`;
    } else if (r.cash_move_id !== null) {
      const m = move.get(r.cash_move_id) as CashMoveFact | undefined;
      fact = m && { cashMove: m };
      label = `cash move ${r.cash_move_id}`;
    } else {
      const s = shift.get(r.shift_id) as ShiftOpenFact | undefined;
      fact = s && { shiftOpen: s };
      label = `shift ${r.shift_id}`;
    }
    if (!fact) yield { seq: r.seq, label, missing: true };
    else yield { seq: r.seq, prev_hash: r.prev_hash, hash: r.hash, label, fact: canonicalFact(fact) };
  }
}

/**
 * Walks a chain of entries (from the database or an exported file) starting after `start` and
 * names the first entry that breaks it.
 */
export function verifyChain(entries: Iterable<JournalEntry | { seq: number; label: string; missing: true }>, start = GENESIS): JournalCheck {
  let prev = start;
  let n = 0;
  for (const e of entries) {
    n++;
    if ('missing' in e) return { ok: false, entries: n, broken: { seq: e.seq, number: e.label, reason: 'document_missing' }, head: prev };
    if (e.prev_hash !== prev) return { ok: false, entries: n, broken: { seq: e.seq, number: e.label, reason: 'chain_broken' }, head: prev };
    if (linkHash(prev, e.fact) !== e.hash) return { ok: false, entries: n, broken: { seq: e.seq, number: e.label, reason: 'document_changed' }, head: prev };
    prev = e.hash;
  }
  return { ok: true, entries: n, broken: null, head: prev };
}

/** The whole journal of the database, and every fact that should be in it and is not. */
export function verifyJournal(db: Sqlite): JournalCheck {
  const r = verifyChain(journalEntries(db));
  if (!r.ok) return r;
  const start = db.prepare('SELECT last_cash_move, last_shift FROM journal_start').get() as { last_cash_move: number; last_shift: number } | undefined;
  const orphan =
    (db.prepare('SELECT d.number FROM documents d WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.document_id = d.id) LIMIT 1').pluck().get() as string | undefined) ??
    (db
      .prepare("SELECT 'cash move ' || m.id FROM cash_moves m WHERE m.id > ? AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.cash_move_id = m.id) LIMIT 1")
      .pluck()
      .get(start?.last_cash_move ?? 0) as string | undefined) ??
    (db
      .prepare("SELECT 'shift ' || s.id FROM shifts s WHERE s.id > ? AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.shift_id = s.id) LIMIT 1")
      .pluck()
      .get(start?.last_shift ?? 0) as string | undefined);
  if (orphan) return { ok: false, entries: r.entries, broken: { seq: r.entries + 1, number: orphan, reason: 'not_journaled' }, head: r.head };
  return r;
}

/** The journal's last entry (the anchor to write down or print), or the genesis of an empty one. */
export function journalHead(db: Sqlite): { seq: number; hash: string } {
  const r = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  return r ?? { seq: 0, hash: GENESIS };
}

/** An anchor as printed: "Journal 1234 9f86d081884c7d65" (what `tpv audit verify --anchor 1234:9f86…` takes). */
export function anchorText(link: { seq: number; hash: string }, lang?: Lang): string {
  return t('audit.anchor', { seq: link.seq, hash: link.hash.slice(0, SHORT_HASH) }, lang);
}

/** The journal entry of a document (its link, printed as the anchor on a Z report or receipt). */
export function documentLink(db: Sqlite, documentId: number): { seq: number; hash: string } | undefined {
  return db.prepare('SELECT seq, hash FROM journal WHERE document_id = ?').get(documentId) as { seq: number; hash: string } | undefined;
}
