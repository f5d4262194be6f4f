/**
 * The one error type of tpv. `code` is a stable, locale-free identifier (also the key of the
 * message catalog); `kind` decides the CLI exit code; `params` fill the message; `details`
 * carry structured data for `--json` (e.g. the list of rejected rows of an import).
 */
export type ErrorKind =
  | 'usage' // 2
  | 'invalid' // 3
  | 'not_found' // 4
  | 'conflict' // 5
  | 'device' // 6
  | 'network' // 7
  | 'cancelled' // 130
  | 'internal'; // 1

export type Params = Record<string, string | number>;

export class TpvError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly params: Params;
  readonly details: unknown;

  constructor(kind: ErrorKind, code: string, params: Params = {}, details?: unknown) {
    super(`${code}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`);
    this.name = 'TpvError';
    this.kind = kind;
    this.code = code;
    this.params = params;
    this.details = details;
  }
}

export const EXIT_CODES: Record<ErrorKind, number> = {
  internal: 1,
  usage: 2,
  invalid: 3,
  not_found: 4,
  conflict: 5,
  device: 6,
  network: 7,
  cancelled: 130,
};

/** A validation problem found by a pure function: a catalog code plus its parameters. */
export interface Problem {
  code: string;
  params?: Params;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: string, params?: Params): Result<T> => ({
  ok: false,
  problem: params ? { code, params } : { code },
});
