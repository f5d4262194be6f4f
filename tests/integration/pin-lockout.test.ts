/**
 * PIN checks count every attempt, whatever the concurrency: the attempt is counted in its own
 * transaction before scrypt runs, so 30 wrong PINs from 30 processes at once lock the user after
 * exactly 5, and the right PIN is refused while the lock lasts. Lockouts in a row double (5, 10,
 * 20 … minutes, at most a day); a right PIN resets them. Needs the built tpv (`npm run build`).
 */
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { actingUser, lockMinutes, verifyPin } from '../../src/app/auth.js';
import type { App } from '../../src/app/context.js';
import { addUser, disableUser } from '../../src/app/users.js';
import { caught, makeStore, tempDir, tpv } from '../helpers.js';

const dir = tempDir('tpv-pin-');
const ANA = { code: 'ana', name: 'Ana', role: 'cashier' as const, pin: '2468' };

describe('wrong PINs from many processes at once', () => {
  const PROCESSES = 30;
  let path = '';

  beforeAll(async () => {
    const app = await makeStore(dir, {}, 'parallel.db');
    addUser(app, actingUser(app.db), ANA);
    path = app.path;
    app.close();
  });

  it(`${PROCESSES} wrong PINs at once lock the user after exactly 5; the right PIN is refused while locked`, { timeout: 120_000 }, async () => {
    // a cashier's command that checks her PIN and nothing else would let through
    const attempt = (pin: string) => tpv(['--db', path, '--user', ANA.code, 'users', 'set-role', ANA.code, 'cashier', '--json'], { env: { TPV_PIN: pin } });
    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => attempt('0000')));
    const codes = runs.map((r) => ({ exit: r.code, error: r.json?.error?.code as string }));
    expect(codes.filter((c) => c.exit !== 5), JSON.stringify(runs.find((r) => r.code !== 5))).toEqual([]);
    // attempts 1–4 are wrong PINs; the 5th locks; every later one finds the lock
    expect(codes.filter((c) => c.error === 'user.pin_wrong').length).toBe(4);
    expect(codes.filter((c) => c.error === 'user.locked').length).toBe(PROCESSES - 4);

    const db = new Database(path, { readonly: true });
    const ana = db.prepare("SELECT failed_pins, locked_until, lockouts FROM users WHERE code = 'ana'").get() as { failed_pins: number; locked_until: string; lockouts: number };
    const locks = db.prepare("SELECT count(*) FROM audit_log WHERE action = 'user_locked'").pluck().get();
    db.close();
    expect(ana.lockouts).toBe(1);
    expect(locks).toBe(1);
    expect(new Date(ana.locked_until).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);

    const right = await attempt(ANA.pin);
    expect(right.code).toBe(5);
    expect(right.json.error.code).toBe('user.locked');
    // shown in the store's time zone (Europe/Madrid), not as UTC
    expect(right.json.error.details.until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
  });
});

describe('lockouts that lengthen', () => {
  let app: App;
  let clock = new Date('2026-11-21T10:00:00Z');
  const minutes = (m: number): void => void (clock = new Date(clock.getTime() + m * 60_000));
  const lockedUntil = (): string | null => (app.db.prepare("SELECT locked_until FROM users WHERE code = 'ana'").pluck().get() as string | null);
  /** Five wrong PINs: the lock they set, in minutes from now, and the 5th answer. */
  const fiveWrong = (): { lockedFor: number; fifth: string; params: Record<string, string | number> } => {
    const answers = Array.from({ length: 5 }, () => caught(() => verifyPin(app, ANA.code, '0000')));
    expect(answers.slice(0, 4).map((e) => e.code)).toEqual(['user.pin_wrong', 'user.pin_wrong', 'user.pin_wrong', 'user.pin_wrong']);
    return { lockedFor: (new Date(lockedUntil()!).getTime() - clock.getTime()) / 60_000, fifth: answers[4]!.code, params: answers[4]!.params };
  };

  beforeAll(async () => {
    app = await makeStore(dir, {}, 'lengthen.db');
    app.now = () => clock;
    addUser(app, actingUser(app.db), ANA);
  });

  it('5, 10, 20, 40 minutes, … at most a day', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 10, 50].map(lockMinutes)).toEqual([5, 10, 20, 40, 80, 640, 1280, 1440, 1440]);
  });

  it('each lockout in a row lasts twice the one before; the right PIN is refused until it ends', () => {
    const first = fiveWrong();
    expect(first).toMatchObject({ lockedFor: 5, fifth: 'user.locked' });
    // 10:05 UTC is 11:05 in Madrid
    expect(first.params).toMatchObject({ code: 'ana', until: '2026-11-21T11:05:00+01:00', at: '2026-11-21 11:05' });
    minutes(4);
    expect(caught(() => verifyPin(app, ANA.code, ANA.pin)).code).toBe('user.locked');
    minutes(1);
    expect(fiveWrong().lockedFor).toBe(10);
    minutes(10);
    expect(fiveWrong().lockedFor).toBe(20);
    app.db.prepare("UPDATE users SET lockouts = 12 WHERE code = 'ana'").run();
    minutes(20);
    expect(fiveWrong().lockedFor).toBe(24 * 60);
  });

  it('a right PIN after the lock resets the count and the lockouts', () => {
    minutes(24 * 60);
    expect(verifyPin(app, ANA.code, ANA.pin).code).toBe('ana');
    expect(app.db.prepare("SELECT failed_pins, locked_until, lockouts FROM users WHERE code = 'ana'").get()).toEqual({ failed_pins: 0, locked_until: null, lockouts: 0 });
    expect(fiveWrong().lockedFor).toBe(5);
  });

  it('a right PIN after fewer than 5 failures goes through and clears them', () => {
    minutes(5);
    for (let i = 0; i < 4; i++) caught(() => verifyPin(app, ANA.code, '0000'));
    expect(verifyPin(app, ANA.code, ANA.pin).code).toBe('ana');
    for (let i = 0; i < 4; i++) caught(() => verifyPin(app, ANA.code, '0000'));
    expect(lockedUntil()).toBeNull();
  });

  it('unknown and disabled users are refused like a wrong PIN, and never locked', () => {
    for (let i = 0; i < 6; i++) {
      const e = caught(() => verifyPin(app, 'ghost', ANA.pin));
      expect({ code: e.code, kind: e.kind, params: e.params }).toEqual({ code: 'user.pin_wrong', kind: 'conflict', params: {} });
    }
    expect(app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'pin_refused' AND user_id IS NULL").pluck().get()).toBe(6);
    const admin = actingUser(app.db);
    addUser(app, admin, { code: 'leo', name: 'Leo', role: 'cashier', pin: '1357' });
    disableUser(app, admin, 'leo');
    for (let i = 0; i < 6; i++) {
      const e = caught(() => verifyPin(app, 'leo', '1357')); // his right PIN
      expect({ code: e.code, kind: e.kind, params: e.params }).toEqual({ code: 'user.pin_wrong', kind: 'conflict', params: {} });
    }
    expect(app.db.prepare("SELECT failed_pins, locked_until FROM users WHERE code = 'leo'").get()).toEqual({ failed_pins: 0, locked_until: null });
  });

  it('never runs inside a transaction (scrypt would hold the write lock a till needs)', () => {
    expect(() => app.db.transaction(() => verifyPin(app, ANA.code, ANA.pin)).immediate()).toThrow(/never inside a transaction/);
  });
});
