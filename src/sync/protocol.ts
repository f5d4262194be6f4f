/**
 * The till ↔ store-server protocol (docs/sync.md): JSON messages over one WebSocket, each
 * validated with zod on both sides. A message of an unknown type, a malformed one or one over
 * the size limit is refused with an `error` and the socket closed; nothing is written.
 *
 * The till authenticates in the upgrade request (`Authorization: Bearer TOKEN`, never in the URL:
 * RFC 6750 §2.3). Then:
 *   till → hello {protocol, terminal, version}      server → hello {protocol, hwm, server, series, diverged}
 *   till → events {events: [...]}                     server → ack {hwm, quarantined}
 *   till → heartbeat {...}                            server → heartbeat_ack {at}
 *   till → probe {seq, id}                            server → probe_ack {seq, held}
 *   till → resolve {fork}                             server → resolved {hwm}
 *   either → error {code, message}
 * `hwm` (high-water mark) is the highest outbox `seq` of that till the server holds, with every
 * seq before it: the till sends everything after it, whatever it had marked as sent before.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DOC_TYPES } from '../core/numbering.js';
import { EVENT_TYPES } from './contract.js';

/** The protocol version this program speaks. A peer that speaks another gets `error protocol`. */
export const PROTOCOL_VERSION = 2;

/** No message is larger (bytes of its JSON text); a batch is cut to fit (and to {@link MAX_BATCH_EVENTS}). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const MAX_BATCH_EVENTS = 500;

/** Seconds between heartbeats; a till silent for {@link OFFLINE_AFTER_S} is shown offline. */
export const HEARTBEAT_S = 30;
export const OFFLINE_AFTER_S = 90;

/** Enrolment: `POST /enrol` with `{code, register}` answers `{terminal, token}`. The socket is at `/sync`. */
export const ENROL_PATH = '/enrol';
export const SYNC_PATH = '/sync';

/** The body of `POST /enrol` (at most {@link MAX_ENROL_BYTES}); it answers `{terminal, token}` (HTTP 200). */
export const MAX_ENROL_BYTES = 4096;
export const enrolRequest = z.strictObject({ code: z.string().min(1).max(100), register: z.string().regex(/^[A-Z0-9]{1,8}$/) });

/**
 * Why `POST /enrol` refused, in `{error: {code, message}}`: HTTP 401 unknown, expired, used
 * (the one-time code); 409 wrong_register; 429 rate_limited; 400 malformed; 413 too_large. Upgrades to
 * `/sync` are refused with HTTP 401 (unauthorized) or 403 (revoked) and the same body.
 */
export const ENROL_ERRORS = ['unknown', 'expired', 'used', 'wrong_register', 'rate_limited', 'malformed', 'too_large'] as const;
export type EnrolError = (typeof ENROL_ERRORS)[number];

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const terminal = z.string().regex(/^[A-Z0-9]{1,8}$/);
const iso = z.string().min(10).max(40);

/**
 * One outbox event as it travels: the row of the till's outbox, its payload the JSON text the till
 * stored, as a string, byte for byte. The server stores and hashes that text as it came (never
 * re-serialised: a resend of the same row is the same text) and parses it once, with the outbox
 * contract (src/sync/events.ts), to apply it.
 */
export const wireEvent = z.strictObject({
  id: uuid,
  seq: z.number().int().positive(),
  type: z.enum(EVENT_TYPES),
  version: z.number().int().nonnegative(),
  at: iso,
  payload: z.string().min(2),
});
export type WireEvent = z.infer<typeof wireEvent>;

/**
 * An event's body, what tells a resend (same id, same body: a duplicate) from a conflict (same id,
 * another body): the sha256 (hex) of `{"at":…,"payload":TEXT,"type":…,"version":…}`, TEXT the
 * payload as the till stored it.
 */
export function eventHash(e: { type: string; version: number; at: string; payload: string }): string {
  return createHash('sha256')
    .update(`{"at":${JSON.stringify(e.at)},"payload":${e.payload},"type":${JSON.stringify(e.type)},"version":${JSON.stringify(e.version)}}`, 'utf8')
    .digest('hex');
}

export const tillMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), protocol: z.number().int(), terminal, version: z.string().max(40) }),
  z.strictObject({ type: z.literal('events'), events: z.array(wireEvent).min(1).max(MAX_BATCH_EVENTS) }),
  z.strictObject({
    type: z.literal('heartbeat'),
    at: iso,
    version: z.string().max(40),
    backlog: z.number().int().nonnegative(),
    last_z: z.string().max(40).nullable(),
  }),
  /** Does the server hold this till's event `seq` under this id? (`tpv sync resolve` looks for where the two histories part.) */
  z.strictObject({ type: z.literal('probe'), seq: z.number().int().positive(), id: uuid }),
  /** The till moved its events after `fork` past the server's hwm: the server clears its diverged mark. */
  z.strictObject({ type: z.literal('resolve'), fork: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('error'), code: z.string().max(64), message: z.string().max(1000) }),
]);
export type TillMessage = z.infer<typeof tillMessage>;

export const serverMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    protocol: z.number().int(),
    server: z.string().max(40),
    hwm: z.number().int().nonnegative(),
    /** The last number of each of the till's series the server holds: the till moves its series past them. */
    series: z.array(z.strictObject({ type: z.enum(DOC_TYPES), year: z.number().int().min(1970).max(9999), seq: z.number().int().positive(), number: z.string().max(64) })).max(DOC_TYPES.length),
    /** The server stores nothing more from this till (docs/sync.md, rule 6); it closes the link after this hello. */
    diverged: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('ack'),
    hwm: z.number().int().nonnegative(),
    /** Events kept apart instead of applied (same id, another body; not applicable): acked all the same. */
    quarantined: z.array(z.strictObject({ id: uuid, reason: z.string().max(200) })),
  }),
  z.strictObject({ type: z.literal('heartbeat_ack'), at: iso }),
  z.strictObject({ type: z.literal('probe_ack'), seq: z.number().int().positive(), held: z.boolean() }),
  z.strictObject({ type: z.literal('resolved'), hwm: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('error'), code: z.string().max(64), message: z.string().max(1000) }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** The error codes a peer may send (`error.code`), also the CLI's message keys under `sync.`. */
export const PROTOCOL_ERRORS = ['protocol', 'malformed', 'too_large', 'unauthorized', 'revoked', 'diverged', 'internal'] as const;
export type ProtocolError = (typeof PROTOCOL_ERRORS)[number];

/**
 * Parses a message's text with a schema; the problem (too large, not JSON, not a message) as an
 * error code for the peer.
 */
export function parseMessage<T>(schema: z.ZodType<T>, text: string): { ok: true; value: T } | { ok: false; code: ProtocolError; message: string } {
  if (Buffer.byteLength(text, 'utf8') > MAX_MESSAGE_BYTES) return { ok: false, code: 'too_large', message: `a message is at most ${MAX_MESSAGE_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'malformed', message: 'not JSON' };
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, code: 'malformed', message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: r.data };
}
