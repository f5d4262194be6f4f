import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyDecoder, keyId, parseKeys, type Key } from '../../src/tui/keys.js';

const ids = (input: string): string[] => parseKeys(input).map(keyId);

/** Feeds `chunks` one by one, then flushes; returns every key. */
function feedAll(chunks: string[]): Key[] {
  const d = new KeyDecoder();
  const keys = chunks.flatMap((c) => d.feed(c));
  return [...keys, ...d.flush()];
}

/** `s` cut at the given UTF-16 offsets (so surrogate pairs and sequences may be split). */
function split(s: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(s.slice(prev, c));
    prev = c;
  }
  out.push(s.slice(prev));
  return out;
}

describe('plain characters', () => {
  it('ASCII, non-ASCII and astral code points are one char each', () => {
    const keys = parseKeys('aZ ñ€😀');
    expect(keys.map((k) => k.ch)).toEqual(['a', 'Z', ' ', 'ñ', '€', '😀']);
    expect(keys.every((k) => k.name === 'char' && !k.ctrl && !k.alt && !k.shift)).toBe(true);
    expect(keys[5]).toEqual({ name: 'char', ch: '😀', ctrl: false, alt: false, shift: false, seq: '😀' });
  });

  it('a surrogate pair split across chunks waits for its second half', () => {
    const d = new KeyDecoder();
    expect(d.feed('a\ud83d')).toEqual([expect.objectContaining({ ch: 'a' })]);
    expect(d.pending).toBe(true);
    expect(d.feed('\ude00b').map((k) => k.ch)).toEqual(['😀', 'b']);
    expect(d.pending).toBe(false);
  });

  it('lone surrogates and C1 controls are unknown, never chars', () => {
    expect(ids('\ud83dx\ude00\u009b')).toEqual(['unknown', 'x', 'unknown', 'unknown']);
    const d = new KeyDecoder();
    expect(d.feed('\ud83d')).toEqual([]);
    expect(d.flush()).toEqual([expect.objectContaining({ name: 'unknown', seq: '\ud83d' })]);
  });
});

describe('enter, tab, backspace and control characters', () => {
  it('"\\r" and "\\n" are enter', () => {
    expect(parseKeys('\r')).toEqual([{ name: 'enter', ch: '', ctrl: false, alt: false, shift: false, seq: '\r' }]);
    expect(ids('\n')).toEqual(['enter']);
  });

  it('"\\r\\n" is one enter, in one chunk or across chunks', () => {
    expect(ids('1\r\n2')).toEqual(['1', 'enter', '2']);
    expect(feedAll(['1\r', '\n2']).map(keyId)).toEqual(['1', 'enter', '2']);
    expect(feedAll(['1\r', '', '\n2']).map(keyId)).toEqual(['1', 'enter', '2']);
  });

  it('other combinations of CR and LF are one enter each', () => {
    expect(ids('\r\r')).toEqual(['enter', 'enter']);
    expect(ids('\n\r')).toEqual(['enter', 'enter']);
    expect(ids('\n\n')).toEqual(['enter', 'enter']);
    expect(ids('\r\n\n')).toEqual(['enter', 'enter']);
    expect(ids('\r\n\r\n')).toEqual(['enter', 'enter']);
    expect(ids('\rx\n')).toEqual(['enter', 'x', 'enter']);
    expect(ids('\r\x1b\n')).toEqual(['enter', 'alt+enter']);
  });

  it('tab, backtab, backspace', () => {
    expect(ids('\t\x1b[Z\x7f\b')).toEqual(['tab', 'backtab', 'backspace', 'backspace']);
    expect(parseKeys('\x1b[Z')[0]).toMatchObject({ name: 'backtab', shift: false, seq: '\x1b[Z' });
  });

  it('bytes 0x01–0x1a other than \\t \\r \\n \\b are ctrl+letter', () => {
    for (let c = 1; c <= 26; c++) {
      if ([8, 9, 10, 13].includes(c)) continue;
      const letter = String.fromCharCode(0x60 + c);
      const [k] = parseKeys(String.fromCharCode(c));
      expect(k).toEqual({ name: 'char', ch: letter, ctrl: true, alt: false, shift: false, seq: String.fromCharCode(c) });
      expect(keyId(k!)).toBe(`ctrl+${letter}`);
    }
  });

  it('"\\x00" is ctrl+space; 0x1c–0x1f are ctrl+\\ ] ^ _', () => {
    expect(parseKeys('\x00')).toEqual([{ name: 'char', ch: ' ', ctrl: true, alt: false, shift: false, seq: '\x00' }]);
    expect(ids('\x1c\x1d\x1e\x1f')).toEqual(['ctrl+\\', 'ctrl+]', 'ctrl+^', 'ctrl+_']);
  });
});

