/** Customers: name, tax id (checked by the country's rules), contact; `tpv customers …`. */
import { CsvReader, csvText, detectDelimiter } from '../core/csv.js';
import { type MessageKey, type Problem, TpvError } from '../core/errors.js';
import { problemError, showParams } from '../core/money.js';
import { normalizeTaxId, TAX_ID_CHECK_PROBLEMS, UNVERIFIED, validateTaxId } from '../core/taxid.js';
import { optionalText, storedText } from '../core/text.js';
import { t } from '../i18n/index.js';
import { readTextFile } from './files.js';
import { type Approver, authorize, type UserRow } from './auth.js';
import { type App, inTransaction } from './context.js';
import { customerPayload } from './events.js';
import { uuidv7 } from './ids.js';
import { appendEvent } from './outbox.js';

export interface CustomerInput {
  name?: string;
  taxId?: string | null;
  country?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  /**
   * Keep a tax id whose check digit fails (the tax office did issue it: Ecuador's SRI does not
   * guarantee the modulo 11 of company RUCs). Its kind shows as `unverified`. A wrong format is never kept.
   * (A Mexican RFC whose check digit fails is kept as `unverified` without it: the SAT issues such RFCs.)
   */
  acceptTaxId?: boolean;
}

/** Why a tax id is `unverified`: the problem its country's rules found (locale-free, as in `--json` errors). */
export interface TaxIdWarning {
  code: MessageKey;
  params: Record<string, string | number>;
}

export interface Customer {
  id: number;
  name: string;
  tax_id: string | null;
  tax_id_kind: string | null;
  /** Set when `tax_id_kind` is `unverified`: the rule the tax id fails. */
  tax_id_warning: TaxIdWarning | null;
  country: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  created_at: string;
}

type Row = Omit<Customer, 'tax_id_kind' | 'tax_id_warning'>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface CheckedCustomer {
  name: string;
  taxId: string | null;
  kind: string | null;
  /** Set when the tax id is kept `unverified`. */
  warning: TaxIdWarning | null;
  country: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
}

const warningOf = (p: Problem): TaxIdWarning => ({ code: p.code, params: showParams(p.params, 0) });

/**
 * Validates the fields of a customer: every text bounded and free of control characters
 * (core/text.ts), the tax id with its country's real check rules. A tax id that cannot be
 * verified but is kept (a Mexican RFC whose check digit fails; a check digit overridden with
 * `acceptTaxId`) comes back with kind `unverified` and the rule it fails in `warning`.
 */
export function checkCustomer(input: CustomerInput, current?: Row): CheckedCustomer {
  const name = storedText(input.name ?? current?.name ?? '', 'name', 'name');
  if (!name) throw new TpvError('invalid', 'customer.name_empty', { field: 'name' });
  const country = (input.country !== undefined ? input.country : (current?.country ?? null))?.trim().toUpperCase() || null;
  if (country !== null && !/^[A-Z]{2}$/.test(country)) throw new TpvError('invalid', 'customer.country', { field: 'country', value: country });
  const rawTax = input.taxId !== undefined ? input.taxId : (current?.tax_id ?? null);
  let taxId: string | null = null;
  let kind: string | null = null;
  let warning: TaxIdWarning | null = null;
  if (current && input.taxId === undefined && input.country === undefined) {
    // unchanged: kept as stored (an id once accepted unverified does not block a new e-mail)
    taxId = current.tax_id;
  } else if (rawTax !== null && rawTax.trim() !== '') {
    storedText(rawTax, 'code', 'tax_id');
    const r = validateTaxId(country ?? '', rawTax);
    if (r.ok) {
      taxId = r.value.normalized;
      kind = r.value.kind;
      warning = r.value.warning ? warningOf(r.value.warning) : null;
    } else if (input.acceptTaxId && TAX_ID_CHECK_PROBLEMS.includes(r.problem.code)) {
      taxId = normalizeTaxId(rawTax);
      kind = UNVERIFIED;
      warning = warningOf(r.problem);
    } else {
      throw problemError('invalid', r.problem, 0, { field: 'tax_id', value: rawTax });
    }
  }
  const email = optionalText(input.email !== undefined ? input.email : (current?.email ?? null), 'email', 'email');
  if (email !== null && !EMAIL.test(email)) throw new TpvError('invalid', 'customer.email', { field: 'email', value: email });
  const phone = optionalText(input.phone !== undefined ? input.phone : (current?.phone ?? null), 'phone', 'phone');
  const address = optionalText(input.address !== undefined ? input.address : (current?.address ?? null), 'address', 'address');
  return { name, taxId, kind, warning, country, email, phone, address };
}

