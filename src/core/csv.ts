/**
 * An incremental RFC 4180 CSV reader: quoted fields with embedded delimiters, doubled quotes and
 * newlines; CRLF or LF. Text is pushed in chunks (already decoded); complete records come out with
 * the physical line number where each starts, for error messages.
 */

export interface CsvRecord {
  line: number;
  fields: string[];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvReader {
  private buf = '';
  private line = 1; // physical line at the start of buf

  constructor(private readonly delimiter: string) {
    if (delimiter.length !== 1) throw new RangeError('the delimiter is one character');
  }

  /** Feeds a chunk; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    this.buf += chunk;
    return this.drain(false);
  }

  /** Ends the input; returns the last record (a final line without newline). */
  end(): CsvRecord[] {
    const out = this.drain(true);
    this.buf = '';
    return out;
  }

  private drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const s = this.buf;
    const d = this.delimiter;
    const n = s.length;
    let pos = 0;
    let quote = s.indexOf('"'); // next quote at or after pos (-1: none left)
    while (pos < n) {
      const nl = s.indexOf('\n', pos);
      if (nl === -1 && !final) break;
      const lineEnd = nl === -1 ? n : nl;
      if (quote !== -1 && quote < pos) quote = s.indexOf('"', pos);
      if (quote === -1 || quote > lineEnd) {
        // fast path: no quote on this line
        const end = lineEnd > pos && s.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
        out.push({ line: this.line, fields: s.slice(pos, end).split(d) });
        this.line++;
        pos = lineEnd + 1;
        continue;
      }
      const rec = this.record(s, pos, final);
      if (!rec) break; // incomplete: wait for more input
      out.push({ line: this.line, fields: rec.fields });
      this.line += rec.lines;
      pos = rec.next;
    }
    this.buf = pos >= n ? '' : s.slice(pos);
    return out;
  }

  /**
   * Reads one record with quoted fields starting at `start`. Returns null when the input ends
   * inside it (unless final: then an unterminated quote takes the rest of the input).
   */
  private record(s: string, start: number, final: boolean): { fields: string[]; lines: number; next: number } | null {
    const n = s.length;
    const fields: string[] = [];
    let lines = 1;
    let i = start;
    for (;;) {
      let value = '';
      if (s.charCodeAt(i) === QUOTE) {
        let j = i + 1;
        for (;;) {
          const q = s.indexOf('"', j);
          if (q === -1 || (q === n - 1 && !final)) {
            if (!final) return null;
            value += s.slice(j);
            lines += countLf(s, j, n);
            return { fields: [...fields, value], lines, next: n };
          }
          lines += countLf(s, j, q);
          if (s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          value += s.slice(j, q);
          i = q + 1;
          break;
        }
      }
      // unquoted text (or text after a closing quote) up to the delimiter or the end of the line
      let end = i;
      for (; end < n; end++) {
        const c = s.charCodeAt(end);
        if (c === LF || c === this.delimiterCode) break;
        if (c === CR && (end + 1 < n ? s.charCodeAt(end + 1) === LF : final)) break;
        if (c === CR && end + 1 >= n) return null; // a CR at the end of a chunk: wait
      }
      if (end >= n && !final) return null;
      value += s.slice(i, end);
      fields.push(value);
      if (end >= n) return { fields, lines, next: n };
      const c = s.charCodeAt(end);
      if (c === this.delimiterCode) {
        i = end + 1;
        continue;
      }
      return { fields, lines, next: c === CR ? end + 2 : end + 1 };
    }
  }

  private get delimiterCode(): number {
    return this.delimiter.charCodeAt(0);
  }
}

function countLf(s: string, from: number, to: number): number {
  let count = 0;
  for (let k = s.indexOf('\n', from); k !== -1 && k < to; k = s.indexOf('\n', k + 1)) count++;
  return count;
}

/** Guesses the delimiter from the header line: the most frequent of `,` `;` tab outside quotes. */
export function detectDelimiter(sample: string): ',' | ';' | '\t' {
  let inQuotes = false;
  const counts = { ',': 0, ';': 0, '\t': 0 };
  for (let i = 0; i < sample.length; i++) {
    const c = sample[i]!;
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes) {
      if (c === '\n') break;
      if (c === ',' || c === ';' || c === '\t') counts[c]++;
    }
  }
  if (counts['\t'] > counts[','] && counts['\t'] >= counts[';']) return '\t';
  if (counts[';'] > counts[',']) return ';';
  return ',';
}

/**
 * The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection"):
 * `=`, `+`, `-`, `@`, TAB and CR.
 */
const FORMULA_START = '=+-@\t\r';
/** A plain decimal number (`-1.09`, `12`): a spreadsheet reads it as a number, never as a formula. */
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/**
 * One cell as written — every CSV tpv writes is made of these (see {@link csvLine}):
 * - text that starts like a formula gets a leading `'` (the OWASP rule; a spreadsheet shows the
 *   text and runs nothing). Text that already starts with `'` followed by such a character or by
 *   another `'` gets one too, so that {@link csvText} gives back every value exactly;
 * - in a numeric column, a plain decimal number is written as it is: `-1.09` stays a number.
 *   Anything else there is text, neutralised like any text;
 * - then quoted (RFC 4180) when it holds the delimiter, a quote or a line break.
 */
export function csvField(value: string, delimiter = ',', numeric = false): string {
  const neutral = (numeric && DECIMAL.test(value)) || !needsPrefix(value) ? value : "'" + value;
  if (neutral.includes('"') || neutral.includes(delimiter) || neutral.includes('\n') || neutral.includes('\r')) {
    return '"' + neutral.replaceAll('"', '""') + '"';
  }
  return neutral;
}

function needsPrefix(value: string): boolean {
  const c = value.charAt(0);
  if (c === '') return false;
  if (FORMULA_START.includes(c)) return true;
  const next = value.charAt(1);
  return c === "'" && next !== '' && (next === "'" || FORMULA_START.includes(next));
}

/** A record as written, with its LF: `numeric[i]` marks the columns that hold decimal numbers. */
export function csvLine(values: readonly string[], numeric: readonly boolean[] = [], delimiter = ','): string {
  return values.map((v, i) => csvField(v, delimiter, numeric[i] ?? false)).join(delimiter) + '\n';
}

/**
 * The value of a cell read from a CSV file: the `'` that {@link csvField} puts before a
 * formula-like text (or that a spreadsheet keeps there) is taken off. A `'` before anything else is
 * part of the value ("'t Hoekje").
 */
export function csvText(cell: string): string {
  return cell.charAt(0) === "'" && needsPrefix(cell.slice(1)) ? cell.slice(1) : cell;
}
