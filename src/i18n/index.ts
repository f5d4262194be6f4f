/**
 * The one message catalog: every human-facing text of tpv (CLI messages, help summaries, TUI,
 * receipts) comes from here, complete in Spanish and English. `es.ts` is typed against `en.ts`,
 * so a missing translation fails the typecheck. Codes are stable and locale-free (they are also
 * the `error.code` of `--json` output); messages interpolate `{name}` parameters.
 */
import type { MessageKey } from '../core/errors.js';
import { en } from './en.js';
import { es } from './es.js';

export type Lang = 'es' | 'en';
export type { MessageKey };

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, es };

let current: Lang = 'en';

export function setLanguage(lang: Lang): void {
  current = lang;
}

export function language(): Lang {
  return current;
}

/** The screen language from the environment: TPV_LANG, then LC_ALL / LC_MESSAGES / LANG; default es. */
export function languageFromEnv(env: NodeJS.ProcessEnv): Lang {
  for (const v of [env.TPV_LANG, env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    if (!v) continue;
    const code = v.slice(0, 2).toLowerCase();
    if (code === 'es' || code === 'en') return code;
    if (v === 'C' || v === 'POSIX' || v.startsWith('C.')) return 'en';
  }
  return 'es';
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** The message of a key made at run time (a shop's own tender, a state read from a device), or `fallback` when the catalog has none. */
export function tOr(key: string, fallback: string, params: Record<string, string | number> = {}, lang: Lang = current): string {
  return isMessageKey(key) ? t(key, params, lang) : fallback;
}

/** Translates a key (or a problem code) with its parameters. */
export function t(key: MessageKey, params: Record<string, string | number> = {}, lang: Lang = current): string {
  const template = catalogs[lang][key] ?? key;
  const shown = key.startsWith('taxid.') ? taxIdParams(params, lang) : params;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(shown, name) ? String(shown[name]) : m,
  );
}

/**
 * The catalog key of a tax-id term: `taxid.kind.…` for a kind (`RFC persona moral` →
 * `taxid.kind.rfc_persona_moral`, any `VAT-XX` → `taxid.kind.vat`), `taxid.rule.…` for a rule
 * (`ISO 7064 MOD 11,10` → `taxid.rule.iso_7064_mod_11_10`, any `digit N` → `taxid.rule.digit_n`).
 */
export function taxIdTermKey(term: 'kind' | 'rule', id: string): string {
  if (term === 'kind' && /^VAT-[A-Z]{2}$/.test(id)) return 'taxid.kind.vat';
  if (term === 'rule' && /^digit \d+$/.test(id)) return 'taxid.rule.digit_n';
  const slug = id
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `taxid.${term}.${slug}`;
}

/**
 * A tax-id kind or rule (src/core/taxid.ts names them with stable English identifiers, which JSON
 * details keep) in the words of `lang`; the identifier itself when the catalog has no entry.
 */
export function taxIdTerm(term: 'kind' | 'rule', id: string, lang: Lang = current): string {
  const prefix = /^VAT-([A-Z]{2})$/.exec(id)?.[1];
  const n = /^digit (\d+)$/.exec(id)?.[1];
  return tOr(taxIdTermKey(term, id), id, { ...(prefix ? { prefix } : {}), ...(n ? { n } : {}) }, lang);
}

/** The parameters of a tax-id message as shown: its `kind` and `rule` in the message's language. */
function taxIdParams(params: Record<string, string | number>, lang: Lang): Record<string, string | number> {
  const out = { ...params };
  if (typeof params.kind === 'string') out.kind = taxIdTerm('kind', params.kind, lang);
  if (typeof params.rule === 'string') out.rule = taxIdTerm('rule', params.rule, lang);
  return out;
}

/**
 * The message of an error: its text, prefixed by the field it is about (`lines[0].qty: …`) when
 * the text does not name it already.
 */
export function errorMessage(code: MessageKey, params: Record<string, string | number> = {}, lang: Lang = current): string {
  const text = t(code, params, lang);
  const field = params.field;
  return field !== undefined && field !== '-' && !text.includes(String(field)) ? `${field}: ${text}` : text;
}
