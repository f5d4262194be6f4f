/**
 * VERI*FACTU on the cashier terminal (issue 14, docs/einvoice.md): with the store's scheme on and
 * its certificate stored (`<db>.einvoice.pem`), `tpv pos` submits the records in the background —
 * `runSubmitter`, the loop of `tpv einvoice run`, on this connection between keys, outside any
 * sale's transaction — and the status bar shows the queue: records still to be answered (pending
 * or sent) and records the AEAT rejected (a technician's job: `tpv einvoice show` / `fix`).
 *
 * The counts cost one read of `max(id)` of einvoice_states (its primary key) every POLL_MS; the
 * counts themselves are read again only when that changed (a sale, an answer, a `fix` from
 * another process). A failed submission (the AEAT unreachable) is no message for the cashier: the
 * pending count stays up and the loop backs off by itself.
 *
 * The submission module (and through it TLS and node-forge) is loaded only when the scheme is on.
 */
import { existsSync } from 'node:fs';
import type { App } from '../app/context.js';
import { einvoiceStatus, lastStateId } from '../app/einvoice.js';
import { readTextFile } from '../app/files.js';

/** What the status bar shows; null (or absent) when the scheme is off. */
export interface EinvoiceCounts {
  /** Records not answered yet: pending, or sent without an answer. */
  pending: number;
  /** Records the AEAT refused: someone must look at them. */
  rejected: number;
}

export interface EinvoiceOptions {
  /** TPV_EINVOICE_ENDPOINT and TPV_EINVOICE_CA (a technician's test server instead of the AEAT), as for `tpv einvoice run`. */
  env: NodeJS.ProcessEnv;
  /** Hears the counts at start and on every change; null when the scheme is (turned) off. */
  onCounts: (c: EinvoiceCounts | null) => void;
  /** A problem of the set-up that stops the background submission before it starts (the CA file unreadable). */
  onError: (e: unknown) => void;
  /** How often to look for a change; default {@link POLL_MS}. */
  pollMs?: number;
}

export interface EinvoiceLoop {
  /** Stops the loop; resolves when it has stopped, or after `graceMs` if a request is still under way. */
  stop(graceMs?: number): Promise<void>;
}

/** The look for a change in the queue: `max(id)` of einvoice_states, one primary-key read. */
export const POLL_MS = 2_000;
/** Seconds between looks at an empty queue when nothing wakes the loop (the daemon's default). */
const IDLE_SECONDS = 60;
/** At quit, how long to wait for a request under way (its records stay sent and go again next time: safe to leave). */
const STOP_GRACE_MS = 3_000;

/** The queue by state now; null when the scheme is off; undefined when the database cannot say (busy, closing): ask again later. */
function queueNow(app: App): { pending: number; sent: number; rejected: number } | null | undefined {
  try {
    if (app.profile.einvoiceScheme !== 'verifactu') return null;
    return einvoiceStatus(app).queue;
  } catch {
    return undefined;
  }
}

/** What the status bar shows now (null: the scheme is off; undefined: ask again later). */
export function einvoiceCounts(app: App): EinvoiceCounts | null | undefined {
  const q = queueNow(app);
  return q ? { pending: q.pending + q.sent, rejected: q.rejected } : q;
}

/**
 * Watches the queue and, with the scheme on and a certificate stored, submits it in the background
 * until `stop()`. A new record (a sale) wakes the submitter at once instead of at its next idle
 * look (it still honours the AEAT's waiting time); after a failure it is left to its own backoff.
 */
export async function startEinvoice(app: App, o: EinvoiceOptions): Promise<EinvoiceLoop> {
  let told = '';
  /** The scheme and max(id) of einvoice_states at the last count (undefined: not counted yet). */
  let seen: string | undefined;
  /** Records in state `pending` at the last count: a rise is a new record to send. */
  let fresh = 0;
  let kick: () => void = () => undefined;
  const tell = (c: EinvoiceCounts | null): void => {
    const key = JSON.stringify(c);
    if (key === told) return;
    told = key;
    try {
      o.onCounts(c);
    } catch {
      // an observer's failure is not the loop's
    }
  };
  const look = (force = false): void => {
    let id: string;
    try {
      // the scheme (a setting, read again only when the database changed) and the last state's id
      id = `${app.profile.einvoiceScheme} ${String(lastStateId(app))}`;
    } catch {
      return; // busy or closing: the next tick tells
    }
    if (!force && id === seen) return;
    const q = queueNow(app);
    if (q === undefined) return;
    seen = id;
    tell(q ? { pending: q.pending + q.sent, rejected: q.rejected } : null);
    const waiting = q?.pending ?? 0;
    if (waiting > fresh) kick();
    fresh = waiting;
  };
  // the counts at once; the submitter once its module is loaded
  look(true);

  let stopped = false;
  let run: Promise<void> | null = null;
  let controller = new AbortController();
  if (app.profile.einvoiceScheme === 'verifactu') {
    try {
      const sub = await import('../app/einvoice-submit.js');
      if (existsSync(sub.certPath(app.path))) {
        const endpoint = o.env.TPV_EINVOICE_ENDPOINT?.trim();
        const caFile = o.env.TPV_EINVOICE_CA?.trim();
        const target = { ...(endpoint ? { endpoint } : {}), ...(caFile ? { ca: readTextFile(caFile) } : {}) };
        /** Set by a failure, cleared by records sent: while failing, the loop's own backoff decides. */
        let failing = false;
        let restarting = false;
        const start = (): void => {
          controller = new AbortController();
          run = sub
            .runSubmitter(app, {
              ...target,
              signal: controller.signal,
              idleSeconds: IDLE_SECONDS,
              onSent: () => {
                failing = false;
                look(true);
              },
              onFailed: () => {
                failing = true;
                look(true);
              },
            })
            .then(
              () => undefined,
              () => undefined,
            );
        };
        kick = () => {
          if (stopped || failing || restarting || !run) return;
          // runSubmitter has no "wake up": stop this run (at once when it is waiting; after the
          // request when one is under way) and start another, which sends now or waits the AEAT's time
          restarting = true;
          controller.abort();
          void run.then(() => {
            restarting = false;
            if (!stopped) start();
          });
        };
        start();
      }
    } catch (e) {
      o.onError(e);
    }
  }
  const poll = setInterval(() => look(), o.pollMs ?? POLL_MS);

  return {
    async stop(graceMs = STOP_GRACE_MS): Promise<void> {
      stopped = true;
      clearInterval(poll);
      controller.abort();
      if (!run) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([run, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