/**
 * A customer as scripts see it (its uid names it in outbox events only). Whether its tax id is
 * verified is not stored: its country's rules say it again on every read (no schema change).
 */
function view(stored: Row & { uid?: string }): Customer {
  const r: Row = { id: stored.id, name: stored.name, country: stored.country, tax_id: stored.tax_id, email: stored.email, phone: stored.phone, address: stored.address, created_at: stored.created_at };
  if (!r.tax_id) return { ...r, tax_id_kind: null, tax_id_warning: null };
  const v = validateTaxId(r.country ?? '', r.tax_id);
  if (!v.ok) return { ...r, tax_id_kind: UNVERIFIED, tax_id_warning: warningOf(v.problem) };
  return { ...r, tax_id_kind: v.value.kind, tax_id_warning: v.value.warning ? warningOf(v.value.warning) : null };
}

/** Tells the user (stderr in the CLI) that a tax id was kept without being verified, and why. */
function noticeUnverified(app: App, c: CheckedCustomer, line?: number): void {
  if (!c.warning || c.taxId === null) return;
  const reason = t(c.warning.code, c.warning.params);
  if (line === undefined) app.notice({ code: 'customer.tax_id_unverified', params: { tax_id: c.taxId, reason } });
  else app.notice({ code: 'customer.import_tax_id_unverified', params: { line, tax_id: c.taxId, reason } });
}

