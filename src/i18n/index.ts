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
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
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
