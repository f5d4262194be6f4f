import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvReader, csvField, csvLine, csvText, detectDelimiter, type CsvRecord } from '../../src/core/csv.js';

/** Reads the whole text at once. */
function readAll(text: string, delimiter = ','): CsvRecord[] {
  const r = new CsvReader(delimiter);
  return [...r.push(text), ...r.end()];
}

/** Reads text cut into the given chunk sizes (cycled). */
function readChunked(text: string, sizes: number[], delimiter = ','): CsvRecord[] {
  const r = new CsvReader(delimiter);
  const out: CsvRecord[] = [];
  let pos = 0;
  let k = 0;
  while (pos < text.length) {
    const size = sizes.length ? Math.max(1, sizes[k++ % sizes.length]!) : text.length;
    out.push(...r.push(text.slice(pos, pos + size)));
    pos += size;
  }
  out.push(...r.end());
  return out;
}

/** Reads text one character (UTF-16 unit) at a time. */
const readByChar = (text: string, delimiter = ','): CsvRecord[] => readChunked(text, [1], delimiter);

const fieldsOf = (records: CsvRecord[]): string[][] => records.map((r) => r.fields);
/** The values of written records: the cells less the `'` that neutralises a formula-like text. */
const valuesOf = (records: CsvRecord[]): string[][] => records.map((r) => r.fields.map(csvText));
const linesOf = (records: CsvRecord[]): number[] => records.map((r) => r.line);