describe('alt', () => {
  it('ESC + a printable char is that char with alt', () => {
    expect(parseKeys('\x1bx')).toEqual([{ name: 'char', ch: 'x', ctrl: false, alt: true, shift: false, seq: '\x1bx' }]);
    expect(ids('\x1bX\x1bñ\x1b😀\x1b1')).toEqual(['alt+X', 'alt+ñ', 'alt+😀', 'alt+1']);
  });

  it('ESC + a control key is that key with alt', () => {
    expect(ids('\x1b\x7f\x1b\r\x1b\x03\x1b\t')).toEqual(['alt+backspace', 'alt+enter', 'ctrl+alt+c', 'alt+tab']);
  });

  it('ESC + a sequence is that key with alt', () => {
    expect(parseKeys('\x1b\x1b[A')).toEqual([{ name: 'up', ch: '', ctrl: false, alt: true, shift: false, seq: '\x1b\x1b[A' }]);
    expect(ids('\x1b\x1bOP\x1b\x1b[5~\x1b\x1b[1;5C\x1b\x1b[[B')).toEqual(['alt+f1', 'alt+pageup', 'ctrl+alt+right', 'alt+f2']);
  });

  it('ESC ESC not followed by a sequence is an escape first (no keystroke lost)', () => {
    expect(ids('\x1b\x1bx')).toEqual(['escape', 'alt+x']);
    expect(ids('\x1b\x1b')).toEqual(['escape', 'escape']);
    expect(ids('\x1b\x1b\x1b')).toEqual(['escape', 'escape', 'escape']);
    expect(ids('\x1b\x1b[200~a')).toEqual(['escape', 'a']);
    expect(ids('\x1b\x1b[\r')).toEqual(['escape', 'alt+[', 'enter']);
  });
});

describe('cursor and editing keys', () => {
  const table: [string, string][] = [
    ['\x1b[A', 'up'], ['\x1b[B', 'down'], ['\x1b[C', 'right'], ['\x1b[D', 'left'],
    ['\x1bOA', 'up'], ['\x1bOB', 'down'], ['\x1bOC', 'right'], ['\x1bOD', 'left'],
    ['\x1b[H', 'home'], ['\x1b[1~', 'home'], ['\x1b[7~', 'home'], ['\x1bOH', 'home'],
    ['\x1b[F', 'end'], ['\x1b[4~', 'end'], ['\x1b[8~', 'end'], ['\x1bOF', 'end'],
    ['\x1b[2~', 'insert'], ['\x1b[3~', 'delete'], ['\x1b[5~', 'pageup'], ['\x1b[6~', 'pagedown'],
    ['\x1bOM', 'enter'],
  ];
  it.each(table)('%j → %s', (seq, id) => {
    const keys = parseKeys(seq);
    expect(keys).toHaveLength(1);
    expect(keyId(keys[0]!)).toBe(id);
    expect(keys[0]!.seq).toBe(seq);
    expect(keys[0]!.ch).toBe('');
  });

  it('application keypad digits and operators are chars', () => {
    expect(ids('\x1bOp\x1bOy\x1bOk\x1bOm\x1bOn\x1bOj\x1bOo')).toEqual(['0', '9', '+', '-', '.', '*', '/']);
  });
});

