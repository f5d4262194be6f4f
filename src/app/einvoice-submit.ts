/**
 * The store's certificate and the submission of its VERI*FACTU records to the AEAT
 * (docs/einvoice.md): `tpv einvoice setup --cert`, `submit`, `fix` and `run`.
 *
 * The certificate: a .p12 opened once with its password at setup, checked (readable, the right
 * password, a private key with its certificate, valid now, naming the store's NIF) and kept as PEM
 * in `<db>.einvoice.pem` (mode 0600, written whole), so the background submission needs no
 * password. The key is never printed.
 *
 * The submission: the records whose last state is pending or sent, in chain order, at most 1,000 a
 * request, each marked `sent` before the request; the answer appends each record's outcome
 * (accepted, accepted_with_errors, rejected, with code, description and CSV), and the request
 * itself goes into einvoice_submissions with the AEAT's TiempoEsperaEnvio: the next one waits for
 * it. No database transaction is ever open while the request is under way, so selling goes on; a
 * failure leaves the records sent (or pending), to be sent again — the AEAT answers a record it
 * already holds as a duplicate, which then counts as accepted (but a duplicate of a record never
 * sent before is a number held by another record: rejected). Rejected records are only sent again
 * by `fix` (subsanación).
 *
 * Where to: VERIFACTU_ENDPOINTS[einvoice.env], or a technician's test server given by
 * TPV_EINVOICE_ENDPOINT (an https:// URL) and TPV_EINVOICE_CA (a PEM file with the CA that signed
 * its certificate), read by the command.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { jitteredBackoff } from '../core/backoff.js';
import { TpvError } from '../core/errors.js';
import { isoWithOffset } from '../core/time.js';
import { immediate, prepared } from '../db/connection.js';
import type { CertificateInfo, StoreCertificate } from '../einvoice/verifactu/cert.js';
import type { Registro, RegistroAlta } from '../einvoice/verifactu/record.js';
import type { Respuesta, RespuestaLinea } from '../einvoice/verifactu/response.js';
import type { App } from './context.js';
import { type EinvoiceState, einvoiceStatus } from './einvoice.js';
import { fileError, writeFileWhole } from './files.js';

/** Where the store's certificate and key live: beside the database, mode 0600. */
export const certPath = (dbPath: string): string => `${dbPath}.einvoice.pem`;
/** Held while a submission is under way (the daemon and a `tpv einvoice submit` never send at once). */
const lockPath = (dbPath: string): string => `${dbPath}.einvoice.lock`;

/** A .p12 is a few KiB; anything much larger is not one. */
const P12_LIMIT = 1024 * 1024;
/** The answer to 1,000 records is ~1 MiB; a larger one is not the AEAT's. */
const ANSWER_LIMIT = 16 * 1024 * 1024;
/** How long a request may take, connection to last byte. */
export const REQUEST_TIMEOUT_MS = 120_000;
/** At most this many records a request (SuministroLR.xsd: RegistroFactura maxOccurs 1000). */
const MAX_REGISTROS = 1000;

const loadCert = () => import('../einvoice/verifactu/cert.js');

// ── the certificate ─────────────────────────────────────────────────────────────────────────────

/**
 * Opens a .p12 with its password and checks it for this store (at the store's clock): each
 * problem its own error naming it. Nothing is written: see {@link saveCertificate}.
 */
export async function readCertificate(app: App, file: string, password: string): Promise<StoreCertificate> {
  let bytes: Buffer;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR', path: file });
    if (st.size > P12_LIMIT) throw new TpvError('invalid', 'input.too_large', { what: file, limit: '1 MiB' });
    bytes = readFileSync(file);
  } catch (e) {
    throw e instanceof TpvError ? e : fileError(e, file);
  }
  const { openP12, checkCertificate } = await loadCert();
  const cert = openP12(bytes, password, file);
  checkCertificate(cert.info, app.profile.taxId, app.now(), 'invalid');
  return cert;
}

/** Writes the key and certificate whole (a temp file, fsynced, renamed over the old one), mode 0600. */
export function saveCertificate(app: App, cert: StoreCertificate): string {
  const path = certPath(app.path);
  writeFileWhole(path, cert.keyPem + cert.certPem);
  return path;
}

