/**
 * The one pipeline that issues a fiscal document — receipt, refund, invoice, corrective invoice,
 * Z report, and whatever comes next — inside the caller's transaction: the next number of its
 * series, the document, its journal link, then the document hooks (where a fiscal scheme adds its
 * record). The caller's outbox event must carry it (`inTransaction` refuses to commit otherwise).
 */
import type { NewDocument, StoredDocument } from '../core/document.js';
import type { DocType } from '../core/numbering.js';
import { isoWithOffset, zonedParts } from '../core/time.js';
import { insertDocument } from '../db/documents.js';
import { type App, pendingWrites } from './context.js';
import { appendJournal } from './journal.js';
import { allocateNumber } from './series.js';

/** What the pipeline fixes before the document is built: its number and instant. */
export interface Issue {
  number: string;
  /** ISO 8601 with the store's offset: the document's `createdAt`. */
  at: string;
  now: Date;
}

/** A document as its use case builds it; the pipeline adds type, number, series and register. */
export type DocumentDraft = Omit<NewDocument, 'type' | 'number' | 'seriesId' | 'seq' | 'register' | 'createdAt'>;

/**
 * Issues a document of `type` (inside a transaction). `build` receives the number and instant, so
 * what the document writes elsewhere (a credit code's ledger, stock moves) can name it.
 */
export function issueDocument(app: App, type: DocType, build: (issue: Issue) => DocumentDraft): StoredDocument {
  if (!app.db.inTransaction) throw new Error('issueDocument runs inside the transaction that writes the document');
  const now = app.now();
  const { register, timezone } = app.profile;
  const { number, seriesId, seq } = allocateNumber(app.db, register, type, zonedParts(now, timezone).year);
  const at = isoWithOffset(now, timezone);
  const draft = build({ number, at, now });
  const doc = insertDocument(app.db, { ...draft, type, number, seriesId, seq, register, createdAt: at });
  appendJournal(app.db, { document: doc });
  pendingWrites(app).documents.add(number);
  for (const hook of app.documentHooks) hook(app, doc);
  return doc;
}