describe('function keys', () => {
  const families: [string, string[]][] = [
    ['xterm / tmux / screen SS3', ['\x1bOP', '\x1bOQ', '\x1bOR', '\x1bOS']],
    ['rxvt', ['\x1b[11~', '\x1b[12~', '\x1b[13~', '\x1b[14~']],
    ['Linux console', ['\x1b[[A', '\x1b[[B', '\x1b[[C', '\x1b[[D', '\x1b[[E']],
    ['CSI letters', ['\x1b[P', '\x1b[Q', '\x1b[R', '\x1b[S']],
  ];
  it.each(families)('%s: F1 upwards', (_family, seqs) => {
    expect(ids(seqs.join(''))).toEqual(seqs.map((_, i) => `f${i + 1}`));
  });

  it('F5–F12 (all terminals)', () => {
    const seqs = ['\x1b[15~', '\x1b[17~', '\x1b[18~', '\x1b[19~', '\x1b[20~', '\x1b[21~', '\x1b[23~', '\x1b[24~'];
    expect(ids(seqs.join(''))).toEqual(['f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12']);
  });

  it('gaps in the ~ table are unknown, consumed whole', () => {
    expect(parseKeys('\x1b[16~\x1b[22~\x1b[99~')).toEqual(
      ['\x1b[16~', '\x1b[22~', '\x1b[99~'].map((seq) => ({ name: 'unknown', ch: '', ctrl: false, alt: false, shift: false, seq })),
    );
  });
});

describe('modifiers', () => {
  const table: [string, string][] = [
    ['\x1b[1;2A', 'shift+up'],
    ['\x1b[1;3B', 'alt+down'],
    ['\x1b[1;4C', 'alt+shift+right'],
    ['\x1b[1;5D', 'ctrl+left'],
    ['\x1b[1;5A', 'ctrl+up'],
    ['\x1b[1;6A', 'ctrl+shift+up'],
    ['\x1b[1;7A', 'ctrl+alt+up'],
    ['\x1b[1;8A', 'ctrl+alt+shift+up'],
    ['\x1b[1;9A', 'alt+up'], // meta
    ['\x1b[1;5H', 'ctrl+home'],
    ['\x1b[1;2F', 'shift+end'],
    ['\x1b[1;2P', 'shift+f1'],
    ['\x1b[1;5S', 'ctrl+f4'],
    ['\x1bO2P', 'shift+f1'],
    ['\x1bO5A', 'ctrl+up'],
    ['\x1b[5;5~', 'ctrl+pageup'],
    ['\x1b[3;2~', 'shift+delete'],
    ['\x1b[15;2~', 'shift+f5'],
    ['\x1b[24;7~', 'ctrl+alt+f12'],
    ['\x1b[1;1A', 'up'],
    ['\x1b[1;2Z', 'backtab'],
    // rxvt
    ['\x1b[2$', 'shift+insert'],
    ['\x1b[5^', 'ctrl+pageup'],
    ['\x1b[11^', 'ctrl+f1'],
    ['\x1b[3@', 'ctrl+shift+delete'],
    ['\x1b[a', 'shift+up'],
    ['\x1b[d', 'shift+left'],
    ['\x1bOa', 'ctrl+up'],
    ['\x1bOc', 'ctrl+right'],
  ];
  it.each(table)('%j → %s', (seq, id) => {
    expect(ids(seq)).toEqual([id]);
  });

  it('sets the flags on the key', () => {
    expect(parseKeys('\x1b[1;5A')[0]).toEqual({ name: 'up', ch: '', ctrl: true, alt: false, shift: false, seq: '\x1b[1;5A' });
    expect(parseKeys('\x1b[1;2P')[0]).toMatchObject({ name: 'f1', shift: true, ctrl: false, alt: false });
  });
});