interface KeyPair {
  key: string;
  cert: string;
  info: CertificateInfo;
}

/** The certificate in place, or undefined when there is none. A damaged file is an error naming it. */
async function storedCertificate(app: App): Promise<KeyPair | undefined> {
  const path = certPath(app.path);
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fileError(e, path);
  }
  const key = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----\r?\n?/.exec(text)?.[0];
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/g);
  if (!key || !certs) throw new TpvError('conflict', 'einvoice.cert_damaged', { path });
  const { describeCertificate } = await loadCert();
  let info: CertificateInfo;
  try {
    info = describeCertificate(certs[0]!);
  } catch {
    throw new TpvError('conflict', 'einvoice.cert_damaged', { path });
  }
  return { key, cert: certs.join(''), info };
}

/** The certificate as `tpv einvoice status` shows it (never the key). */
export interface CertificateStatus {
  subject: string;
  nifs: string[];
  not_before: string;
  not_after: string;
  expired: boolean;
  path: string;
}

export async function certificateStatus(app: App): Promise<CertificateStatus | null> {
  const c = await storedCertificate(app);
  if (!c) return null;
  return { subject: c.info.subject, nifs: c.info.nifs, not_before: c.info.notBefore, not_after: c.info.notAfter, expired: app.now().getTime() > Date.parse(c.info.notAfter), path: certPath(app.path) };
}

// ── submissions ─────────────────────────────────────────────────────────────────────────────────

/** One request to the AEAT as einvoice_submissions keeps it. */
export interface SubmissionRow {
  id: number;
  at: string;
  records: number;
  estado_envio: string | null;
  csv: string | null;
  wait_seconds: number | null;
  error: string | null;
}

/** The last answered request's waiting time: no request before `next`. */
function waitUntil(app: App): { next: Date; row: SubmissionRow } | undefined {
  const row = prepared(app.db, 'SELECT * FROM einvoice_submissions WHERE wait_seconds IS NOT NULL ORDER BY id DESC LIMIT 1').get() as SubmissionRow | undefined;
  if (!row) return undefined;
  return { next: new Date(Date.parse(row.at) + row.wait_seconds! * 1000), row };
}

/** `tpv einvoice status`: what einvoiceStatus says, the certificate, the last request and when the next may go. */
export async function einvoiceFullStatus(app: App): Promise<
  ReturnType<typeof einvoiceStatus> & { certificate: CertificateStatus | null; last_submission: SubmissionRow | null; next_submission_at: string | null }
> {
  const base = einvoiceStatus(app);
  const last = (prepared(app.db, 'SELECT * FROM einvoice_submissions ORDER BY id DESC LIMIT 1').get() as SubmissionRow | undefined) ?? null;
  const wait = waitUntil(app);
  const next = wait && wait.next.getTime() > app.now().getTime() ? isoWithOffset(wait.next, app.profile.timezone) : null;
  return { ...base, certificate: await certificateStatus(app), last_submission: last, next_submission_at: next };
}

