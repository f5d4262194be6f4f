/**
 * The hash-chained journal of fiscal documents: hash = sha256(prev_hash ‖ canonical(document)).
 * Appended in the document's own transaction; `verifyJournal` walks the chain and names the
 * first document whose stored data no longer matches its link.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical.js';
import type { Sqlite } from '../db/connection.js';
import type { Statement } from 'better-sqlite3';
import type { StoredDocument } from '../core/document.js';
import { canonicalDocument, loadDocument } from '../db/documents.js';

export const GENESIS = '0'.repeat(64);

function linkHash(prev: string, documentJson: string): string {
  return createHash('sha256').update(prev).update(documentJson).digest('hex');
}

const statements = new WeakMap<Sqlite, { head: Statement; insert: Statement }>();

/**
 * Appends the journal entry of a document just inserted (same transaction). `doc` is the document
 * as inserted (the caller has it in memory); verifyJournal recomputes it from the stored rows.
 */
export function appendJournal(db: Sqlite, doc: StoredDocument): string {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT hash FROM journal ORDER BY seq DESC LIMIT 1').pluck(),
      insert: db.prepare('INSERT INTO journal (document_id, prev_hash, hash) VALUES (?, ?, ?)'),
    };
    statements.set(db, s);
  }
  const prev = (s.head.get() as string | undefined) ?? GENESIS;
  const hash = linkHash(prev, canonicalJson(canonicalDocument(doc)));
  s.insert.run(doc.id, prev, hash);
  return hash;
}

export interface JournalCheck {
  ok: boolean;
  entries: number;
  /** The first broken link: the document and what is wrong with it. */
  broken: { seq: number; number: string | null; reason: 'document_changed' | 'chain_broken' | 'document_missing' | 'not_journaled' } | null;
  head: string;
}

export function verifyJournal(db: Sqlite): JournalCheck {
  let prev = GENESIS;
  let entries = 0;
  const rows = db.prepare('SELECT seq, document_id, prev_hash, hash FROM journal ORDER BY seq').iterate() as Iterable<{
    seq: number;
    document_id: number;
    prev_hash: string;
    hash: string;
  }>;
  for (const r of rows) {
    entries++;
    const doc = loadDocument(db, r.document_id);
    if (!doc) return { ok: false, entries, broken: { seq: r.seq, number: null, reason: 'document_missing' }, head: prev };
    if (r.prev_hash !== prev) return { ok: false, entries, broken: { seq: r.seq, number: doc.number, reason: 'chain_broken' }, head: prev };
    const expected = linkHash(prev, canonicalJson(canonicalDocument(doc)));
    if (expected !== r.hash) return { ok: false, entries, broken: { seq: r.seq, number: doc.number, reason: 'document_changed' }, head: prev };
    prev = r.hash;
  }
  const orphan = db
    .prepare('SELECT d.number FROM documents d LEFT JOIN journal j ON j.document_id = d.id WHERE j.seq IS NULL LIMIT 1')
    .pluck()
    .get() as string | undefined;
  if (orphan) return { ok: false, entries, broken: { seq: entries + 1, number: orphan, reason: 'not_journaled' }, head: prev };
  return { ok: true, entries, broken: null, head: prev };
}