describe('CsvReader basics', () => {
  it('reads simple records with LF endings and numbers their lines', () => {
    const recs = readAll('sku,name,price\nA1,Pan,1.20\nA2,Leche,0.99\n');
    expect(recs).toEqual([
      { line: 1, fields: ['sku', 'name', 'price'] },
      { line: 2, fields: ['A1', 'Pan', '1.20'] },
      { line: 3, fields: ['A2', 'Leche', '0.99'] },
    ]);
  });

  it('reads CRLF line endings without leaving a CR in the last field', () => {
    const recs = readAll('a,b\r\nc,d\r\n');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });

  it('reads a final line without a newline (only on end())', () => {
    const r = new CsvReader(',');
    expect(r.push('a,b\nc,d')).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(r.end()).toEqual([{ line: 2, fields: ['c', 'd'] }]);
    expect(readAll('x\r\ny')).toEqual([
      { line: 1, fields: ['x'] },
      { line: 2, fields: ['y'] },
    ]);
    // a final line ending in a bare CR at end of input
    expect(readAll('x,y\r')).toEqual([{ line: 1, fields: ['x', 'y'] }]);
    expect(readAll('"x",y\r')).toEqual([{ line: 1, fields: ['x', 'y'] }]);
  });

  it('reads empty fields', () => {
    expect(fieldsOf(readAll(',,\na,,b\n,\n"",""\n'))).toEqual([
      ['', '', ''],
      ['a', '', 'b'],
      ['', ''],
      ['', ''],
    ]);
  });

  it('reads an empty line as a record with one empty field, and no input as no records', () => {
    expect(readAll('a\n\nb\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['b'] },
    ]);
    expect(readAll('a\r\n\r\nb')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['b'] },
    ]);
    // a trailing newline ends the last record; it does not start an empty one
    expect(fieldsOf(readAll('a\n'))).toEqual([['a']]);
    expect(fieldsOf(readAll('a\n\n'))).toEqual([['a'], ['']]);
    expect(readAll('')).toEqual([]);
    expect(readAll('\n')).toEqual([{ line: 1, fields: [''] }]);
  });

  it('reads quoted fields with embedded delimiters and doubled quotes', () => {
    expect(fieldsOf(readAll('"a,b",c\n"say ""hi""",""""\n"",x\n'))).toEqual([
      ['a,b', 'c'],
      ['say "hi"', '"'],
      ['', 'x'],
    ]);
  });

  it('reads embedded LF and CRLF inside quotes, keeping them verbatim', () => {
    const recs = readAll('"line1\nline2",b\n"x\r\ny",z\r\nlast,"\r\n"\r\n');
    expect(fieldsOf(recs)).toEqual([
      ['line1\nline2', 'b'],
      ['x\r\ny', 'z'],
      ['last', '\r\n'],
    ]);
  });

  it('numbers each record by the physical line where it starts, counting embedded newlines', () => {
    const text = ['h1,h2', '"a\nb\nc",1', 'plain,2', '"x\r\ny",3', '', '"",4', 'end,"\n"'].join('\n') + '\n';
    const recs = readAll(text);
    expect(linesOf(recs)).toEqual([1, 2, 5, 6, 8, 9, 10]);
    expect(fieldsOf(recs)).toEqual([
      ['h1', 'h2'],
      ['a\nb\nc', '1'],
      ['plain', '2'],
      ['x\r\ny', '3'],
      [''],
      ['', '4'],
      ['end', '\n'],
    ]);
    // the same numbering whatever the chunking
    expect(readByChar(text)).toEqual(recs);
  });

  it('line numbers continue across push() calls', () => {
    const r = new CsvReader(',');
    expect(r.push('a\n"b\n')).toEqual([{ line: 1, fields: ['a'] }]);
    expect(r.push('c"\nd\n')).toEqual([
      { line: 2, fields: ['b\nc'] },
      { line: 4, fields: ['d'] },
    ]);
    expect(r.end()).toEqual([]);
  });

  it('treats quotes inside an unquoted field as literal text', () => {
    expect(fieldsOf(readAll('ab"c,d\n5" screen,x\n'))).toEqual([
      ['ab"c', 'd'],
      ['5" screen', 'x'],
    ]);
  });

  it('is lenient with text after a closing quote', () => {
    expect(fieldsOf(readAll('"ab"cd,e\n'))).toEqual([['abcd', 'e']]);
  });

  it('keeps a bare CR inside an unquoted field', () => {
    expect(fieldsOf(readAll('a\rb,c\n'))).toEqual([['a\rb', 'c']]);
    expect(fieldsOf(readAll('"q",a\rb\n'))).toEqual([['q', 'a\rb']]);
  });

  it('keeps an unterminated quoted field at end of input as the last field', () => {
    expect(readAll('a,"open\nstill open')).toEqual([{ line: 1, fields: ['a', 'open\nstill open'] }]);
  });

  it('returns nothing until a record is complete, even when the chunk ends inside a quote or a CRLF', () => {
    const r = new CsvReader(',');
    expect(r.push('"a')).toEqual([]);
    expect(r.push('"')).toEqual([]); // could be the first half of ""
    expect(r.push('"b"')).toEqual([]);
    expect(r.push(',c\r')).toEqual([]);
    expect(r.push('\n')).toEqual([{ line: 1, fields: ['a"b', 'c'] }]);
    expect(r.end()).toEqual([]);
  });

  it('forgets its buffer after end()', () => {
    const r = new CsvReader(',');
    r.push('a,b');
    expect(r.end()).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(r.end()).toEqual([]);
  });

  it('works with semicolon and tab delimiters, leaving commas alone', () => {
    expect(fieldsOf(readAll('a;1,50;"x;y"\n', ';'))).toEqual([['a', '1,50', 'x;y']]);
    expect(fieldsOf(readAll('a\t1,50\t"x\ty"\r\n', '\t'))).toEqual([['a', '1,50', 'x\ty']]);
  });

  it('keeps spaces and unicode as they are', () => {
    // a quote after a space is not an opening quote (RFC 4180: spaces are part of the field)
    expect(fieldsOf(readAll(' a , "b" ,ñandú 😀,€\n'))).toEqual([[' a ', ' "b" ', 'ñandú 😀', '€']]);
  });

  it('refuses a delimiter that is not one character', () => {
    expect(() => new CsvReader('')).toThrow(RangeError);
    expect(() => new CsvReader(',,')).toThrow(RangeError);
  });

  it('gives the same records for every split point of a tricky input', () => {
    const text = 'h1,h2\r\n"a,""b""\r\nc",d\r\n,\r\n"x"\r\n\r\nlast,"q"';
    const whole = readAll(text);
    expect(fieldsOf(whole)).toEqual([['h1', 'h2'], ['a,"b"\r\nc', 'd'], ['', ''], ['x'], [''], ['last', 'q']]);
    for (let cut = 0; cut <= text.length; cut++) {
      const r = new CsvReader(',');
      const got = [...r.push(text.slice(0, cut)), ...r.push(text.slice(cut)), ...r.end()];
      expect(got, `cut at ${cut}`).toEqual(whole);
    }
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['sku,name,price\n', ','],
    ['sku;name;price\n', ';'],
    ['sku\tname\tprice\n', '\t'],
    ['sku;name;"price, with comma"\n', ';'],
    ['"a;b;c;d",x,y\n', ','],
    ['a;b\nc,d,e,f,g\n', ';'], // only the first line counts
    ['a;b\r\nc,d,e,f,g\r\n', ';'],
    ['single\n', ','],
    ['', ','],
    ['a,b;c\n', ','], // a tie goes to the comma
    ['a\tb;c\n', '\t'], // tab beats semicolon on a tie
    ['a\tb,c;d;e\n', ';'],
    ['"multi\nline;header";x;y\n', ';'],
  ] as const)('detects the delimiter of %j as %j', (sample, expected) => {
    expect(detectDelimiter(sample)).toBe(expected);
  });
});