export interface SubmitOptions {
  /** The service's URL (https://); default VERIFACTU_ENDPOINTS[einvoice.env]. */
  endpoint?: string;
  /** The CA certificate(s), PEM, that the endpoint's certificate must chain to; default the system's. */
  ca?: string | Buffer;
  /** The clock; default the app's. */
  now?: () => Date;
  /** Per request; default {@link REQUEST_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** What a submission did, by outcome. */
export interface SubmitResult {
  /** Requests answered. */
  requests: number;
  /** Records sent. */
  records: number;
  accepted: number;
  accepted_with_errors: number;
  rejected: number;
  /** Sent but not in the answer: they stay sent and go again. */
  unanswered: number;
  /** The CSV of each answered request that had one. */
  csv: string[];
  /** The records refused or accepted with errors, with the AEAT's code and description. */
  problems: { number: string; state: EinvoiceState; code: string | null; description: string | null }[];
  /** Records left in the queue for the next submission (the AEAT's waiting time), and when it may go. */
  remaining: number;
  next_at: string | null;
}

interface Queued {
  id: number;
  record: string;
  state: EinvoiceState;
}

const QUEUE = `SELECT r.id, r.record, s.state FROM einvoice_records r
  JOIN einvoice_states s ON s.id = (SELECT max(id) FROM einvoice_states WHERE record_id = r.id)
  WHERE s.state IN ('pending', 'sent') ORDER BY r.id`;

const queued = (app: App): number => (app.db.prepare(`SELECT count(*) FROM (${QUEUE})`).pluck().get() as number) ?? 0;

/** What is needed before anything goes: the scheme on, the store's NIF, a valid certificate, the endpoint. */
async function prepare(app: App, o: SubmitOptions, now: Date): Promise<{ pair: KeyPair; url: URL; obligado: { nombreRazon: string; nif: string } }> {
  const p = app.profile;
  if (p.einvoiceScheme !== 'verifactu') throw new TpvError('conflict', 'einvoice.scheme_off');
  if (!p.taxId) throw new TpvError('invalid', 'einvoice.no_tax_id', { field: 'store.tax_id' });
  const pair = await storedCertificate(app);
  if (!pair) throw new TpvError('conflict', 'einvoice.no_certificate', { path: certPath(app.path) });
  const { checkCertificate } = await loadCert();
  checkCertificate(pair.info, p.taxId, now, 'conflict');
  const { VERIFACTU_ENDPOINTS } = await import('../einvoice/verifactu/xml.js');
  const endpoint = o.endpoint ?? VERIFACTU_ENDPOINTS[p.einvoiceEnv];
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TpvError('usage', 'einvoice.bad_endpoint', { value: endpoint });
  }
  if (url.protocol !== 'https:') throw new TpvError('usage', 'einvoice.bad_endpoint', { value: endpoint });
  return { pair, url, obligado: { nombreRazon: p.legalName || p.name, nif: p.taxId } };
}

/** Refuses to send before the AEAT's waiting time is over, naming when (unless a full request of 1,000 is waiting). */
function checkWait(app: App, now: Date, waiting: number): void {
  const wait = waitUntil(app);
  if (!wait || now.getTime() >= wait.next.getTime() || waiting >= MAX_REGISTROS) return;
  const seconds = Math.ceil((wait.next.getTime() - now.getTime()) / 1000);
  const at = isoWithOffset(wait.next, app.profile.timezone);
  throw new TpvError('conflict', 'einvoice.wait', { at, seconds }, { next_at: at, seconds, wait_seconds: wait.row.wait_seconds });
}