function insert(app: App, c: CheckedCustomer): number {
  if (c.taxId !== null) {
    const other = app.db.prepare('SELECT id FROM customers WHERE country IS ? AND tax_id = ?').pluck().get(c.country, c.taxId) as number | undefined;
    if (other !== undefined) throw new TpvError('conflict', 'customer.exists', { tax_id: c.taxId, id: other });
  }
  const now = app.now();
  return Number(
    app.db
      .prepare('INSERT INTO customers (uid, name, country, tax_id, email, phone, address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(uuidv7(now), c.name, c.country, c.taxId, c.email, c.phone, c.address, now.toISOString()).lastInsertRowid,
  );
}

export function addCustomer(app: App, input: CustomerInput): Customer {
  const c = checkCustomer({ ...input, country: input.country ?? (app.profile.country || null) });
  const customer = inTransaction(app, () => {
    const id = insert(app, c);
    appendEvent(app, 'customers', { customers: [customerPayload(app, id)] });
    return findCustomer(app, String(id));
  });
  noticeUnverified(app, c);
  return customer;
}

/**
 * By id, or by tax id (any spelling: B-12345674, b12345674; NL4495445B01 finds NL004495445B01,
 * the store's country's VAT prefix may be left out).
 */
export function findCustomer(app: App, key: string): Customer {
  const k = key.trim();
  let row: Row | undefined;
  if (/^[0-9]+$/.test(k)) row = app.db.prepare('SELECT * FROM customers WHERE id = ?').get(Number(k)) as Row | undefined;
  if (!row) {
    const normalized = normalizeTaxId(k);
    const v = validateTaxId(app.profile.country, k);
    const canonical = v.ok ? v.value.normalized : normalized;
    row = app.db
      .prepare('SELECT * FROM customers WHERE tax_id IN (?, ?, ?) ORDER BY id LIMIT 1')
      .get(normalized, app.profile.country + normalized, canonical) as Row | undefined;
  }
  if (!row) throw new TpvError('not_found', 'customer.not_found', { key });
  return view(row);
}

export function setCustomer(app: App, key: string, input: CustomerInput): Customer {
  let checked: CheckedCustomer | null = null;
  const customer = inTransaction(app, () => {
    const current = findCustomer(app, key);
    const c = checkCustomer(input, current);
    checked = c;
    if (c.taxId !== null) {
      const other = app.db.prepare('SELECT id FROM customers WHERE country IS ? AND tax_id = ? AND id != ?').pluck().get(c.country, c.taxId, current.id) as number | undefined;
      if (other !== undefined) throw new TpvError('conflict', 'customer.exists', { tax_id: c.taxId, id: other });
    }
    app.db
      .prepare('UPDATE customers SET name = ?, country = ?, tax_id = ?, email = ?, phone = ?, address = ? WHERE id = ?')
      .run(c.name, c.country, c.taxId, c.email, c.phone, c.address, current.id);
    appendEvent(app, 'customers', { customers: [customerPayload(app, current.id)] });
    return findCustomer(app, String(current.id));
  });
  if (checked) noticeUnverified(app, checked); // (a tax id left as it was has no warning: checkCustomer keeps it)
  return customer;
}

export function listCustomers(app: App, search?: string, limit = 100): Customer[] {
  const rows = (search
    ? app.db.prepare("SELECT * FROM customers WHERE name LIKE '%' || ? || '%' OR tax_id LIKE ? || '%' ORDER BY name LIMIT ?").all(search, search.toUpperCase(), limit)
    : app.db.prepare('SELECT * FROM customers ORDER BY name LIMIT ?').all(limit)) as Row[];
  return rows.map(view);
}

type Field = 'name' | 'tax_id' | 'country' | 'email' | 'phone' | 'address';

/** A tax id an import kept `unverified`: its line, the id as stored and why. */
export interface UnverifiedRow {
  line: number;
  tax_id: string;
  warning: TaxIdWarning;
}

export interface ImportCustomersOptions {
  /** As `CustomerInput.acceptTaxId`, for every row: one unverifiable id never blocks a whole file. */
  acceptTaxId?: boolean;
}

/**
 * Imports customers from CSV (name,tax_id,country,email,phone,address; delimiter detected):
 * all-or-nothing, every bad row listed with its line and field. The tax ids kept `unverified`
 * (an RFC whose check digit fails; with `acceptTaxId`, any failed check digit) are listed too.
 */
export function importCustomers(
  app: App,
  actor: UserRow,
  path: string,
  approver?: Approver,
  opts: ImportCustomersOptions = {},
): { created: number; unverified: UnverifiedRow[]; errors: { line: number; field: string; code: MessageKey; params: Record<string, string | number> }[] } {
  authorize(app, actor, 'manage_catalog', approver);
  const text = readTextFile(path).replace(/^\uFEFF/, '');
  const reader = new CsvReader(detectDelimiter(text));
  const records = [...reader.push(text), ...reader.end()];
  const header = (records.shift()?.fields ?? []).map((h) => h.trim().toLowerCase());
  if (!header.includes('name')) throw new TpvError('invalid', 'customer.name_column', { found: header.join(', ') });
  const errors: { line: number; field: string; code: MessageKey; params: Record<string, string | number> }[] = [];
  const rows: { line: number; c: CheckedCustomer }[] = [];
  const country = app.profile.country || null;
  for (const r of records) {
    if (r.fields.length === 1 && r.fields[0]!.trim() === '') continue;
    const cell = (f: Field): string | undefined => {
      const i = header.indexOf(f);
      return i === -1 || r.fields[i] === undefined ? undefined : csvText(r.fields[i]);
    };
    try {
      rows.push({
        line: r.line,
        c: checkCustomer({
          name: cell('name') ?? '',
          taxId: cell('tax_id') ?? null,
          country: cell('country') || country,
          email: cell('email') ?? null,
          phone: cell('phone') ?? null,
          address: cell('address') ?? null,
          ...(opts.acceptTaxId ? { acceptTaxId: true } : {}),
        }),
      });
    } catch (e) {
      if (!(e instanceof TpvError)) throw e;
      errors.push({ line: r.line, field: String(e.params.field ?? '-'), code: e.code, params: e.params });
    }
  }
  if (errors.length) throw new TpvError('invalid', 'customer.import_rejected', { rejected: errors.length }, { errors });
  const created = inTransaction(app, () => {
    const ids = rows.map((r) => {
      try {
        return insert(app, r.c);
      } catch (e) {
        if (e instanceof TpvError) throw new TpvError(e.kind, e.code, { ...e.params, line: r.line }, e.details);
        throw e;
      }
    });
    if (ids.length) appendEvent(app, 'customers', { customers: ids.map((id) => customerPayload(app, id)) });
    return rows.length;
  });
  const unverified: UnverifiedRow[] = [];
  for (const r of rows) {
    if (!r.c.warning || r.c.taxId === null) continue;
    unverified.push({ line: r.line, tax_id: r.c.taxId, warning: r.c.warning });
    noticeUnverified(app, r.c, r.line);
  }
  return { created, unverified, errors };
}