describe('other sequences', () => {
  it.each([
    '\x1b[?1;2c', // device attributes reply
    '\x1b[<0;12;5M', // SGR mouse
    '\x1b[I', // focus in
    '\x1b[O', // focus out
    '\x1b[27;5;13~', // modifyOtherKeys
    '\x1b[1:5A', // sub-parameters
    '\x1b[E', // keypad 5
    '\x1b[[Z',
    '\x1bOZ',
    '\x1b[2 q',
    '\x1b[1;2$y', // mode report: '$' is an intermediate here, not rxvt's shift
  ])('%j is one unknown key, its bytes never leak as chars', (seq) => {
    expect(parseKeys(`a${seq}b`)).toEqual([
      expect.objectContaining({ name: 'char', ch: 'a' }),
      { name: 'unknown', ch: '', ctrl: false, alt: false, shift: false, seq },
      expect.objectContaining({ name: 'char', ch: 'b' }),
    ]);
  });

  it('a broken sequence ends at the first byte that cannot belong to it', () => {
    expect(parseKeys('\x1b[1;\rx').map((k) => [keyId(k), k.seq])).toEqual([
      ['unknown', '\x1b[1;'],
      ['enter', '\r'],
      ['x', 'x'],
    ]);
    expect(ids('\x1b[\r')).toEqual(['alt+[', 'enter']);
    expect(ids('\x1bO\t')).toEqual(['alt+O', 'tab']);
    expect(ids('\x1bO5ñ')).toEqual(['unknown', 'ñ']);
    expect(ids('\x1b[[\x1b[A')).toEqual(['unknown', 'up']);
  });

  it('a runaway sequence is cut as unknown after 64 bytes, the rest decodes as usual', () => {
    const long = `\x1b[${'1;'.repeat(100)}A`;
    const keys = parseKeys(long);
    expect(keys[0]).toMatchObject({ name: 'unknown', seq: long.slice(0, 64) });
    expect(keys.map((k) => k.seq).join('')).toBe(long);
    expect(feedAll(long.split(''))).toEqual(keys);
    const d = new KeyDecoder();
    expect(d.feed(long.slice(0, 63))).toEqual([]);
    expect(d.pending).toBe(true);
  });

  it('bracketed paste: the markers are dropped, the text decodes as keys', () => {
    expect(ids('\x1b[200~ab\r\nc\x1b[201~x')).toEqual(['a', 'b', 'enter', 'c', 'x']);
    expect(feedAll(['\x1b[20', '0~8410', '\r\x1b[2', '01~']).map(keyId)).toEqual(['8', '4', '1', '0', 'enter']);
  });
});

describe('incomplete sequences at a chunk end', () => {
  const cases: [string, string, string][] = [
    // buffered prefix, completion, key
    ['\x1b', '[A', 'up'],
    ['\x1b', 'x', 'alt+x'],
    ['\x1b[', 'B', 'down'],
    ['\x1b[1;', '5C', 'ctrl+right'],
    ['\x1b[1', '5~', 'f5'],
    ['\x1bO', 'P', 'f1'],
    ['\x1b[[', 'A', 'f1'],
    ['\x1b\x1b', '[D', 'alt+left'],
    ['\x1b\x1b[', '6~', 'alt+pagedown'],
    ['\x1b[200', '~', ''],
  ];
  it.each(cases)('%j is buffered, then completed by %j', (prefix, rest, id) => {
    const d = new KeyDecoder();
    expect(d.feed(`z${prefix}`).map(keyId)).toEqual(['z']);
    expect(d.pending).toBe(true);
    expect(d.feed(rest).map(keyId)).toEqual(id ? [id] : []);
    expect(d.pending).toBe(false);
    expect(d.flush()).toEqual([]);
  });

  const flushed: [string, string[]][] = [
    ['\x1b', ['escape']],
    ['\x1b[', ['alt+[']],
    ['\x1bO', ['alt+O']],
    ['\x1b[1;', ['unknown']],
    ['\x1b[[', ['unknown']],
    ['\x1bO5', ['unknown']],
    ['\x1b\x1b', ['escape', 'escape']],
    ['\x1b\x1b[', ['escape', 'alt+[']],
    ['\x1b\x1b[1;', ['escape', 'unknown']],
    ['\x1b\ud83d', ['alt+unknown']],
  ];
  it.each(flushed)('flush() resolves %j to %j', (prefix, want) => {
    const d = new KeyDecoder();
    expect(d.feed(prefix)).toEqual([]);
    expect(d.pending).toBe(true);
    const keys = d.flush();
    expect(keys.map(keyId)).toEqual(want);
    expect(keys.map((k) => k.seq).join('')).toBe(prefix);
    expect(d.pending).toBe(false);
    expect(d.flush()).toEqual([]);
  });

  it('a lone escape resolved by flush is a complete escape key', () => {
    const d = new KeyDecoder();
    d.feed('\x1b');
    expect(d.flush()).toEqual([{ name: 'escape', ch: '', ctrl: false, alt: false, shift: false, seq: '\x1b' }]);
    expect(d.feed('[A').map(keyId)).toEqual(['[', 'A']);
  });
});

