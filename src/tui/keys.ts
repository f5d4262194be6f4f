/**
 * Raw terminal input → key events, for the cashier terminal that reads stdin in raw mode itself.
 *
 * Understands xterm, tmux/screen, the Linux console and rxvt, and keyboard-wedge barcode
 * scanners whose whole burst may arrive in one chunk or split at any point. Pure: no I/O.
 *
 * Decisions worth knowing:
 * - "\r\n" is one enter, also split across chunks: a "\n" right after a "\r" is dropped (the
 *   enter's `seq` stays "\r"). Consequence: Ctrl+J pressed right after Enter is not seen.
 * - ESC ESC followed by a CSI/SS3 sequence is that key with alt; ESC ESC followed by anything
 *   else is a plain escape, then whatever follows (so a quick double Esc is two escapes).
 * - Bytes 0x1c–0x1f are ctrl+'\\', ctrl+']', ctrl+'^', ctrl+'_'. C1 controls (U+0080–U+009F)
 *   and lone surrogates are 'unknown'.
 * - The xterm modifier bit 8 (meta) counts as alt.
 * - flush() resolves what is buffered: a lone ESC → escape; "\x1b[" and "\x1bO" → alt+'[' and
 *   alt+'O' (what Alt+[ / Alt+Shift+O send); a longer incomplete sequence ("\x1b[1;", "\x1b[[")
 *   → one 'unknown' key, so its bytes never leak as typed characters.
 * - A sequence still without its final byte after {@link MAX_SEQ} bytes is cut there as one
 *   'unknown' key and what follows decodes as usual (no terminal sends such input keys).
 */

/** Names of the keys the decoder emits. */
export type KeyName =
  | 'char'
  | 'enter'
  | 'tab'
  | 'backtab'
  | 'backspace'
  | 'delete'
  | 'insert'
  | 'escape'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'pageup'
  | 'pagedown'
  | 'f1'
  | 'f2'
  | 'f3'
  | 'f4'
  | 'f5'
  | 'f6'
  | 'f7'
  | 'f8'
  | 'f9'
  | 'f10'
  | 'f11'
  | 'f12'
  | 'unknown';

/** One key event. */
export interface Key {
  name: KeyName;
  /** the character for 'char' (one Unicode code point, may be non-ASCII like 'ñ' or '€'); '' otherwise */
  ch: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  /** raw bytes/sequence that produced it */
  seq: string;
}

/** Longest escape sequence accepted before it is cut as 'unknown'. */
const MAX_SEQ = 64;

const ESC = 0x1b;
const LBRACKET = 0x5b; // '['
const SS3 = 0x4f; // 'O'
const DOLLAR = 0x24; // rxvt ends shifted keys with '$' (an intermediate byte in ECMA-48)

// Modifier bits as in xterm's "m - 1": shift 1, alt 2, ctrl 4, meta 8 (taken as alt).
const SHIFT = 1;
const ALT = 2;
const CTRL = 4;
const META = 8;

function mk(name: KeyName, seq: string, ch = '', bits = 0): Key {
  return { name, ch, ctrl: (bits & CTRL) !== 0, alt: (bits & (ALT | META)) !== 0, shift: (bits & SHIFT) !== 0, seq };
}

const withAlt = (k: Key, seq: string): Key => ({ ...k, alt: true, seq });

/** CSI <n>~ (also rxvt's $ ^ @ finals). */
const TILDE: Record<number, KeyName> = {
  1: 'home', 2: 'insert', 3: 'delete', 4: 'end', 5: 'pageup', 6: 'pagedown', 7: 'home', 8: 'end',
  11: 'f1', 12: 'f2', 13: 'f3', 14: 'f4', 15: 'f5', 17: 'f6', 18: 'f7', 19: 'f8', 20: 'f9', 21: 'f10', 23: 'f11', 24: 'f12',
};

/** CSI [1;m]<letter> and SS3 <letter>. */
const LETTER: Record<string, KeyName> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', Z: 'backtab',
};

/** rxvt: CSI a–d are shift+arrows, SS3 a–d ctrl+arrows. */
const RXVT_ARROW: Record<string, KeyName> = { a: 'up', b: 'down', c: 'right', d: 'left' };

/** Linux console: CSI [ A–E are F1–F5. */
const LINUX_F: Record<string, KeyName> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

/** SS3 keys of the numeric keypad in application mode. */
const KEYPAD: Record<string, string> = {
  j: '*', k: '+', l: ',', m: '-', n: '.', o: '/', X: '=',
  p: '0', q: '1', r: '2', s: '3', t: '4', u: '5', v: '6', w: '7', x: '8', y: '9',
};

const isFinal = (c: number): boolean => c >= 0x40 && c <= 0x7e;

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** "a key, ending at `end`" (key null: consumed without a key, the paste markers). */
interface Parsed {
  key: Key | null;
  end: number;
}
/** More input is needed. */
const INCOMPLETE = 0;
/** ESC + this byte is not a sequence: it is alt + the byte. */
const NOT_SEQ = 1;
type SeqResult = Parsed | typeof INCOMPLETE | typeof NOT_SEQ;

