/** `tpv init` on a real terminal (tmux): it asks for each field, re-asks a wrong one, masks the PIN. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers.js';
import { Tmux } from '../tmux.js';

const dir = tempDir();
let term: Tmux | undefined;
afterEach(() => term?.kill());

describe('tpv init on a terminal', () => {
  it('asks, validates as it goes, masks the PIN and creates the store', async () => {
    const db = join(dir, 'tty.db');
    term = Tmux.start(`${process.execPath} ${BIN} --db ${db} init`, { env: { TPV_LANG: 'en' } });
    const answer = async (prompt: string | RegExp, text: string): Promise<void> => {
      await term!.waitFor(prompt);
      term!.type(text, 'Enter');
    };
    await answer('Store name:', 'Bazar Luna');
    await answer('Legal name [Bazar Luna]:', '');
    await answer('Country (ISO code) [ES]:', 'XX');
    await term.waitFor('is not an ISO 3166-1 country code');
    await answer(/MX\)\s*\nCountry \(ISO code\) \[ES\]: *$/m, 'PT');
    await answer('Tax id:', 'B12345674'); // a Spanish CIF: not a Portuguese NIF
    await term.waitFor('not a valid PT VAT number');
    await answer(/\nTax id: *$/m, '501964843');
    await answer('Address:', 'Rua do Sol 3, Lisboa');
    await answer('Currency [EUR]:', '');
    await answer('Time zone [Europe/Lisbon]:', '');
    await answer('Register code [T01]:', 'T02');
    await answer('Admin name [Admin]:', 'Marta');
    await answer('Admin login code [admin]:', 'marta');
    await answer('Admin PIN (4–8 digits):', '2468');
    await answer('Repeat the PIN:', '2468');
    const screen = await term.waitFor('[exit 0]');
    expect(screen).toContain('Admin PIN (4–8 digits): ****');
    expect(screen).not.toContain('2468');
    const d = new Database(db, { readonly: true });
    const settings = Object.fromEntries((d.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]).map((r) => [r.key, JSON.parse(r.value)]));
    const user = d.prepare('SELECT code, name, role FROM users').get();
    d.close();
    expect(settings).toMatchObject({ 'store.name': 'Bazar Luna', 'store.country': 'PT', 'store.tax_id': '501964843', 'store.timezone': 'Europe/Lisbon', 'register.code': 'T02' });
    expect(user).toEqual({ code: 'marta', name: 'Marta', role: 'admin' });
  });

  it('in Spanish: a wrong tax id is re-asked in Spanish words; an RFC kept unverified is said once the store exists', async () => {
    const db = join(dir, 'tty-es.db');
    term = Tmux.start(`${process.execPath} ${BIN} --db ${db} init`, { width: 160, env: { TPV_LANG: 'es' } }); // wide: messages on one line
    const answer = async (prompt: string | RegExp, text: string): Promise<void> => {
      await term!.waitFor(prompt);
      term!.type(text, 'Enter');
    };
    await answer('Nombre de la tienda:', 'Autotransportes AAC');
    await answer('Razón social [Autotransportes AAC]:', '');
    await answer('País (código ISO) [ES]:', 'MX');
    await answer('NIF / identificación fiscal:', 'PUTO561231GR8'); // a word the SAT never issues
    const refused = await term.waitFor('con un valor imposible (PUTO)');
    expect(refused).toContain('no es un RFC de persona física válido: letras del nombre con un valor imposible (PUTO)');
    await answer(/\nNIF \/ identificación fiscal: *$/m, 'AAC0903183F6'); // its check digit fails: kept, unverified
    await answer('Dirección:', 'Av. Constitución 100, Monterrey');
    await answer('Moneda [MXN]:', '');
    await answer('Zona horaria [America/Mexico_City]:', '');
    await answer('Código de caja [T01]:', '');
    await answer('Nombre del administrador [Admin]:', '');
    await answer('Código de acceso del administrador [admin]:', '');
    await answer('PIN del administrador (4–8 cifras):', '2468');
    await answer('Repite el PIN:', '2468');
    const screen = await term.waitFor('[exit 0]');
    expect(screen).toContain('se guarda sin verificar: no es un RFC de persona moral válido: se esperaba 4 (dígito verificador)');
    expect(screen).not.toMatch(/\b(not a valid|check digit|name letters|kept unverified)\b/);
  });
});