/** One submission at a time per database: a lock file naming its process; a dead process's lock is taken over. */
function lock(app: App): () => void {
  const path = lockPath(app.path);
  const token = `${process.pid} ${Date.now()} ${Math.random()}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, token);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === token) rmSync(path, { force: true });
        } catch {
          // gone already
        }
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw fileError(e, path);
    }
    let pid = 0;
    try {
      pid = Number(readFileSync(path, 'utf8').split(' ')[0]);
    } catch {
      continue; // released meanwhile
    }
    if (pid > 0 && alive(pid)) throw new TpvError('conflict', 'einvoice.busy', { pid, path });
    rmSync(path, { force: true });
  }
  throw new TpvError('conflict', 'einvoice.busy', { pid: '?', path });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * The state an answer line gives a record, with what to keep of it. A duplicate (code 3000) of a
 * record sent before without an answer is that very record arriving twice: the AEAT holds it, its
 * state is the held one's. A duplicate of a record never sent before means another record holds
 * that number at the AEAT (a number reused: a database restored from an old backup, another
 * system with the same series): rejected, for a person to look at.
 */
function outcome(l: RespuestaLinea, resent: boolean, isDuplicate: (l: RespuestaLinea) => boolean): { state: EinvoiceState; code: string | null; description: string | null } {
  const code = l.codigo ?? null;
  const description = l.descripcion ?? null;
  if (isDuplicate(l)) {
    const held = l.duplicado;
    const note = held ? `${description ?? ''} (IdPeticion ${held.idPeticion}, ${held.estado})`.trim() : description;
    if (!resent) return { state: 'rejected', code, description: note };
    if (!held || held.estado === 'Correcta') return { state: 'accepted', code, description: note };
    if (held.estado === 'AceptadaConErrores') return { state: 'accepted_with_errors', code: held.codigo ?? code, description: held.descripcion ?? note };
    return { state: 'rejected', code, description: note };
  }
  if (l.estado === 'Correcto') return { state: 'accepted', code, description };
  if (l.estado === 'AceptadoConErrores') return { state: 'accepted_with_errors', code, description };
  return { state: 'rejected', code, description };
}

/** A record as an answer line names it: the invoice and the operation (a document's alta and anulación may go in one request). */
const idKey = (operacion: string, idEmisor: string, numSerie: string, fecha: string): string => `${operacion}\u0000${idEmisor}\u0000${numSerie}\u0000${fecha}`;

/** The text of a failure, for the submission's row and the message. */
const reasonOf = (e: unknown): string => {
  const err = e as { code?: string; message?: string };
  const text = err.message ?? String(e);
  return err.code && !text.includes(err.code) ? `${err.code}: ${text}` : text;
};

/** POST of a SOAP 1.1 message over mutual TLS; the body as text, whatever the HTTP status (a SOAP Fault is a 500). */
async function post(url: URL, body: string, pair: KeyPair, ca: string | Buffer | undefined, timeoutMs: number, contentType: string, soapAction: string): Promise<{ status: number; text: string }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        key: pair.key,
        cert: pair.cert,
        ...(ca !== undefined ? { ca } : {}),
        agent: false,
        timeout: timeoutMs,
        headers: { 'Content-Type': contentType, SOAPAction: `"${soapAction}"`, 'Content-Length': Buffer.byteLength(body) },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > ANSWER_LIMIT) req.destroy(new Error(`answer larger than ${ANSWER_LIMIT} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('close', () => {
          if (res.complete) resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          else reject(Object.assign(new Error('the connection was cut before the whole answer came'), { code: 'ECONNRESET' }));
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

interface Batch {
  /** `resent`: sent before and never answered (a duplicate then is this very record). */
  rows: { id: number; record: Registro; resent: boolean }[];
}

/**
 * Sends one request and records its outcome. `sent` is appended first, in its own short
 * transaction; the request runs with no transaction open; the answer is recorded in another.
 * A failure records the request with its error and throws (network → exit 7, the AEAT refusing the
 * message → exit 5); the records stay sent.
 */
async function sendBatch(app: App, now: () => Date, ctx: Awaited<ReturnType<typeof prepare>>, o: SubmitOptions, batch: Batch, result: SubmitResult): Promise<Respuesta> {
  const [{ envelope, SOAP_CONTENT_TYPE, SOAP_ACTION }, response] = await Promise.all([import('../einvoice/verifactu/xml.js'), import('../einvoice/verifactu/response.js')]);
  const body = envelope(
    ctx.obligado,
    batch.rows.map((r) => r.record),
  );
  const sentAt = now().toISOString();
  immediate(app.db, () => {
    const st = prepared(app.db, "INSERT INTO einvoice_states (record_id, at, state) VALUES (?, ?, 'sent')");
    for (const r of batch.rows) st.run(r.id, sentAt);
  });
  const fail = (error: string): void => {
    immediate(app.db, () => {
      prepared(app.db, 'INSERT INTO einvoice_submissions (at, records, error) VALUES (?, ?, ?)').run(now().toISOString(), batch.rows.length, error);
    });
  };
  const endpoint = ctx.url.origin + ctx.url.pathname;
  let answer: { status: number; text: string };
  try {
    answer = await post(ctx.url, body, ctx.pair, o.ca, o.timeoutMs ?? REQUEST_TIMEOUT_MS, SOAP_CONTENT_TYPE, SOAP_ACTION);
  } catch (e) {
    const reason = reasonOf(e);
    fail(reason);
    throw new TpvError('network', 'einvoice.network', { endpoint, reason, records: batch.rows.length }, { ...result, endpoint, reason });
  }
  let parsed;
  try {
    parsed = response.parseRespuesta(answer.text);
  } catch (e) {
    const reason = `HTTP ${answer.status}: ${e instanceof Error ? e.message : String(e)}`;
    fail(reason);
    throw new TpvError('network', 'einvoice.bad_answer', { endpoint, reason }, { ...result, endpoint, reason });
  }
  if (response.isFault(parsed)) {
    const f = parsed.fault;
    fail(`SOAP fault ${f.code}${f.codigo ? ` ${f.codigo}` : ''}: ${f.message}`);
    // Server: the AEAT's side failed, send again later; Client: the message itself is refused
    const kind = f.code === 'Client' ? 'conflict' : 'network';
    throw new TpvError(kind, 'einvoice.fault', { code: f.codigo ?? f.code, message: f.message }, { ...result, fault: f });
  }
  const byId = new Map(batch.rows.map((r) => [idKey(r.record.kind === 'alta' ? 'Alta' : 'Anulacion', r.record.id.idEmisor, r.record.id.numSerie, r.record.id.fechaExpedicion), r]));
  const at = now().toISOString();
  immediate(app.db, () => {
    prepared(app.db, 'INSERT INTO einvoice_submissions (at, records, estado_envio, csv, wait_seconds) VALUES (?, ?, ?, ?, ?)').run(
      at,
      batch.rows.length,
      parsed.estadoEnvio,
      parsed.csv ?? null,
      parsed.tiempoEsperaEnvio,
    );
    const st = prepared(app.db, 'INSERT INTO einvoice_states (record_id, at, state, code, description, csv) VALUES (?, ?, ?, ?, ?, ?)');
    let answered = 0;
    for (const l of parsed.lineas) {
      const key = idKey(l.operacion, l.idEmisor, l.numSerie, l.fechaExpedicion);
      const row = byId.get(key);
      if (!row) continue; // not ours: ignored
      byId.delete(key);
      answered++;
      const out = outcome(l, row.resent, response.isDuplicate);
      st.run(row.id, at, out.state, out.code, out.description, parsed.csv ?? null);
      result[out.state === 'accepted' ? 'accepted' : out.state === 'accepted_with_errors' ? 'accepted_with_errors' : 'rejected']++;
      if (out.state !== 'accepted') result.problems.push({ number: row.record.id.numSerie, state: out.state, code: out.code, description: out.description });
    }
    result.unanswered += batch.rows.length - answered;
  });
  result.requests++;
  result.records += batch.rows.length;
  if (parsed.csv) result.csv.push(parsed.csv);
  return parsed;
}

const emptyResult = (): SubmitResult => ({ requests: 0, records: 0, accepted: 0, accepted_with_errors: 0, rejected: 0, unanswered: 0, csv: [], problems: [], remaining: 0, next_at: null });

/**
 * Sends the queue (records pending or sent, in chain order), 1,000 a request, honouring the AEAT's
 * TiempoEsperaEnvio: another request goes at once only when a full one is waiting; what is left
 * waits for the next call (`remaining`, `next_at`). Refused before the waiting time is over.
 */
export async function submitPending(app: App, o: SubmitOptions = {}): Promise<SubmitResult> {
  const now = o.now ?? app.now;
  const ctx = await prepare(app, o, now());
  const result = emptyResult();
  if (queued(app) === 0) return result;
  const release = lock(app);
  try {
    for (;;) {
      const waiting = queued(app);
      if (waiting === 0) break;
      if (result.requests > 0 && waiting < MAX_REGISTROS) {
        // the AEAT's waiting time, unless a full request is ready
        const wait = waitUntil(app);
        if (wait && wait.next.getTime() > now().getTime()) {
          result.remaining = waiting;
          result.next_at = isoWithOffset(wait.next, app.profile.timezone);
          break;
        }
      }
      checkWait(app, now(), waiting);
      const rows = (app.db.prepare(`${QUEUE} LIMIT ${MAX_REGISTROS}`).all() as Queued[]).map((q) => ({ id: q.id, record: JSON.parse(q.record) as Registro, resent: q.state === 'sent' }));
      await sendBatch(app, now, ctx, o, { rows }, result);
      // records the answer left out stay sent: they go with the next call, not again in this loop
      if (result.unanswered > 0) {
        result.remaining = queued(app);
        break;
      }
    }
  } finally {
    release();
  }
  return result;
}

/** `tpv einvoice fix NUMBER`: a rejected or accepted-with-errors record sent again as a subsanación (the record itself unchanged). */
export async function fixRecord(app: App, number: string, o: SubmitOptions = {}): Promise<SubmitResult> {
  const now = o.now ?? app.now;
  const row = app.db
    .prepare(
      `SELECT r.id, r.record, s.state FROM einvoice_records r JOIN documents d ON d.id = r.document_id
       JOIN einvoice_states s ON s.id = (SELECT max(id) FROM einvoice_states WHERE record_id = r.id)
       WHERE d.number = ? AND r.kind = 'alta' ORDER BY r.id DESC LIMIT 1`,
    )
    .get(number) as Queued | undefined;
  if (!row) throw new TpvError('not_found', 'einvoice.no_record', { number });
  if (row.state !== 'rejected' && row.state !== 'accepted_with_errors') throw new TpvError('conflict', 'einvoice.not_fixable', { number, state: row.state });
  const ctx = await prepare(app, o, now());
  const release = lock(app);
  const result = emptyResult();
  try {
    checkWait(app, now(), 0);
    const record = JSON.parse(row.record) as RegistroAlta;
    // Subsanacion S, and RechazoPrevio S for a record the AEAT refused: flags of the message, not of the record (not in the huella)
    const resend: RegistroAlta = { ...record, subsanacion: true, ...(row.state === 'rejected' ? { rechazoPrevio: true } : {}) };
    await sendBatch(app, now, ctx, o, { rows: [{ id: row.id, record: resend, resent: false }] }, result);
  } finally {
    release();
  }
  return result;
}

// ── the daemon ──────────────────────────────────────────────────────────────────────────────────

export interface RunOptions extends SubmitOptions {
  /** Aborted: stop (a request under way finishes first, bounded by its timeout). */
  signal: AbortSignal;
  /** Seconds between looks at an empty queue; default 60 (the AEAT's initial waiting time). */
  idleSeconds?: number;
  /** Backoff after a failure: 5 s doubling up to this cap (default 900 s), with full jitter. */
  maxBackoffSeconds?: number;
  random?: () => number;
  onSent?: (r: SubmitResult, at: string) => void;
  onFailed?: (e: unknown, seconds: number, at: string) => void;
}

const BACKOFF_BASE_SECONDS = 5;

/** Seconds to wait after `failures` failures in a row: capped exponential, full jitter, at least 1 s. */
export function backoffSeconds(failures: number, cap: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(jitteredBackoff(failures - 1, BACKOFF_BASE_SECONDS, cap, random)));
}

/** Resolves after `seconds`, or at once when the signal is aborted. */
function pause(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    signal.addEventListener('abort', done);
  });
}