/** The parameters "1;5" → [1, 5] (empty → 0); undefined when one is not a number. */
function numbers(params: string): number[] | undefined {
  if (params === '') return [];
  const out = params.split(';').map((p) => (p === '' ? 0 : Number(p)));
  return out.every(Number.isInteger) ? out : undefined;
}

/** Modifier bits of an xterm modifier parameter (1 or absent = none). */
const modBits = (m: number | undefined): number => (m !== undefined && m > 1 ? m - 1 : 0);

/** A complete CSI: `params` are the bytes between "ESC[" and the final byte. */
function csiKey(params: string, final: string, seq: string): Key | null {
  const p = /^[0-9;]*$/.test(params) ? numbers(params) : undefined;
  if (!p) return mk('unknown', seq); // private (?, <, >, =), intermediates, sub-parameters
  if (final === '~' || final === '$' || final === '^' || final === '@') {
    if (final === '~' && (p[0] === 200 || p[0] === 201)) return null; // bracketed paste markers
    const name = TILDE[p[0] ?? 0];
    if (!name) return mk('unknown', seq);
    const bits = final === '~' ? modBits(p[1]) : final === '$' ? SHIFT : final === '^' ? CTRL : CTRL | SHIFT;
    return mk(name, seq, '', bits);
  }
  const rxvt = RXVT_ARROW[final];
  if (rxvt && p.length === 0) return mk(rxvt, seq, '', SHIFT);
  const name = LETTER[final];
  if (!name) return mk('unknown', seq);
  return mk(name, seq, '', name === 'backtab' ? modBits(p[1]) & ~SHIFT : modBits(p[1]));
}

/** A complete SS3 ("ESC O", optional xterm modifier digits, final byte). */
function ss3Key(params: string, final: string, seq: string): Key {
  const p = numbers(params);
  const bits = p ? modBits(p[p.length - 1]) : 0;
  if (final === 'M') return mk('enter', seq, '', bits);
  const pad = KEYPAD[final];
  if (pad) return mk('char', seq, pad, bits);
  const rxvt = RXVT_ARROW[final];
  if (rxvt) return mk(rxvt, seq, '', CTRL);
  const name = LETTER[final];
  return name && name !== 'backtab' ? mk(name, seq, '', bits) : mk('unknown', seq);
}

/** The sequence at `i` ("ESC [" or "ESC O" there). */
function parseSeq(s: string, i: number): SeqResult {
  const n = s.length;
  const ss3 = s.charCodeAt(i + 1) === SS3;
  const start = i + 2;
  if (start >= n) return INCOMPLETE;
  if (!ss3 && s.charCodeAt(start) === LBRACKET) {
    // Linux console F1–F5: ESC [ [ A..E
    if (start + 1 >= n) return INCOMPLETE;
    if (!isFinal(s.charCodeAt(start + 1))) return { key: mk('unknown', s.slice(i, start + 1)), end: start + 1 };
    const seq = s.slice(i, start + 2);
    return { key: mk(LINUX_F[s[start + 1]!] ?? 'unknown', seq), end: start + 2 };
  }
  // CSI: parameter and intermediate bytes 0x20–0x3f; SS3: only digits and ';'.
  let k = start;
  let digits = false; // ESC[ and only digits so far: a '$' ends the sequence (rxvt's shift, ESC[2$)
  for (; k < n; k++) {
    const c = s.charCodeAt(k);
    if (isFinal(c) || (c === DOLLAR && digits)) break;
    const isDigit = c >= 0x30 && c <= 0x39;
    digits = !ss3 && isDigit && (digits || k === start);
    const ok = ss3 ? isDigit || c === 0x3b : c >= 0x20 && c <= 0x3f;
    if (!ok) return k === start ? NOT_SEQ : { key: mk('unknown', s.slice(i, k)), end: k };
    if (k - i >= MAX_SEQ) return { key: mk('unknown', s.slice(i, k)), end: k };
  }
  if (k >= n) return INCOMPLETE;
  const seq = s.slice(i, k + 1);
  const params = s.slice(start, k);
  return { key: ss3 ? ss3Key(params, s[k]!, seq) : csiKey(params, s[k]!, seq), end: k + 1 };
}

/** The key of the code point at `i` that is not ESC; null when a lone high surrogate ends the input. */
function plainKey(s: string, i: number, final: boolean): Key | null {
  const c = s.charCodeAt(i);
  if (isHigh(c)) {
    if (i + 1 >= s.length) return final ? mk('unknown', s.slice(i, i + 1)) : null;
    if (isLow(s.charCodeAt(i + 1))) {
      const ch = s.slice(i, i + 2);
      return mk('char', ch, ch);
    }
  }
  const seq = s[i]!;
  if (isHigh(c) || isLow(c) || (c >= 0x80 && c < 0xa0)) return mk('unknown', seq);
  switch (c) {
    case 0x0d:
    case 0x0a:
      return mk('enter', seq);
    case 0x09:
      return mk('tab', seq);
    case 0x08:
    case 0x7f:
      return mk('backspace', seq);
    case 0x00:
      return mk('char', seq, ' ', CTRL);
  }
  if (c < 0x20) return mk('char', seq, String.fromCharCode(c < ESC ? c + 0x60 : c + 0x40), CTRL);
  return mk('char', seq, seq);
}

