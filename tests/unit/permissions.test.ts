import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACTIONS,
  type Action,
  can,
  discountNeedsApproval,
  isAction,
  isRole,
  needsApproval,
  type Role,
  ROLES,
} from '../../src/core/permissions.js';

const EXPECTED: Record<Role, Action[]> = {
  cashier: ['sell', 'cash_in', 'shift_open'],
  supervisor: [
    'sell', 'cash_in', 'shift_open', 'discount_over_limit', 'price_override', 'refund', 'refund_no_receipt', 'no_sale',
    'cash_out', 'shift_close', 'print_original', 'void_ticket', 'manage_catalog',
  ],
  admin: [...ACTIONS],
};

describe('roles and actions', () => {
  it('lists the three roles and the fifteen actions', () => {
    expect([...ROLES]).toEqual(['cashier', 'supervisor', 'admin']);
    expect([...ACTIONS].sort()).toEqual(
      [
        'discount_over_limit', 'price_override', 'refund', 'refund_no_receipt', 'no_sale', 'cash_out', 'shift_close',
        'print_original', 'void_ticket', 'manage_users', 'manage_catalog', 'manage_store', 'sell', 'cash_in', 'shift_open',
      ].sort(),
    );
  });

  it('recognises role and action names (e.g. read from the database)', () => {
    expect(isRole('supervisor')).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('toString')).toBe(false);
    expect(isAction('refund')).toBe(true);
    expect(isAction('fly')).toBe(false);
    expect(isAction('__proto__')).toBe(false);
  });
});

describe('can / needsApproval', () => {
  for (const role of ['cashier', 'supervisor', 'admin'] as Role[]) {
    it(`${role}: exactly the expected actions`, () => {
      for (const action of ACTIONS) {
        expect(can(role, action), `${role} ${action}`).toBe(EXPECTED[role].includes(action));
        expect(needsApproval(role, action)).toBe(!can(role, action));
      }
    });
  }

  it('a supervisor may do everything but manage users and the store; an admin everything', () => {
    expect(can('supervisor', 'manage_users')).toBe(false);
    expect(needsApproval('supervisor', 'manage_users')).toBe(true);
    expect(can('supervisor', 'manage_store')).toBe(false);
    expect(ACTIONS.every((a) => can('admin', a))).toBe(true);
  });

  it('a cashier needs approval for refunds, no-sale, cash out, price override and closing the shift', () => {
    for (const a of ['refund', 'no_sale', 'cash_out', 'price_override', 'shift_close', 'discount_over_limit'] as Action[]) {
      expect(needsApproval('cashier', a)).toBe(true);
    }
    expect(needsApproval('cashier', 'sell')).toBe(false);
  });

  it('denies unknown roles and actions (fail closed)', () => {
    expect(can('root' as Role, 'sell')).toBe(false);
    expect(can('admin', 'launch' as Action)).toBe(false);
    expect(can('cashier', 'constructor' as Action)).toBe(false);
    expect(needsApproval('root' as Role, 'sell')).toBe(true);
  });
});

describe('discountNeedsApproval', () => {
  it('a percent discount above the limit needs approval; at the limit it does not', () => {
    expect(discountNeedsApproval({ kind: 'percent', bp: 1000 }, 5000, 1000)).toBe(false);
    expect(discountNeedsApproval({ kind: 'percent', bp: 1001 }, 5000, 1000)).toBe(true);
    expect(discountNeedsApproval({ kind: 'percent', bp: 1 }, 5000, 0)).toBe(true);
  });

  it('an amount discount is compared in basis points of the amount it applies to, exactly', () => {
    // 10% of 12.34 is 1.234: 1.23 is within, 1.24 is over
    expect(discountNeedsApproval({ kind: 'amount', amount: 123 }, 1234, 1000)).toBe(false);
    expect(discountNeedsApproval({ kind: 'amount', amount: 124 }, 1234, 1000)).toBe(true);
    expect(discountNeedsApproval({ kind: 'amount', amount: 100 }, 1000, 1000)).toBe(false);
    expect(discountNeedsApproval({ kind: 'amount', amount: 101 }, 1000, 1000)).toBe(true);
  });

  it('any amount off nothing is over the limit; no discount never is', () => {
    expect(discountNeedsApproval({ kind: 'amount', amount: 1 }, 0, 5000)).toBe(true);
    expect(discountNeedsApproval({ kind: 'amount', amount: 0 }, 0, 0)).toBe(false);
    expect(discountNeedsApproval(null, 1000, 0)).toBe(false);
    expect(discountNeedsApproval({ kind: 'percent', bp: 0 }, 1000, 0)).toBe(false);
  });

  it('a 100% limit never needs approval for a discount that fits', () => {
    expect(discountNeedsApproval({ kind: 'percent', bp: 10000 }, 1000, 10000)).toBe(false);
    expect(discountNeedsApproval({ kind: 'amount', amount: 1000 }, 1000, 10000)).toBe(false);
  });

  it('is exact for large amounts', () => {
    const base = Number.MAX_SAFE_INTEGER - 1;
    expect(discountNeedsApproval({ kind: 'amount', amount: base / 2 }, base, 5000)).toBe(false);
    expect(discountNeedsApproval({ kind: 'amount', amount: base / 2 + 1 }, base, 5000)).toBe(true);
  });

  it('throws RangeError on a bad limit or base', () => {
    expect(() => discountNeedsApproval({ kind: 'percent', bp: 10 }, 100, -1)).toThrow(RangeError);
    expect(() => discountNeedsApproval({ kind: 'percent', bp: 10 }, 100, 1.5)).toThrow(RangeError);
    expect(() => discountNeedsApproval({ kind: 'amount', amount: 10 }, -100, 1000)).toThrow(RangeError);
  });

  it('property: an amount needs approval exactly when it is over floor(limit × base / 10000)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        (base, limitBp, amount) => {
          const threshold = Math.floor((limitBp * base) / 10000);
          expect(discountNeedsApproval({ kind: 'amount', amount }, base, limitBp)).toBe(amount > threshold);
        },
      ),
    );
  });
});