/**
 * `tpv einvoice run`: submits, then waits — the AEAT's TiempoEsperaEnvio when records wait, a
 * look every `idleSeconds` when none do, a capped exponential backoff with jitter after a failure
 * (the AEAT down, no certificate…) — until the signal. Returns the totals.
 */
export async function runSubmitter(app: App, o: RunOptions): Promise<SubmitResult> {
  const now = o.now ?? app.now;
  const idle = o.idleSeconds ?? 60;
  const cap = o.maxBackoffSeconds ?? 900;
  const totals = emptyResult();
  let failures = 0;
  while (!o.signal.aborted) {
    let seconds: number;
    try {
      const r = await submitPending(app, o);
      failures = 0;
      for (const k of ['requests', 'records', 'accepted', 'accepted_with_errors', 'rejected', 'unanswered'] as const) totals[k] += r[k];
      totals.csv.push(...r.csv);
      totals.problems.push(...r.problems);
      if (r.records > 0) o.onSent?.(r, isoWithOffset(now(), app.profile.timezone));
      const wait = waitUntil(app);
      const untilNext = wait ? Math.max(0, Math.ceil((wait.next.getTime() - now().getTime()) / 1000)) : 0;
      seconds = r.remaining > 0 ? Math.max(1, untilNext) : Math.max(idle, untilNext);
    } catch (e) {
      if (e instanceof TpvError && e.code === 'einvoice.wait') {
        seconds = Math.max(1, Number(e.params.seconds));
      } else {
        failures++;
        seconds = backoffSeconds(failures, cap, o.random);
        o.onFailed?.(e, seconds, isoWithOffset(now(), app.profile.timezone));
        // a bug is no reason to hammer the AEAT, nor to stop: it is logged and waited out like the rest
      }
    }
    await pause(seconds, o.signal);
  }
  return totals;
}