describe('keyId', () => {
  const k = (over: Partial<Key>): Key => ({ name: 'char', ch: '', ctrl: false, alt: false, shift: false, seq: '', ...over });
  it.each<[Partial<Key>, string]>([
    [{ name: 'f2' }, 'f2'],
    [{ ch: 'c', ctrl: true }, 'ctrl+c'],
    [{ ch: 'x', alt: true }, 'alt+x'],
    [{ ch: 'x' }, 'x'],
    [{ ch: 'A', shift: true }, 'A'],
    [{ ch: 'A', alt: true, shift: true }, 'alt+A'],
    [{ name: 'tab', shift: true }, 'backtab'],
    [{ name: 'backtab', shift: true }, 'backtab'],
    [{ name: 'enter' }, 'enter'],
    [{ name: 'up', ctrl: true }, 'ctrl+up'],
    [{ name: 'up', ctrl: true, alt: true, shift: true }, 'ctrl+alt+shift+up'],
    [{ name: 'unknown', seq: '\x1b[I' }, 'unknown'],
  ])('%j → %s', (over, id) => {
    expect(keyId(k(over))).toBe(id);
  });
});

// ---------------------------------------------------------------------------------------------
// Chunking: any split of the input gives the same keys as decoding it whole.

/** [raw sequence, keyId] for keys whose encoding is unambiguous next to any other of them. */
const TOKENS: [string, string][] = [
  ['a', 'a'], ['Z', 'Z'], ['7', '7'], [' ', ' '], ['[', '['], ['O', 'O'], ['ñ', 'ñ'], ['€', '€'], ['😀', '😀'], ['𝄞', '𝄞'],
  ['\r', 'enter'], ['\r\n', 'enter'], ['\t', 'tab'], ['\x7f', 'backspace'], ['\b', 'backspace'], ['\x03', 'ctrl+c'],
  ['\x00', 'ctrl+ '], ['\x1b[Z', 'backtab'], ['\x1bx', 'alt+x'], ['\x1bñ', 'alt+ñ'], ['\x1b\x1b[A', 'alt+up'],
  ['\x1b[A', 'up'], ['\x1bOB', 'down'], ['\x1b[1;5C', 'ctrl+right'], ['\x1b[1~', 'home'], ['\x1b[8~', 'end'],
  ['\x1b[3~', 'delete'], ['\x1b[5;5~', 'ctrl+pageup'], ['\x1bOP', 'f1'], ['\x1b[1;2Q', 'shift+f2'], ['\x1b[13~', 'f3'],
  ['\x1b[[D', 'f4'], ['\x1b[[E', 'f5'], ['\x1b[17~', 'f6'], ['\x1b[21~', 'f10'], ['\x1b[24~', 'f12'], ['\x1b[2$', 'shift+insert'],
  ['\x1b[?1;2c', 'unknown'], ['\x1b[200~', ''], ['\x1b[201~', ''],
];
/** Ambiguous on purpose: lone escapes, LF, and prefixes of sequences, to land at chunk ends. */
const NASTY = ['\x1b', '\x1b\x1b', '\n', '\x1b[', '\x1b[1;', '\x1bO', '\x1b[[', '\ud83d', '\ude00', '\u009b', '\x1c'];

