/** core/text.ts: stored text checked once (NFC, bounded, no control characters), terminal output escaped once. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TpvError } from '../../src/core/errors.js';
import { cleanText, FORBIDDEN, storedText, terminalJson, terminalText, TEXT_LIMITS } from '../../src/core/text.js';

const problem = (raw: string, kind: keyof typeof TEXT_LIMITS = 'note') => {
  const r = cleanText(raw, kind);
  return r.ok ? null : r.problem;
};

describe('cleanText', () => {
  it.each([
    ['ESC', 'a\u001b[2Jb', 'U+001B'],
    ['NUL', 'a\u0000b', 'U+0000'],
    ['BEL', 'a\u0007', 'U+0007'],
    ['TAB in a single-line field', 'a\tb', 'U+0009'],
    ['LF', 'a\nb', 'U+000A'],
    ['CR', 'a\rb', 'U+000D'],
    ['DEL', 'a\u007fb', 'U+007F'],
    ['a C1 control (CSI)', 'a\u009b31m', 'U+009B'],
    ['NEL', 'a\u0085b', 'U+0085'],
    ['the line separator', 'a\u2028b', 'U+2028'],
    ['the paragraph separator', 'a\u2029b', 'U+2029'],
    ['LRE', 'a\u202Ab', 'U+202A'],
    ['RLO (Trojan Source)', 'a\u202Eb', 'U+202E'],
    ['LRI', 'a\u2066b', 'U+2066'],
    ['PDI', 'a\u2069b', 'U+2069'],
  ])('refuses %s, naming the character', (_what, raw, char) => {
    expect(problem(raw)).toEqual({ code: 'text.control', params: { char } });
  });

  it('names fold white space runs (a wrapped spreadsheet cell) instead of refusing them; other kinds do not', () => {
    expect(cleanText('  Ana\n\tGarcía  ', 'name')).toEqual({ ok: true, value: 'Ana García' });
    expect(problem('Ana\nGarcía', 'address')).toEqual({ code: 'text.control', params: { char: 'U+000A' } });
    expect(problem('Ana\u001bGarcía', 'name')).toEqual({ code: 'text.control', params: { char: 'U+001B' } });
  });

  it('normalises to NFC and trims', () => {
    expect(cleanText(' Jose\u0301 ', 'name')).toEqual({ ok: true, value: 'José' });
    expect(cleanText('Ångström', 'note')).toEqual({ ok: true, value: 'Ångström'.normalize('NFC') });
  });

  it('counts characters (code points) against the limit of the kind', () => {
    for (const [kind, max] of Object.entries(TEXT_LIMITS) as [keyof typeof TEXT_LIMITS, number][]) {
      expect(cleanText('x'.repeat(max), kind).ok, kind).toBe(true);
      expect(problem('x'.repeat(max + 1), kind), kind).toEqual({ code: 'text.too_long', params: { max } });
    }
    expect(cleanText('😀'.repeat(TEXT_LIMITS.name), 'name').ok).toBe(true); // 2 UTF-16 units each, one character
  });

  it('refuses a lone surrogate (not Unicode text), keeps emoji and accents', () => {
    expect(problem('a\ud800b')).toEqual({ code: 'text.malformed' });
    expect(problem('\udc00')).toEqual({ code: 'text.malformed' });
    expect(cleanText('Café ☕ 😀 中文', 'note')).toEqual({ ok: true, value: 'Café ☕ 😀 中文' });
  });

  it('storedText throws exit 3 naming the field', () => {
    let err: unknown;
    try {
      storedText('x\u001b', 'name', 'lines[2].note');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TpvError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'text.control', params: { field: 'lines[2].note', char: 'U+001B' } });
  });

  it('property: what it accepts holds no forbidden character and is within the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), fc.constantFrom(...(Object.keys(TEXT_LIMITS) as (keyof typeof TEXT_LIMITS)[])), (raw, kind) => {
        const r = cleanText(raw, kind);
        if (!r.ok) return;
        expect(r.value).not.toMatch(FORBIDDEN);
        expect([...r.value].length).toBeLessThanOrEqual(TEXT_LIMITS[kind]);
        expect(r.value).toBe(r.value.normalize('NFC'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('terminalText and terminalJson', () => {
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('shows control characters as escapes', () => {
    expect(terminalText('a\u001b[2Jb\u0000\u0007')).toBe('a\\x1b[2Jb\\x00\\x07');
    expect(terminalText('x\u009by\u202Ez\u2066')).toBe('x\\x9by\\u202ez\\u2066');
    expect(terminalText('one\ntwo\tthree')).toBe('one\\x0atwo\\x09three');
    expect(terminalText('one\ntwo\tthree\r', true)).toBe('one\ntwo\tthree\\x0d');
    expect(terminalText('Café 😀 €')).toBe('Café 😀 €');
  });

  it('property: nothing a terminal acts on gets through, and escaping twice changes nothing more', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.boolean(), (s, lines) => {
        const once = terminalText(s, lines);
        expect(once).not.toMatch(RAW);
        if (!lines) expect(once).not.toMatch(/[\t\n]/);
        expect(terminalText(once, lines)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: terminalJson is the same JSON value, with no raw control or direction character', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 30 }), (v, s) => {
        const value = { v, s };
        const text = terminalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      }),
      { numRuns: 1000 },
    );
  });
});
