/**
 * Who may do what: the acting user's role, and a supervisor's approval (code + PIN) when the
 * role is not enough. The approval is returned to be recorded with the document.
 */
import type { Action } from '../core/permissions.js';
import { can } from '../core/permissions.js';
import { TpvError } from '../core/errors.js';
import { isoWithOffset } from '../core/time.js';
import type { Approval } from '../db/documents.js';
import type { App } from './context.js';
import { type UserRow, verifyPin } from './users.js';

export interface Approver {
  code: string;
  pin: string;
}

/**
 * Passes when `actor` may do `action`; otherwise needs an approver whose role may, with the right
 * PIN. Returns the approval to record (null when none was needed).
 */
export function authorize(app: App, actor: UserRow, action: Action, approver?: Approver, detail?: string): Approval | null {
  if (can(actor.role, action)) return null;
  if (!approver) throw new TpvError('conflict', 'permission.needs_approval', { action, user: actor.code, role: actor.role });
  const sup = verifyPin(app.db, approver.code, approver.pin, app.now());
  if (!can(sup.role, action)) throw new TpvError('conflict', 'permission.approver_role', { action, user: sup.code, role: sup.role });
  return { action, by: sup.code, at: isoWithOffset(app.now(), app.settings['store.timezone'] ?? 'UTC'), ...(detail ? { detail } : {}) };
}
