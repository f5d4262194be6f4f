/** Numbering series: `tpv series list|add|set`, and the allocation of a number inside a document's transaction. */
import { TpvError } from '../core/errors.js';
import { problemError } from '../core/money.js';
import { allocate, checkSeries, DEFAULT_TEMPLATES, DOC_TYPES, type DocType, formatNumber } from '../core/numbering.js';
import { zonedParts } from '../core/time.js';
import { prepared, type Sqlite } from '../db/connection.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { appendEvent } from './outbox.js';

export interface SeriesRow {
  id: number;
  register: string;
  doc_type: DocType;
  template: string;
  next: number;
  yearly_reset: number;
  year: number | null;
}

export interface SeriesView {
  register: string;
  type: DocType;
  template: string;
  next: number;
  yearly_reset: boolean;
  /** What the next number will look like. */
  preview: string;
}

function view(r: SeriesRow, year: number): SeriesView {
  const n = allocate({ next: r.next, yearlyReset: r.yearly_reset === 1, year: r.year }, year).n;
  return {
    register: r.register,
    type: r.doc_type,
    template: r.template,
    next: n,
    yearly_reset: r.yearly_reset === 1,
    preview: formatNumber(r.template, { register: r.register, n, year }),
  };
}

const storeYear = (app: App): number => zonedParts(app.now(), app.profile.timezone).year;

function row(db: Sqlite, register: string, type: DocType): SeriesRow | undefined {
  return prepared(db, 'SELECT * FROM series WHERE register = ? AND doc_type = ?').get(register, type) as SeriesRow | undefined;
}

/**
 * Allocates the next number of a series (creating the series with the default template on first
 * use). Must run inside the transaction that inserts the document: a rollback gives the number back.
 */
export function allocateNumber(
  db: Sqlite,
  register: string,
  type: DocType,
  year: number,
): { number: string; seriesId: number; seq: number } {
  let r = row(db, register, type);
  if (!r) {
    db.prepare('INSERT INTO series (register, doc_type, template) VALUES (?, ?, ?)').run(register, type, DEFAULT_TEMPLATES[type]);
    r = row(db, register, type)!;
  }
  const a = allocate({ next: r.next, yearlyReset: r.yearly_reset === 1, year: r.year }, year);
  prepared(db, 'UPDATE series SET next = ?, year = ? WHERE id = ?').run(a.next.next, a.next.year, r.id);
  return { number: formatNumber(r.template, { register, n: a.n, year: a.year }), seriesId: r.id, seq: a.n };
}

export function listSeries(app: App): SeriesView[] {
  const { register } = app.profile;
  const rows = app.db.prepare('SELECT * FROM series ORDER BY register, id').all() as SeriesRow[];
  // every document type of this register has a series, shown with its default until first used
  const unused = DOC_TYPES.filter((type) => !rows.some((r) => r.register === register && r.doc_type === type)).map(
    (type): SeriesRow => ({ id: 0, register, doc_type: type, template: DEFAULT_TEMPLATES[type], next: 1, yearly_reset: 0, year: null }),
  );
  const year = storeYear(app);
  return [...rows, ...unused].sort((a, b) => a.register.localeCompare(b.register)).map((r) => view(r, year));
}

/** Writes a series change with its `series` event. */
function saved(app: App, register: string, type: DocType, actor: UserRow): SeriesView {
  const r = row(app.db, register, type)!;
  appendEvent(app, 'series', { register, type, template: r.template, next: r.next, yearly_reset: r.yearly_reset === 1, by: actor.code });
  return view(r, storeYear(app));
}

export interface SeriesChange {
  template?: string;
  yearlyReset?: boolean;
  /** Start counting at this number (only forward: a number is never issued twice). */
  next?: number;
}

/** The template, checked with the yearly reset it goes with (a reset needs the year in it). */
function validTemplate(template: string, yearlyReset: boolean): string {
  const r = checkSeries(template, yearlyReset);
  if (!r.ok) throw problemError('invalid', r.problem, 0, { field: 'template' });
  return r.value;
}

/** A series whose next number was already issued (under another template, or by another series) would fail its next document. */
function refuseIssued(app: App, r: SeriesRow): void {
  const probe = view(r, storeYear(app)).preview;
  if (app.db.prepare('SELECT 1 FROM documents WHERE number = ?').get(probe)) {
    throw new TpvError('conflict', 'series.template_clash', { number: probe });
  }
}

