/** Store credit on a real database: issue, redeem inside sales, expiry, void; two tills racing for one code. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/context.js';
import { expireDue, issueCredit, showCredit, voidCredit } from '../../src/app/credit.js';
import { type SaleInput, sell } from '../../src/app/sales.js';
import { openShift } from '../../src/app/shifts.js';
import { actingUser } from '../../src/app/auth.js';
import { caught, makeStore, tempDir, tpv } from '../helpers.js';

const dir = tempDir();
let app: App;
let n = 0;
let clock = new Date('2026-11-21T10:00:00Z');

beforeEach(async () => {
  clock = new Date('2026-11-21T10:00:00Z');
  app = await makeStore(dir, {}, `credit-${n++}.db`);
  app.now = () => clock;
  app.db.prepare("INSERT INTO products (sku, name, price, tax_category_id, unit, track_stock, created_at, updated_at) VALUES ('P1', 'Producto', 100, 1, 'each', 0, 'x', 'x')").run();
  openShift(app, actingUser(app.db), 0);
});
afterEach(() => app.close());

const admin = () => actingUser(app.db);
const payWithCredit = (code: string, amount: string, qty = '1'): SaleInput => ({
  lines: [{ code: 'P1', qty }],
  payments: [{ method: 'store_credit', amount, code }],
});

describe('store credit', () => {
  it('is spent in parts by sales; the balance is the sum of its events and never below zero', () => {
    const c = issueCredit(app, 250, admin());
    expect(c).toMatchObject({ balance: '2.50', status: 'active', printed: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/) });
    const { receipt } = sell(app, payWithCredit(c.printed.toLowerCase().replaceAll('-', ' '), '1.00'), admin());
    expect(receipt.payments).toEqual([{ method: 'store_credit', amount: 100, reference: c.code }]);
    sell(app, payWithCredit(c.code, '1.00'), admin());
    expect(caught(() => sell(app, payWithCredit(c.code, '1.00'), admin()))).toMatchObject({ code: 'credit.insufficient', params: { balance: '0.50' } });
    // the refused sale took no number and left the credit as it was
    expect(showCredit(app, c.code)).toMatchObject({ balance: '0.50', redeemed: '2.00' });
    expect(app.db.prepare("SELECT count(*) FROM documents WHERE type = 'receipt'").pluck().get()).toBe(2);
    const sum = app.db.prepare('SELECT sum(amount) FROM credit_events').pluck().get();
    expect(sum).toBe(50);
  });

  it('expired and voided codes are refused with a clear message; expiring is idempotent', () => {
    const a = issueCredit(app, 500, admin(), { expiresAt: '2026-12-01T00:00:00.000Z' });
    const b = issueCredit(app, 500, admin());
    clock = new Date('2026-12-02T10:00:00Z');
    expect(caught(() => sell(app, payWithCredit(a.code, '1.00'), admin()))).toMatchObject({ code: 'credit.expired' });
    expect(expireDue(app, admin()).expired).toEqual([a.printed]);
    expect(expireDue(app, admin()).expired).toEqual([]);
    expect(showCredit(app, a.code)).toMatchObject({ status: 'expired', balance: '0.00' });
    voidCredit(app, b.code, admin(), 'lost');
    expect(caught(() => sell(app, payWithCredit(b.code, '1.00'), admin()))).toMatchObject({ code: 'credit.void' });
    // one mistyped character is caught by the check character, before any lookup
    const typo = b.code.slice(0, -1) + (b.code.endsWith('0') ? '1' : '0');
    expect(caught(() => showCredit(app, typo))).toMatchObject({ kind: 'invalid', code: 'credit.code_check' });
  });

  it('the ledger cannot be edited', () => {
    issueCredit(app, 100, admin());
    expect(() => app.db.prepare('UPDATE credit_events SET amount = 999').run()).toThrow(/append-only/);
  });

  it('two processes redeeming one code at the same moment: at most the balance is spent, the loser gets a clear error', async () => {
    const path = app.path;
    for (let round = 0; round < 4; round++) {
      const c = issueCredit(app, 1000, admin());
      const sale = JSON.stringify(payWithCredit(c.code, '7.00', '7'));
      const [x, y] = await Promise.all([
        tpv(['--db', path, 'sale', '--json'], { input: sale }),
        tpv(['--db', path, 'sale', '--json'], { input: sale }),
      ]);
      const codes = [x.code, y.code].sort();
      expect(codes).toEqual([0, 5]);
      const loser = x.code === 5 ? x : y;
      expect(loser.json.error).toMatchObject({ code: 'credit.insufficient' });
      expect(loser.json.error.message).toContain('3.00');
      expect(showCredit(app, c.code).balance).toBe('3.00');
    }
  });
});
