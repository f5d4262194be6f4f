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
    const dc = d.charCodeAt(0);
    let pos = 0;
    const n = s.length;
    while (pos < n) {
      const nl = s.indexOf('\n', pos);
      if (nl === -1 && !final) break;
      const lineEnd = nl === -1 ? n : nl;
      const q = s.indexOf('"', pos);
      if (q === -1 || q >= lineEnd) {
        // fast path: no quotes on this line
        let end = lineEnd;
        if (end > pos && s.charCodeAt(end - 1) === CR) end--;
        out.push({ line: this.line, fields: s.slice(pos, end).split(d) });
        this.line++;
        pos = nl === -1 ? n : nl + 1;
        continue;
      }
      // slow path: a state machine from pos, possibly spanning lines
      const fields: string[] = [];
      let field = '';
      let i = pos;
      let lines = 1;
      let inQuotes = false;
      let fieldStart = i;
      let done = false;
      let quoted = false;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (inQuotes) {
          if (c === QUOTE) {
            if (i + 1 < n && s.charCodeAt(i + 1) === QUOTE) {
              field += s.slice(fieldStart, i + 1);
              i += 2;
              fieldStart = i;
              continue;
            }
            if (i + 1 >= n && !final) break; // need to see the next char
            field += s.slice(fieldStart, i);
            inQuotes = false;
            i++;
            fieldStart = i;
            continue;
          }
          if (c === LF) lines++;
          i++;
          continue;
        }
        if (c === dc) {
          fields.push(field + s.slice(fieldStart, i));
          field = '';
          quoted = false;
          i++;
          fieldStart = i;
          continue;
        }
        if (c === LF || (c === CR && (i + 1 < n ? s.charCodeAt(i + 1) === LF : final))) {
          fields.push(field + s.slice(fieldStart, i));
          i += c === CR && i + 1 < n ? 2 : 1;
          done = true;
          break;
        }
        if (c === QUOTE && !quoted && i === fieldStart && field === '') {
          inQuotes = true;
          quoted = true;
          i++;
          fieldStart = i;
          continue;
        }
        i++;
      }
      if (!done) {
        if (!final || inQuotes) {
          if (final && inQuotes) {
            // unterminated quote at end of input: keep what we have as the last field
            fields.push(field + s.slice(fieldStart, n));
            out.push({ line: this.line, fields });
            this.line += lines;
            pos = n;
          }
          break;
        }
        fields.push(field + s.slice(fieldStart, n));
        i = n;
      }
      out.push({ line: this.line, fields });
      this.line += lines;
      pos = i;
    }
    this.buf = s.slice(pos);
    return out;
  }
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

/** Quotes a field for writing when it needs it. */
export function csvField(value: string, delimiter = ','): string {
  if (value.includes('"') || value.includes(delimiter) || value.includes('\n') || value.includes('\r')) {
    return '"' + value.replaceAll('"', '""') + '"';
  }
  return value;
}