/**
 * Stateful decoder: feed chunks as they arrive; returns the complete keys. A trailing incomplete
 * escape sequence (or half a surrogate pair) is kept for the next chunk.
 */
export class KeyDecoder {
  private buf = '';
  private afterCR = false;

  /** Decodes `chunk` (after what was buffered) and returns the complete keys, in order. */
  feed(chunk: string): Key[] {
    const s = this.buf === '' ? chunk : this.buf + chunk;
    this.buf = '';
    return this.run(s, false);
  }

  /** True when an incomplete sequence is buffered (the caller then calls flush() after a short timeout, ~25 ms, so a lone ESC becomes 'escape'). */
  get pending(): boolean {
    return this.buf !== '';
  }

  /** Emits whatever is buffered: a lone "\x1b" → escape; "\x1b[" / "\x1bO" → alt+'[' / alt+'O'; a longer incomplete sequence → 'unknown'. */
  flush(): Key[] {
    const s = this.buf;
    this.buf = '';
    return s === '' ? [] : this.run(s, true);
  }

  private run(s: string, final: boolean): Key[] {
    const out: Key[] = [];
    for (let i = 0; i < s.length; ) {
      const c = s.charCodeAt(i);
      let end: number;
      if (c === 0x0a && this.afterCR) end = i + 1; // the LF of a CRLF
      else end = c === ESC ? this.escape(s, i, final, out) : this.plain(s, i, final, out);
      if (end < 0) {
        this.buf = s.slice(i);
        break;
      }
      this.afterCR = c === 0x0d;
      i = end;
    }
    return out;
  }

  /** Emits the key at `i`; returns where the next one starts, or -1 when more input is needed. */
  private plain(s: string, i: number, final: boolean, out: Key[]): number {
    const k = plainKey(s, i, final);
    if (!k) return -1;
    out.push(k);
    return i + k.seq.length;
  }

  private escape(s: string, i: number, final: boolean, out: Key[]): number {
    const n = s.length;
    if (i + 1 >= n) {
      if (!final) return -1;
      out.push(mk('escape', '\x1b'));
      return n;
    }
    const c1 = s.charCodeAt(i + 1);
    if (c1 === LBRACKET || c1 === SS3) {
      let r = parseSeq(s, i);
      if (r === INCOMPLETE) {
        if (!final) return -1;
        if (n - i > 2) {
          out.push(mk('unknown', s.slice(i)));
          return n;
        }
        r = NOT_SEQ;
      }
      if (r === NOT_SEQ) {
        out.push(mk('char', s.slice(i, i + 2), s[i + 1], ALT));
        return i + 2;
      }
      if (r.key) out.push(r.key);
      return r.end;
    }
    if (c1 === ESC) {
      // ESC + a sequence = that key with alt; otherwise the first ESC is a plain escape.
      const c2 = s.charCodeAt(i + 2);
      if (Number.isNaN(c2)) {
        if (!final) return -1;
      } else if (c2 === LBRACKET || c2 === SS3) {
        const r = parseSeq(s, i + 1);
        if (r === INCOMPLETE && !final) return -1;
        if (typeof r === 'object' && r.key) {
          out.push(withAlt(r.key, s.slice(i, r.end)));
          return r.end;
        }
      }
      out.push(mk('escape', '\x1b'));
      return i + 1;
    }
    const k = plainKey(s, i + 1, final);
    if (!k) return -1;
    const end = i + 1 + k.seq.length;
    out.push(withAlt(k, s.slice(i, end)));
    return end;
  }
}

/** Convenience: decode a whole string at once (feed + flush). */
export function parseKeys(input: string): Key[] {
  const d = new KeyDecoder();
  return [...d.feed(input), ...d.flush()];
}

/**
 * A stable textual name used by the keymap: 'f2', 'ctrl+c', 'alt+x', 'backtab' (also for
 * shift+tab), 'enter', 'x' (a plain char is itself, so space is ' ' and Ctrl+Space 'ctrl+ '),
 * 'ctrl+up'. Modifiers in order ctrl+alt+shift; shift is never added to a char (the char tells).
 */
export function keyId(k: Key): string {
  const backtab = k.name === 'backtab' || (k.name === 'tab' && k.shift);
  const base = k.name === 'char' ? k.ch : backtab ? 'backtab' : k.name;
  let id = '';
  if (k.ctrl) id += 'ctrl+';
  if (k.alt) id += 'alt+';
  if (k.shift && k.name !== 'char' && !backtab) id += 'shift+';
  return id + base;
}
