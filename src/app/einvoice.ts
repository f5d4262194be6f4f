/**
 * E-invoicing records (docs/einvoice.md): with `einvoice.scheme` = verifactu every receipt, refund,
 * invoice and credit note gets its VERI*FACTU "registro de alta" in the transaction that issues it
 * (a document hook, src/app/issue.ts), chained to the register's previous record by its huella.
 * One chain per register (each till is its own installation): SQLite's one writer at a time and
 * the UNIQUE prev_huella make it linear, whatever the number of processes. Records never change;
 * what the tax agency answers is appended to einvoice_states.
 */
import type { StoredDocument } from '../core/document.js';
import { TpvError } from '../core/errors.js';
import { formatDecimal, formatRate } from '../core/money.js';
import { isEuCountry } from '../core/taxid.js';
import { isoWithOffset } from '../core/time.js';
import { prepared, type Sqlite } from '../db/connection.js';
import { loadDocument } from '../db/documents.js';
import { huellaMatches, withHuella } from '../einvoice/verifactu/huella.js';
import { qrUrl } from '../einvoice/verifactu/qr.js';
import type { Destinatario, DetalleDesglose, IdFactura, OperacionExenta, Registro, RegistroAlta, RegistroAnterior, RegistroAnulacion, SistemaInformatico, TipoFactura } from '../einvoice/verifactu/record.js';
import { VERSION } from '../version.js';
import { type Approver, auditLog, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';

/** A record as stored. */
export interface EinvoiceRow {
  id: number;
  scheme: 'verifactu';
  kind: 'alta' | 'anulacion';
  document_id: number;
  tipo: string | null;
  generated_at: string;
  prev_huella: string | null;
  huella: string;
  record: string;
}

/** The record type of each document type (a Z report gets none). */
const TIPO: Partial<Record<StoredDocument['type'], TipoFactura>> = {
  receipt: 'F2',
  refund: 'R5',
  invoice: 'F3',
  credit_note: 'R1',
};

const DESCRIPTION: Record<TipoFactura, string> = {
  F1: 'Venta',
  F2: 'Venta',
  F3: 'Factura en sustitución de factura simplificada',
  R1: 'Rectificación por devolución',
  R2: 'Rectificación',
  R3: 'Rectificación',
  R4: 'Rectificación',
  R5: 'Devolución de venta (factura simplificada rectificativa)',
};

/** "2026-11-21T14:05:09+01:00" → "21-11-2026" (FechaExpedicionFactura). */
export const issueDate = (iso: string): string => `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`;

/** The software that makes the records (SistemaInformatico): tpv, at this register's installation. */
function sistema(app: App): SistemaInformatico {
  return {
    nombreRazon: 'tpv',
    nif: PRODUCER_NIF,
    nombreSistema: 'tpv',
    idSistema: 'TP',
    version: VERSION,
    numeroInstalacion: app.profile.register,
    soloVerifactu: 'S',
    multiOT: 'N',
    indicadorMultiplesOT: 'N',
  };
}

/**
 * The NIF of tpv's producer in SistemaInformatico. The producer's own NIF goes here once tpv's
 * "declaración responsable" is signed; until then the AEAT's test environment is the only target
 * (docs/einvoice.md).
 */
export const PRODUCER_NIF = '00000000T';

/** The chain's last record: what the next one names as RegistroAnterior. */
export function chainHead(db: Sqlite): EinvoiceRow | undefined {
  return prepared(db, 'SELECT * FROM einvoice_records ORDER BY id DESC LIMIT 1').get() as EinvoiceRow | undefined;
}

const anteriorOf = (row: EinvoiceRow | undefined): RegistroAnterior | null => {
  if (!row) return null;
  const r = JSON.parse(row.record) as Registro;
  return { ...r.id, huella: row.huella };
};

/** FechaHoraHusoGenRegistro of a new record: the store's clock, or the previous record's time when the clock is behind it. */
function generatedAt(app: App, previous: EinvoiceRow | undefined, now: Date): string {
  const at = isoWithOffset(now, app.profile.timezone);
  return previous && Date.parse(at) < Date.parse(previous.generated_at) ? previous.generated_at : at;
}

/** Minor units as the XML writes them ("12.35", "-3.10"). */
const amount = (app: App, minor: number): string => formatDecimal(minor, app.profile.exponent);

/** A receipt of gift vouchers only: not subject to VAT (a multi-purpose voucher's sale), so no factura simplificada. */
const vouchersOnly = (doc: StoredDocument): boolean => doc.type === 'receipt' && doc.taxes.length === 0;

/**
 * The registro de alta of a document, chained after `previous`, made at `now` — or null for a
 * document that is no factura (a Z report; a receipt of gift vouchers only: not subject to VAT).
 * Refunds and credit notes are corrective by differences: their amounts are negative. A receipt
 * of goods and gift vouchers is a factura simplificada of the goods: the vouchers are its N1 line
 * (not subject), so the breakdown adds up to what was paid. An invoice of a receipt of vouchers
 * only replaces no factura simplificada (that receipt has no record): it is an F1, naming none.
 */
export function altaFor(app: App, doc: StoredDocument, previous: EinvoiceRow | undefined, now: Date): RegistroAlta | null {
  const ref = doc.refId === null ? undefined : loadDocument(app.db, doc.refId);
  const tipo = TIPO[doc.type] === 'F3' && ref && vouchersOnly(ref) ? 'F1' : TIPO[doc.type];
  if (!tipo) return null;
  const { taxId, legalName, name } = app.profile;
  const sign = tipo.startsWith('R') ? -1 : 1;
  const taxed = doc.taxes.reduce((a, t) => a + t.base + t.tax, 0);
  // what is left (gift vouchers) is not subject to VAT: an N1 line, so the breakdown adds up
  const notSubject = doc.total - taxed;
  if (vouchersOnly(doc)) return null;
  const desglose: DetalleDesglose[] = doc.taxes.map((t) => {
    const base = amount(app, sign * t.base);
    const zero = t.rate === 0 ? app.profile.einvoiceZeroRate : 'S1';
    if (zero.startsWith('E')) return { claveRegimen: '01', operacionExenta: zero as OperacionExenta, base };
    if (zero.startsWith('N')) return { claveRegimen: '01', calificacion: zero as 'N1' | 'N2', base };
    return { claveRegimen: '01', calificacion: 'S1', tipoImpositivo: formatRate(t.rate), base, cuota: amount(app, sign * t.tax) };
  });
  if (notSubject !== 0) desglose.push({ claveRegimen: '01', calificacion: 'N1', base: amount(app, sign * notSubject) });
  const id: IdFactura = { idEmisor: taxId, numSerie: doc.number, fechaExpedicion: issueDate(doc.createdAt) };
  const refId = ref && { idEmisor: taxId, numSerie: ref.number, fechaExpedicion: issueDate(ref.createdAt) };
  const customer =
    doc.customerId === null
      ? undefined
      : (prepared(app.db, 'SELECT name, country, tax_id FROM customers WHERE id = ?').get(doc.customerId) as { name: string; country: string | null; tax_id: string | null } | undefined);
  const record: RegistroAlta = {
    kind: 'alta',
    id,
    nombreRazonEmisor: legalName || name,
    tipoFactura: tipo,
    ...(tipo.startsWith('R') ? { tipoRectificativa: 'I' as const, ...(refId ? { rectificadas: [refId] } : {}) } : {}),
    ...(tipo === 'F3' && refId ? { sustituidas: [refId] } : {}),
    descripcionOperacion: DESCRIPTION[tipo],
    ...(customer?.tax_id && tipo !== 'F2' && tipo !== 'R5' ? { destinatarios: [destinatario(app, customer.name, customer.country, customer.tax_id)] } : {}),
    desglose,
    cuotaTotal: amount(app, sign * doc.taxes.reduce((a, t) => a + t.tax, 0)),
    importeTotal: amount(app, sign * doc.total),
    anterior: anteriorOf(previous),
    sistema: sistema(app),
    // the time of the chain never goes back, whatever the clock does
    fechaHoraHusoGenRegistro: generatedAt(app, previous, now),
    huella: '',
  };
  for (const [field, value] of [
    ['ImporteTotal', record.importeTotal],
    ['CuotaTotal', record.cuotaTotal],
    ...record.desglose.flatMap((d) => [['BaseImponibleOimporteNoSujeto', d.base] as const, ...(d.cuota ? [['CuotaRepercutida', d.cuota] as const] : [])]),
  ] as const) {
    if (!AMOUNT.test(value)) throw new TpvError('invalid', 'einvoice.amount_limit', { field, value, number: doc.number });
  }
  return withHuella(record);
}

/**
 * The customer as IDDestinatario: a Spanish customer by NIF (an "ES" VAT number without its
 * prefix); an EU one by IDOtro type 02 (NIF-IVA, with its prefix); anyone else by IDOtro type 04
 * (the official id of their country). A customer without a country is of the store's.
 */
export function destinatario(app: App, nombreRazon: string, country: string | null, taxId: string): Destinatario {
  const codigoPais = (country || app.profile.country).toUpperCase();
  if (codigoPais === 'ES') return { nombreRazon, nif: /^ES[0-9A-Z]{9}$/.test(taxId) ? taxId.slice(2) : taxId };
  return { nombreRazon, idOtro: { codigoPais, idType: isEuCountry(codigoPais) ? '02' : '04', id: taxId } };
}

/** An amount the XSD takes (ImporteSgn12.2Type): at most 12 digits before the point and 2 after. */
const AMOUNT = /^-?\d{1,12}(\.\d{1,2})?$/;

/**
 * The document hook: with the scheme on, the document's record is written in its transaction,
 * after the chain's head. A store without a tax id cannot make one: the document is refused.
 */
export function einvoiceHook(app: App, doc: StoredDocument): void {
  if (app.profile.einvoiceScheme !== 'verifactu') return;
  if (!app.profile.taxId) throw new TpvError('invalid', 'einvoice.no_tax_id', { field: 'store.tax_id' });
  const previous = chainHead(app.db);
  const record = altaFor(app, doc, previous, app.now());
  if (!record) return;
  insertRecord(app, doc.id, record, previous);
}

/** Appends a record to the chain after `previous` (its head), pending. */
function insertRecord(app: App, documentId: number, record: Registro, previous: EinvoiceRow | undefined): number {
  const id = Number(
    prepared(app.db, 'INSERT INTO einvoice_records (scheme, kind, document_id, tipo, generated_at, prev_huella, huella, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      'verifactu',
      record.kind,
      documentId,
      record.kind === 'alta' ? record.tipoFactura : null,
      record.fechaHoraHusoGenRegistro,
      previous?.huella ?? null,
      record.huella,
      JSON.stringify(record),
    ).lastInsertRowid,
  );
  prepared(app.db, "INSERT INTO einvoice_states (record_id, at, state) VALUES (?, ?, 'pending')").run(id, app.now().toISOString());
  return id;
}

/**
 * `tpv einvoice cancel NUMBER`: a document issued in error gets its registro de anulación, in the
 * same chain (the document itself stays: documents never change). Once per document; needs manage_store.
 */
export function cancelRecord(app: App, actor: UserRow, number: string, approver?: Approver): RegistroAnulacion {
  authorize(app, actor, 'manage_store', approver, number);
  return inTransaction(app, () => {
    const rows = prepared(app.db, 'SELECT r.* FROM einvoice_records r JOIN documents d ON d.id = r.document_id WHERE d.number = ? ORDER BY r.id').all(number) as EinvoiceRow[];
    const alta = rows.find((r) => r.kind === 'alta');
    if (!alta) throw new TpvError('not_found', 'einvoice.no_record', { number });
    if (rows.some((r) => r.kind === 'anulacion')) throw new TpvError('conflict', 'einvoice.already_cancelled', { number });
    const previous = chainHead(app.db);
    const record = withHuella<RegistroAnulacion>({
      kind: 'anulacion',
      id: (JSON.parse(alta.record) as RegistroAlta).id,
      anterior: anteriorOf(previous),
      sistema: sistema(app),
      fechaHoraHusoGenRegistro: generatedAt(app, previous, app.now()),
      huella: '',
    });
    insertRecord(app, alta.document_id, record, previous);
    auditLog(app.db, app.now(), actor.id, 'einvoice.cancel', { number, huella: record.huella });
    return record;
  });
}

/** The first record whose huella or link does not hold, with why; undefined when the whole chain holds. */
export interface ChainBreak {
  id: number;
  number: string;
  reason: 'huella' | 'link' | 'time';
}

/** Recomputes every record's huella and link, in chain order (`tpv einvoice verify`). */
export function verifyChain(db: Sqlite): { records: number; head: string | null; broken?: ChainBreak } {
  const rows = db.prepare('SELECT * FROM einvoice_records ORDER BY id').iterate() as IterableIterator<EinvoiceRow>;
  let prev: EinvoiceRow | undefined;
  let n = 0;
  for (const row of rows) {
    n++;
    const r = JSON.parse(row.record) as Registro;
    const broken = (reason: ChainBreak['reason']) => ({ records: n, head: prev?.huella ?? null, broken: { id: row.id, number: r.id.numSerie, reason } });
    if (!huellaMatches(r) || r.huella !== row.huella) return broken('huella');
    const expected = prev ? anteriorOf(prev) : null;
    if (JSON.stringify(r.anterior) !== JSON.stringify(expected) || row.prev_huella !== (prev?.huella ?? null)) return broken('link');
    if (prev && Date.parse(r.fechaHoraHusoGenRegistro) < Date.parse(prev.generated_at)) return broken('time');
    prev = row;
  }
  return { records: n, head: prev?.huella ?? null };
}

export const EINVOICE_STATES = ['pending', 'sent', 'accepted', 'accepted_with_errors', 'rejected'] as const;
export type EinvoiceState = (typeof EINVOICE_STATES)[number];

/** A record as `tpv einvoice list|show` shows it: its document, type, time, huella and last state. */
export interface RecordView {
  id: number;
  number: string;
  tipo: string | null;
  kind: 'alta' | 'anulacion';
  generated_at: string;
  huella: string;
  state: EinvoiceState;
  code: string | null;
  description: string | null;
}

const VIEW = `SELECT r.id, d.number, r.tipo, r.kind, r.generated_at, r.huella, s.state, s.code, s.description
  FROM einvoice_records r JOIN documents d ON d.id = r.document_id
  JOIN einvoice_states s ON s.id = (SELECT max(id) FROM einvoice_states WHERE record_id = r.id)`;

/** The records, in chain order, of one state or all. */
export function listRecords(db: Sqlite, state?: EinvoiceState): RecordView[] {
  return state ? (db.prepare(`${VIEW} WHERE s.state = ? ORDER BY r.id`).all(state) as RecordView[]) : (db.prepare(`${VIEW} ORDER BY r.id`).all() as RecordView[]);
}

/** A document's record as `tpv einvoice show` shows it: every state it went through, its XML and the QR's URL. */
export interface RecordShown {
  view: RecordView;
  record: Registro;
  states: { at: string; state: EinvoiceState; code: string | null; description: string | null; csv: string | null }[];
  xml: string;
  qr: string | null;
}

/** One document's records (its alta, and an anulación if it was cancelled). The XML builder is loaded only here. */
export async function showRecords(app: App, number: string): Promise<RecordShown[]> {
  const { db } = app;
  const views = db.prepare(`${VIEW} WHERE d.number = ? ORDER BY r.id`).all(number) as RecordView[];
  if (views.length === 0) throw new TpvError('not_found', 'einvoice.no_record', { number });
  const { registroXml } = await import('../einvoice/verifactu/xml.js');
  return views.map((view) => {
    const record = JSON.parse(db.prepare('SELECT record FROM einvoice_records WHERE id = ?').pluck().get(view.id) as string) as Registro;
    return {
      view,
      record,
      states: db.prepare('SELECT at, state, code, description, csv FROM einvoice_states WHERE record_id = ? ORDER BY id').all(view.id) as RecordShown['states'],
      xml: registroXml(record),
      qr: record.kind === 'alta' ? qrUrl(app.profile.einvoiceEnv, record.id, record.importeTotal) : null,
    };
  });
}

/** The newest state row's id: a cheap way to tell that a record was made or answered since last looked (the cashier terminal's counts). */
export function lastStateId(app: App): number {
  return (prepared(app.db, 'SELECT coalesce(max(id), 0) FROM einvoice_states').pluck().get() as number);
}

/** `tpv einvoice status`: the scheme, the environment, the chain's head and the queue by state. */
export function einvoiceStatus(app: App): { scheme: string; env: string; records: number; head: { number: string; huella: string; generated_at: string } | null; queue: Record<EinvoiceState, number> } {
  const queue = Object.fromEntries(EINVOICE_STATES.map((s) => [s, 0])) as Record<EinvoiceState, number>;
  const counts = app.db
    .prepare('SELECT s.state, count(*) AS n FROM einvoice_records r JOIN einvoice_states s ON s.id = (SELECT max(id) FROM einvoice_states WHERE record_id = r.id) GROUP BY s.state')
    .all() as { state: EinvoiceState; n: number }[];
  for (const c of counts) queue[c.state] = c.n;
  const head = chainHead(app.db);
  const records = app.db.prepare('SELECT count(*) FROM einvoice_records').pluck().get() as number;
  return {
    scheme: app.profile.einvoiceScheme,
    env: app.profile.einvoiceEnv,
    records,
    head: head ? { number: (JSON.parse(head.record) as RegistroAlta).id.numSerie, huella: head.huella, generated_at: head.generated_at } : null,
    queue,
  };
}

/**
 * The URL of the QR a document's paper carries (the AEAT's QR spec), from its registro de alta;
 * null when it has none (the scheme off when it was issued, a Z report, a voucher-only receipt). A
 * reprint carries the QR its record holds, whatever the scheme is now.
 */
export function qrUrlOf(app: App, documentId: number): string | null {
  const row = prepared(app.db, "SELECT record FROM einvoice_records WHERE document_id = ? AND kind = 'alta' ORDER BY id LIMIT 1").pluck().get(documentId) as string | undefined;
  if (row === undefined) return null;
  const r = JSON.parse(row) as RegistroAlta;
  return qrUrl(app.profile.einvoiceEnv, r.id, r.importeTotal);
}
