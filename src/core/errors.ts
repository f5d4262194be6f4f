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

/**
 * The keys of the message catalog: src/i18n/en.ts declares them here (TypeScript module
 * augmentation), so an error code or message key the catalog does not have does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MessageCatalog {}
export type MessageKey = keyof MessageCatalog & string;

/** Parameters of a message as shown: text and plain numbers (counts, line numbers, percents). */
export type Params = Record<string, string | number>;

/** An amount of money in a problem's parameters (minor units): shown in the store's currency. */
export interface Money {
  readonly minor: number;
}
export const money = (minor: number): Money => ({ minor });
export const isMoney = (v: unknown): v is Money => typeof v === 'object' && v !== null && typeof (v as Money).minor === 'number';

/** Parameters of a problem found by the core: amounts of money are marked as such ({@link money}). */
export type ProblemParams = Record<string, string | number | Money>;

export class TpvError extends Error {
  readonly code: MessageKey;
  readonly kind: ErrorKind;
  readonly params: Params;
  readonly details: unknown;

  constructor(kind: ErrorKind, code: MessageKey, params: Params = {}, details?: unknown) {
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

/** Invalid input (exit 3), naming the field (or flag) that is wrong. */
export const invalidField = (field: string, code: MessageKey, params: Params = {}): TpvError => new TpvError('invalid', code, { ...params, field });

/** A validation problem found by a pure function: a catalog code plus its parameters. */
export interface Problem {
  code: MessageKey;
  params?: ProblemParams;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: MessageKey, params?: ProblemParams): Result<T> => ({
  ok: false,
  problem: params ? { code, params } : { code },
});