describe('csvField', () => {
  it('leaves plain fields alone', () => {
    expect(csvField('abc')).toBe('abc');
    expect(csvField('')).toBe('');
    expect(csvField(' spaced ')).toBe(' spaced ');
    expect(csvField('a;b')).toBe('a;b'); // not the delimiter
    expect(csvField('ñandú €')).toBe('ñandú €');
  });

  it('quotes fields with the delimiter, quotes or newlines', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a;b', ';')).toBe('"a;b"');
    expect(csvField('a\tb', '\t')).toBe('"a\tb"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('"')).toBe('""""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('a\rb')).toBe('"a\rb"');
  });
});

// ---- round-trip property -------------------------------------------------------------------

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('"', ',', ';', '\t', '\n', '\r\n', '\r', '""', ' ', 'a', 'Z', '0') },
  { weight: 2, arbitrary: fc.constantFrom('é', 'ñ', '€', '😀', '中文', '\u00a0', '\u2028', '\ufeff') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const fieldArb = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
const tableArb = fc.array(fc.array(fieldArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

function writeCsv(table: string[][], delimiter: string, eol: string, trailing: boolean): string {
  const lines = table.map((row) => row.map((f) => csvField(f, delimiter)).join(delimiter));
  return lines.join(eol) + (trailing ? eol : '');
}

/** Random cut points inside a text of length n. */
const cutsFor = (n: number): fc.Arbitrary<number[]> =>
  fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, n) }), { maxLength: Math.min(n + 1, 20) }).map((a) => a.sort((x, y) => x - y));

function readAtCuts(text: string, cuts: number[], delimiter: string): CsvRecord[] {
  const r = new CsvReader(delimiter);
  const out: CsvRecord[] = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...r.push(text.slice(prev, c)));
    prev = c;
  }
  out.push(...r.end());
  return out;
}

describe('CsvReader round-trip property', () => {
  it('property: csvField-written tables read back identically, whatever the chunk boundaries', () => {
    const arb = fc
      .record({
        table: tableArb,
        delimiter: fc.constantFrom(',', ';', '\t'),
        eol: fc.constantFrom('\n', '\r\n'),
        trailing: fc.boolean(),
      })
      // Degenerate case: a last record whose single field is '' is an empty line; without a
      // trailing newline it is indistinguishable from "no more records" (tested separately above).
      .filter(({ table, trailing }) => trailing || !(table.at(-1)!.length === 1 && table.at(-1)![0] === ''))
      .chain((x) => {
        const text = writeCsv(x.table, x.delimiter, x.eol, x.trailing);
        return fc.record({ x: fc.constant(x), text: fc.constant(text), cuts: cutsFor(text.length) });
      });
    fc.assert(
      fc.property(arb, ({ x, text, cuts }) => {
        const recs = readAtCuts(text, cuts, x.delimiter);
        expect(valuesOf(recs)).toEqual(x.table);
        // each record starts on the line after the previous one's physical lines
        const expectedLines: number[] = [];
        let line = 1;
        for (const row of x.table) {
          expectedLines.push(line);
          line += 1 + row.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
        }
        expect(linesOf(recs)).toEqual(expectedLines);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: any text (even malformed CSV) gives the same records however it is chunked', () => {
    const textArb = fc.array(fc.constantFrom('"', ',', '\n', '\r', '\r\n', 'a', 'bc', '""', 'é', '😀'), { maxLength: 40 }).map((a) => a.join(''));
    const arb = textArb.chain((text) => fc.record({ text: fc.constant(text), cuts: cutsFor(text.length) }));
    fc.assert(
      fc.property(arb, ({ text, cuts }) => {
        expect(readAtCuts(text, cuts, ',')).toEqual(readAll(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: one character at a time equals all at once', () => {
    fc.assert(
      fc.property(tableArb, fc.constantFrom('\n', '\r\n'), (table, eol) => {
        const text = writeCsv(table, ',', eol, true);
        expect(readByChar(text)).toEqual(readAll(text));
        expect(valuesOf(readAll(text))).toEqual(table);
      }),
      { numRuns: 500 },
    );
  });
});

// ---- formula neutralisation (OWASP CSV injection) -------------------------------------------

describe('csvField / csvLine: formula-like cells are neutralised', () => {
  it('prefixes a quote to text starting with = + - @ TAB or CR, then quotes as needed', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3+cmd|\' /C calc\'!A0')).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('a=b')).toBe('a=b'); // only the first character counts
  });

  it('a text column neutralises even a number; a numeric column keeps plain decimals as numbers', () => {
    expect(csvField('-1.09')).toBe("'-1.09");
    expect(csvField('-1.09', ',', true)).toBe('-1.09');
    expect(csvField('-12', ',', true)).toBe('-12');
    expect(csvField('-1.09+cmd', ',', true)).toBe("'-1.09+cmd"); // not a plain decimal: text
    expect(csvField('=1', ',', true)).toBe("'=1");
    expect(csvLine(['-0.50', '-0.50', 'x'], [true, false])).toBe("-0.50,'-0.50,x\n");
  });

  it('a value that really starts with a quote is kept apart from the neutralising quote', () => {
    expect(csvField("'t Hoekje")).toBe("'t Hoekje"); // before a letter: left alone
    expect(csvField("'=x")).toBe("''=x");
    expect(csvField("''")).toBe("'''");
    expect(csvText("'t Hoekje")).toBe("'t Hoekje");
    expect(csvText("''=x")).toBe("'=x");
    expect(csvText("'=x")).toBe('=x'); // a spreadsheet's own text marker comes off too
    expect(csvText("'''")).toBe("''");
  });
});

const FORMULA_START = /^[=+\-@\t\r]/;
/** Values that start like formulas, like quotes, like numbers, or anything else. */
const valueArb = fc.oneof(
  fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", "''", "'=", '-1', '0'), fieldArb).map(([a, b]) => a + b),
  fc.integer({ min: -100_000, max: 100_000 }).map((n) => (n / 100).toFixed(2)),
  fieldArb,
);

describe('csvLine round-trip property', () => {
  it('property: written then read (CsvReader + csvText) gives the values back, and no text cell starts with a formula character', () => {
    const arb = fc.record({
      rows: fc.array(fc.array(valueArb, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
      numeric: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      delimiter: fc.constantFrom(',', ';', '\t'),
    });
    fc.assert(
      fc.property(arb, ({ rows, numeric, delimiter }) => {
        const text = rows.map((r) => csvLine(r, numeric, delimiter)).join('');
        const read = readAll(text, delimiter).map((r) => r.fields);
        expect(read.map((r) => r.map(csvText))).toEqual(rows);
        for (const row of read) {
          for (const [i, cell] of row.entries()) {
            // what a spreadsheet sees: a text cell never starts like a formula; a numeric one only as a plain number
            if (numeric[i] && /^-?[0-9]+(\.[0-9]+)?$/.test(cell)) continue;
            expect(cell).not.toMatch(FORMULA_START);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