/** `tpv series add`: a series for another register or type (e.g. a second till sharing the database). */
export function addSeries(app: App, actor: UserRow, register: string, type: DocType, change: SeriesChange, approver?: Approver): SeriesView {
  authorize(app, actor, 'manage_store', approver);
  const code = register.trim().toUpperCase();
  if (!/^[A-Z0-9]{1,8}$/.test(code)) throw new TpvError('invalid', 'series.register', { register });
  const template = validTemplate(change.template ?? DEFAULT_TEMPLATES[type], change.yearlyReset ?? false);
  return inTransaction(app, () => {
    if (row(app.db, code, type)) throw new TpvError('conflict', 'series.exists', { register: code, type });
    app.db
      .prepare('INSERT INTO series (register, doc_type, template, next, yearly_reset, year) VALUES (?, ?, ?, ?, ?, ?)')
      .run(code, type, template, change.next ?? 1, change.yearlyReset ? 1 : 0, change.yearlyReset ? storeYear(app) : null);
    refuseIssued(app, row(app.db, code, type)!);
    return saved(app, code, type, actor);
  });
}

/** `tpv series set`: template, yearly reset, or a later starting number. */
export function setSeries(app: App, actor: UserRow, register: string, type: DocType, change: SeriesChange, approver?: Approver): SeriesView {
  authorize(app, actor, 'manage_store', approver);
  const code = register.trim().toUpperCase();
  return inTransaction(app, () => {
    let r = row(app.db, code, type);
    if (!r) {
      if (code !== app.profile.register) throw new TpvError('not_found', 'series.not_found', { register: code, type });
      app.db.prepare('INSERT INTO series (register, doc_type, template) VALUES (?, ?, ?)').run(code, type, DEFAULT_TEMPLATES[type]);
      r = row(app.db, code, type)!;
    }
    if (change.next !== undefined && change.next < r.next) {
      throw new TpvError('conflict', 'series.next_backwards', { next: change.next, current: r.next });
    }
    const yearlyReset = change.yearlyReset ?? r.yearly_reset === 1;
    const template = validTemplate(change.template ?? r.template, yearlyReset);
    // a reset switched on counts this year's numbers on: the first restart is next 1 January
    const year = yearlyReset && r.yearly_reset !== 1 ? storeYear(app) : r.year;
    const next = change.next ?? r.next;
    refuseIssued(app, { ...r, template, next, yearly_reset: yearlyReset ? 1 : 0, year });
    app.db
      .prepare('UPDATE series SET template = ?, yearly_reset = ?, next = ?, year = ? WHERE id = ?')
      .run(template, yearlyReset ? 1 : 0, next, year, r.id);
    return saved(app, code, type, actor);
  });
}

/** The last number of one of this register's series that another place holds (the store server). */
export interface HeldNumber {
  type: DocType;
  /** The year it was issued in (a series may restart each year). */
  year: number;
  seq: number;
  number: string;
}

/**
 * Moves this register's series past numbers the store server holds (docs/sync.md): a till
 * restored from an old backup, or a copy of another till's database, would issue them again. Only
 * forward, each move recorded as a `series` event `by` the one who made it ("sync"), in one
 * transaction. Returns the series moved and where to.
 */
export function advanceSeries(app: App, held: HeldNumber[], by: string): { type: DocType; next: number; held: string }[] {
  const { register } = app.profile;
  return inTransaction(app, () => {
    const moved: { type: DocType; next: number; held: string }[] = [];
    for (const h of held) {
      let r = row(app.db, register, h.type);
      if (!r) {
        app.db.prepare('INSERT INTO series (register, doc_type, template) VALUES (?, ?, ?)').run(register, h.type, DEFAULT_TEMPLATES[h.type]);
        r = row(app.db, register, h.type)!;
      }
      const yearly = r.yearly_reset === 1;
      // a yearly series counting in a later year than the number held is past it already
      if (yearly && r.year !== null && r.year > h.year) continue;
      const sameYear = !yearly || r.year === h.year;
      if (sameYear && r.next > h.seq) continue;
      const year = yearly ? h.year : r.year;
      app.db.prepare('UPDATE series SET next = ?, year = ? WHERE id = ?').run(h.seq + 1, year, r.id);
      appendEvent(app, 'series', { register, type: h.type, template: r.template, next: h.seq + 1, yearly_reset: yearly, by });
      moved.push({ type: h.type, next: h.seq + 1, held: h.number });
    }
    return moved;
  });
}