const token = fc.constantFrom(...TOKENS);
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('chunking', () => {
  it('property: any split of a random key sequence decodes like the whole string', () => {
    const piece = fc.oneof(
      { weight: 6, arbitrary: token.map(([s]) => s) },
      { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), cuts, (pieces, at) => {
        const input = pieces.join('');
        const whole = parseKeys(input);
        expect(feedAll(split(input, at))).toEqual(whole);
        // and nothing is lost: the sequences put together give back the input (minus CRLF LFs)
        expect(whole.map((k) => k.seq).join('')).toBe(stripMarkersAndCrlfLf(input, whole));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: one char per chunk decodes like the whole string', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(token.map(([s]) => s), fc.constantFrom(...NASTY)), { maxLength: 30 }), (pieces) => {
        const input = pieces.join('');
        expect(feedAll(input.split(''))).toEqual(parseKeys(input));
      }),
      { numRuns: 500 },
    );
  });

  it('property: unambiguous keys come out as generated, however split (escape only last)', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.boolean(), cuts, (tokens, esc, at) => {
        const input = tokens.map(([s]) => s).join('') + (esc ? '\x1b' : '');
        const want = [...tokens.map(([, id]) => id).filter((id) => id !== ''), ...(esc ? ['escape'] : [])];
        expect(feedAll(split(input, at)).map(keyId)).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });
});

/** What the keys' seqs should add up to: the input without paste markers and without the LF of each CRLF enter. */
function stripMarkersAndCrlfLf(input: string, keys: Key[]): string {
  // Walk the input alongside the keys: every input unit is in a key's seq, in a dropped paste
  // marker, or is the LF right after an enter whose seq is a bare CR.
  let out = '';
  let i = 0;
  let k = 0;
  let afterCR = false;
  while (i < input.length) {
    const seq = keys[k]?.seq;
    const wasCR = afterCR;
    afterCR = false;
    if (input.startsWith('\x1b[200~', i) || input.startsWith('\x1b[201~', i)) i += 6;
    else if (wasCR && input[i] === '\n') i++;
    else if (seq !== undefined && input.startsWith(seq, i)) {
      out += seq;
      i += seq.length;
      k++;
      afterCR = seq === '\r';
    } else return `<input not covered at ${i}>`;
  }
  return k === keys.length ? out : '<extra keys>';
}

describe('barcode scanner bursts', () => {
  const codes = Array.from({ length: 50 }, (_, n) => `84100000${String(n).padStart(5, '0')}`);
  const burst = codes.map((c) => `${c}\r`).join('');
  const want = codes.flatMap((c) => [...c, 'enter']);

  it('50 codes + CR in one chunk give 50 × (13 chars + enter), in order', () => {
    expect(want).toHaveLength(50 * 14);
    expect(feedAll([burst]).map(keyId)).toEqual(want);
  });

  it('the same burst with a CRLF suffix, split at every possible byte', () => {
    const crlf = burst.replaceAll('\r', '\r\n');
    for (let at = 0; at <= crlf.length; at += 7) {
      expect(feedAll([crlf.slice(0, at), crlf.slice(at)]).map(keyId)).toEqual(want);
    }
    expect(feedAll(crlf.split('')).map(keyId)).toEqual(want);
  });

  it('property: randomly split bursts keep every keystroke in order', () => {
    fc.assert(
      fc.property(cuts, (at) => {
        expect(feedAll(split(burst, at)).map(keyId)).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('a 500,000-char burst in one chunk and 50,000 one-char chunks: every key, nothing carried over between chunks', () => {
    const big = `${'8410000000012\r'.repeat(35_715)}`.slice(0, 500_000);
    expect(parseKeys(big)).toHaveLength(big.length);
    // Linear without a clock: fed one char at a time, each chunk comes out as its key at once and
    // nothing stays buffered, so no feed re-reads earlier input (a decoder that re-scanned what it
    // had buffered would hold the input back and go quadratic).
    const small = big.slice(0, 50_000);
    const d = new KeyDecoder();
    let n = 0;
    let notAtOnce = 0;
    let held = 0;
    for (let i = 0; i < small.length; i++) {
      const keys = d.feed(small[i]!);
      n += keys.length;
      if (keys.length !== 1) notAtOnce++;
      if (d.pending) held++;
    }
    expect(n).toBe(small.length);
    expect({ notAtOnce, held }).toEqual({ notAtOnce: 0, held: 0 });
  });
});
