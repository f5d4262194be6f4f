/** Customers: name, tax id (checked by the country's rules), contact; `tpv customers …`. */
import { CsvReader, csvText, detectDelimiter } from '../core/csv.js';
import { type MessageKey, TpvError } from '../core/errors.js';
import { problemError } from '../core/money.js';
import { normalizeTaxId, validateTaxId } from '../core/taxid.js';
import { optionalText, storedText } from '../core/text.js';
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
   */
  acceptTaxId?: boolean;
}

export interface Customer {
  id: number;
  name: string;
  tax_id: string | null;
  tax_id_kind: string | null;
  country: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  created_at: string;
}

type Row = Omit<Customer, 'tax_id_kind'>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Validates the fields of a customer: every text bounded and free of control characters
 * (core/text.ts), the tax id with its country's real check rules.
 */
export function checkCustomer(input: CustomerInput, current?: Row): { name: string; taxId: string | null; kind: string | null; country: string | null; email: string | null; phone: string | null; address: string | null } {
  const name = storedText(input.name ?? current?.name ?? '', 'name', 'name');
  if (!name) throw new TpvError('invalid', 'customer.name_empty', { field: 'name' });
  const country = (input.country !== undefined ? input.country : (current?.country ?? null))?.trim().toUpperCase() || null;
  if (country !== null && !/^[A-Z]{2}$/.test(country)) throw new TpvError('invalid', 'customer.country', { field: 'country', value: country });
  const rawTax = input.taxId !== undefined ? input.taxId : (current?.tax_id ?? null);
  let taxId: string | null = null;
  let kind: string | null = null;
  if (rawTax !== null && rawTax.trim() !== '') {
    storedText(rawTax, 'code', 'tax_id');
    const r = validateTaxId(country ?? '', rawTax);
    if (r.ok) {
      taxId = r.value.normalized;
      kind = r.value.kind;
    } else if (input.acceptTaxId && CHECK_PROBLEMS.includes(r.problem.code)) {
      taxId = normalizeTaxId(rawTax);
      kind = UNVERIFIED;
    } else {
      throw problemError('invalid', r.problem, 0, { field: 'tax_id', value: rawTax });
    }
  }
  const email = optionalText(input.email !== undefined ? input.email : (current?.email ?? null), 'email', 'email');
  if (email !== null && !EMAIL.test(email)) throw new TpvError('invalid', 'customer.email', { field: 'email', value: email });
  const phone = optionalText(input.phone !== undefined ? input.phone : (current?.phone ?? null), 'phone', 'phone');
  const address = optionalText(input.address !== undefined ? input.address : (current?.address ?? null), 'address', 'address');
  return { name, taxId, kind, country, email, phone, address };
}

const CHECK_PROBLEMS = ['taxid.check', 'taxid.check_impossible'];
const UNVERIFIED = 'unverified';

/** A customer as scripts see it (its uid names it in outbox events only). */
function view(stored: Row & { uid?: string }): Customer {
  const r: Row = { id: stored.id, name: stored.name, country: stored.country, tax_id: stored.tax_id, email: stored.email, phone: stored.phone, address: stored.address, created_at: stored.created_at };
  if (!r.tax_id) return { ...r, tax_id_kind: null };
  const v = validateTaxId(r.country ?? '', r.tax_id);
  return { ...r, tax_id_kind: v.ok ? v.value.kind : UNVERIFIED };
}

function insert(app: App, c: ReturnType<typeof checkCustomer>): number {
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
  return inTransaction(app, () => {
    const id = insert(app, c);
    appendEvent(app, 'customers', { customers: [customerPayload(app, id)] });
    return findCustomer(app, String(id));
  });
}

/** By id, or by tax id (any spelling: B-12345674, b12345674). */
export function findCustomer(app: App, key: string): Customer {
  const k = key.trim();
  let row: Row | undefined;
  if (/^[0-9]+$/.test(k)) row = app.db.prepare('SELECT * FROM customers WHERE id = ?').get(Number(k)) as Row | undefined;
  if (!row) {
    const normalized = k.toUpperCase().replace(/[\s.\-/]/g, '');
    row = app.db.prepare('SELECT * FROM customers WHERE tax_id = ? OR tax_id = ? ORDER BY id LIMIT 1').get(normalized, app.profile.country + normalized) as Row | undefined;
  }
  if (!row) throw new TpvError('not_found', 'customer.not_found', { key });
  return view(row);
}

export function setCustomer(app: App, key: string, input: CustomerInput): Customer {
  return inTransaction(app, () => {
    const current = findCustomer(app, key);
    const c = checkCustomer(input, current);
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
}

export function listCustomers(app: App, search?: string, limit = 100): Customer[] {
  const rows = (search
    ? app.db.prepare("SELECT * FROM customers WHERE name LIKE '%' || ? || '%' OR tax_id LIKE ? || '%' ORDER BY name LIMIT ?").all(search, search.toUpperCase(), limit)
    : app.db.prepare('SELECT * FROM customers ORDER BY name LIMIT ?').all(limit)) as Row[];
  return rows.map(view);
}

type Field = 'name' | 'tax_id' | 'country' | 'email' | 'phone' | 'address';

/**
 * Imports customers from CSV (name,tax_id,country,email,phone,address; delimiter detected):
 * all-or-nothing, every bad row listed with its line and field.
 */
export function importCustomers(app: App, actor: UserRow, path: string, approver?: Approver): { created: number; errors: { line: number; field: string; code: MessageKey; params: Record<string, string | number> }[] } {
  authorize(app, actor, 'manage_catalog', approver);
  const text = readTextFile(path).replace(/^\uFEFF/, '');
  const reader = new CsvReader(detectDelimiter(text));
  const records = [...reader.push(text), ...reader.end()];
  const header = (records.shift()?.fields ?? []).map((h) => h.trim().toLowerCase());
  if (!header.includes('name')) throw new TpvError('invalid', 'customer.name_column', { found: header.join(', ') });
  const errors: { line: number; field: string; code: MessageKey; params: Record<string, string | number> }[] = [];
  const rows: { line: number; c: ReturnType<typeof checkCustomer> }[] = [];
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
        c: checkCustomer({ name: cell('name') ?? '', taxId: cell('tax_id') ?? null, country: cell('country') || country, email: cell('email') ?? null, phone: cell('phone') ?? null, address: cell('address') ?? null }),
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
  return { created, errors };
}
