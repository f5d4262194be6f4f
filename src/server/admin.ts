/**
 * What `tpv server terminals …` does with the storage: add a terminal with its one-time
 * enrolment code, and show each till as an operator reads it.
 */
import { TpvError } from '../core/errors.js';
import { storedText } from '../core/text.js';
import { OFFLINE_AFTER_S } from '../sync/protocol.js';
import { ENROL_TTL_MS, newEnrolCode, normalEnrolCode, sha256Hex, TERMINAL_CODE } from './auth.js';
import type { ServerStorage, TerminalRecord } from './storage.js';

/** Adds a terminal (or gives a not yet enrolled or revoked one a new code): the one-time code, shown once. */
export async function addTerminal(storage: ServerStorage, code: string, name: string, now: Date): Promise<{ code: string; name: string; enrol_code: string; expires_at: string }> {
  if (!TERMINAL_CODE.test(code)) throw new TpvError('invalid', 'server.terminal_code', { value: code });
  const label = storedText(name, 'name', '--name') || code;
  const enrol = newEnrolCode();
  const expires = new Date(now.getTime() + ENROL_TTL_MS).toISOString();
  await storage.addTerminal(code, label, sha256Hex(normalEnrolCode(enrol)), expires, now.toISOString());
  return { code, name: label, enrol_code: enrol, expires_at: expires };
}

export type TerminalState = 'online' | 'offline' | 'revoked' | 'not_enrolled';

export interface TerminalView {
  code: string;
  name: string;
  state: TerminalState;
  online: boolean;
  last_seen_at: string | null;
  version: string | null;
  backlog: number | null;
  hwm: number;
  last_event_at: string | null;
  last_z: string | null;
  skew_ms: number | null;
  diverged: boolean;
  quarantined: number;
  revoked_at: string | null;
}

/** A till as `terminals list` shows it: online when heard from within the last 90 s. */
export function terminalView(r: TerminalRecord, now: Date): TerminalView {
  const seen = Math.max(Date.parse(r.lastSeenAt ?? '') || 0, Date.parse(r.heartbeat?.at ?? '') || 0);
  const state: TerminalState = r.revokedAt ? 'revoked' : !r.enrolled ? 'not_enrolled' : now.getTime() - seen < OFFLINE_AFTER_S * 1000 ? 'online' : 'offline';
  return {
    code: r.code,
    name: r.name,
    state,
    online: state === 'online',
    last_seen_at: seen ? new Date(seen).toISOString() : null,
    version: r.heartbeat?.version ?? null,
    backlog: r.heartbeat?.backlog ?? null,
    hwm: r.hwm,
    last_event_at: r.lastEventAt,
    last_z: r.heartbeat?.lastZ ?? null,
    skew_ms: r.heartbeat?.skewMs ?? null,
    diverged: r.diverged,
    quarantined: r.quarantined,
    revoked_at: r.revokedAt,
  };
}

