import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TpvError } from '../../src/core/errors.js';
import { parseScannerOptions, ScanFramer, type ScannerOptions } from '../../src/devices/scanner.js';
import { serialOpenError } from '../../src/devices/transport.js';
import {
  decodeDisplay,
  displayBytes,
  type DisplayLines,
  type DisplayMode,
  DisplayScreen,
  displayText,
  showChange,
  showItem,
  showTotal,
  showWelcome,
} from '../../src/devices/display.js';

/** Feeds chunks at the given times, then flushes, and returns every scan in order. */
function frame(opts: ScannerOptions, chunks: Array<[string | Uint8Array, number]>): string[] {
  const framer = new ScanFramer(opts);
  return [...chunks.flatMap(([chunk, at]) => framer.feed(chunk, at)), ...framer.flush()];
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, inside the array). */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...points].map((p, i) => bytes.subarray(p, [...points, bytes.length][i]));
}

const code = fc.string({ unit: fc.constantFrom(...'0123456789ABCXYZ-./'), minLength: 1, maxLength: 24 });

describe('ScanFramer', () => {
  it('ends scans at CR, LF or CRLF in each suffix mode', () => {
    expect(frame({ suffix: 'cr' }, [['123\r456\r', 0]])).toEqual(['123', '456']);
    expect(frame({ suffix: 'lf' }, [['123\n456\n', 0]])).toEqual(['123', '456']);
    expect(frame({ suffix: 'crlf' }, [['123\r\n456\r\n', 0]])).toEqual(['123', '456']);
  });

  it('in crlf mode a lone CR or LF also ends a scan (misconfigured scanners)', () => {
    expect(frame({ suffix: 'crlf' }, [['111\r222\n333\r\n', 0]])).toEqual(['111', '222', '333']);
  });

  it('never makes an empty scan of the LF of a CRLF split across chunks', () => {
    const framer = new ScanFramer({ suffix: 'crlf' });
    expect(framer.feed('8412345678905\r', 0)).toEqual(['8412345678905']);
    expect(framer.pending).toBe(false);
    expect(framer.feed('\n', 5)).toEqual([]);
    expect(framer.feed('42\r\n', 10)).toEqual(['42']);
    expect(framer.flush()).toEqual([]);
  });

  it('returns several scans from one chunk, and keeps an unfinished one pending', () => {
    const framer = new ScanFramer({ suffix: 'lf' });
    expect(framer.feed('A1\nB2\nC3\nD', 0)).toEqual(['A1', 'B2', 'C3']);
    expect(framer.pending).toBe(true);
    expect(framer.feed(new TextEncoder().encode('4\n'), 1)).toEqual(['D4']);
  });

  it('strips the configured prefix and suffix, trims control characters, drops empty scans', () => {
    const opts: ScannerOptions = { suffix: 'crlf', stripPrefix: ']E0', stripSuffix: '#' };
    expect(frame(opts, [[']E08412345678905#\r\n', 0]])).toEqual(['8412345678905']);
    expect(frame(opts, [['8412345678905\r\n', 0]])).toEqual(['8412345678905']);
    expect(frame(opts, [['\x02 ABC \x03\r\n\r\n \r\n]E0#\r\n', 0]])).toEqual(['ABC']);
  });

  it('keeps inner control characters (the GS separator of GS1 codes)', () => {
    expect(frame({ suffix: 'cr' }, [['0108412345678905\x1d10LOT7\r', 0]])).toEqual(['0108412345678905\x1d10LOT7']);
  });

  it('strips any AIM symbology identifier with stripPrefix "aim"', () => {
    expect(frame({ suffix: 'lf', stripPrefix: 'aim' }, [[']E08412345678905\n]C1ABC\nXYZ\n', 0]])).toEqual(['8412345678905', 'ABC', 'XYZ']);
  });

  it('decodes UTF-8, and Latin-1 when the bytes are not UTF-8', () => {
    expect(frame({ suffix: 'cr' }, [[Uint8Array.from([0x43, 0xc3, 0xb1, 0x0d]), 0]])).toEqual(['Cñ']);
    expect(frame({ suffix: 'cr' }, [[Uint8Array.from([0x43, 0xf1, 0x0d]), 0]])).toEqual(['Cñ']);
  });

  it("with suffix 'none' a silence of interByteMs ends a scan: seen by feed, or by flush", () => {
    const framer = new ScanFramer({ suffix: 'none', interByteMs: 50 });
    expect(framer.feed('8412', 0)).toEqual([]);
    expect(framer.feed('345678905', 20)).toEqual([]);
    expect(framer.feed('ABC', 70)).toEqual(['8412345678905']);
    expect(framer.pending).toBe(true);
    expect(framer.flush()).toEqual(['ABC']);
    expect(framer.pending).toBe(false);
    expect(framer.flush()).toEqual([]);
  });

  it("with suffix 'none' the default silence is 50 ms and CR/LF still end a scan", () => {
    expect(frame({ suffix: 'none' }, [['11', 0], ['22', 49], ['33', 99], ['44\r', 100]])).toEqual(['1122', '3344']);
  });

  it('any split of a burst of scans into chunks yields the same scans', () => {
    const suffix = fc.constantFrom('\r', '\n', '\r\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(code, suffix), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (scans, at) => {
        const bytes = new TextEncoder().encode(scans.map(([c, s]) => c + s).join(''));
        const chunks = cut(bytes, at).map((c, i): [Uint8Array, number] => [c, i]);
        expect(frame({ suffix: 'crlf' }, chunks)).toEqual(scans.map(([c]) => c));
      }),
    );
  });

  it("any split of each scan, with silences between scans, yields the same scans in 'none' mode", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(code, fc.array(fc.nat(), { maxLength: 4 })), { minLength: 1, maxLength: 6 }), (scans) => {
        const chunks: Array<[Uint8Array, number]> = [];
        let now = 0;
        for (const [c, at] of scans) {
          for (const piece of cut(new TextEncoder().encode(c), at)) chunks.push([piece, (now += 10)]);
          now += 100;
        }
        expect(frame({ suffix: 'none', interByteMs: 50 }, chunks)).toEqual(scans.map(([c]) => c));
      }),
    );
  });
});

describe('parseScannerOptions', () => {
  it('fills in the defaults', () => {
    expect(parseScannerOptions({})).toEqual({ suffix: 'crlf', interByteMs: 50, stripPrefix: '', stripSuffix: '' });
    expect(parseScannerOptions({ suffix: ' NONE ', interByteMs: '120', stripPrefix: ']E0' })).toEqual({
      suffix: 'none',
      interByteMs: 120,
      stripPrefix: ']E0',
      stripSuffix: '',
    });
  });

  it.each([
    [{ suffix: 'tab' }, '--suffix', 'tab'],
    [{ interByteMs: '0' }, '--timeout', '0'],
    [{ interByteMs: '2001' }, '--timeout', '2001'],
    [{ interByteMs: '1.5' }, '--timeout', '1.5'],
    [{ interByteMs: 'abc' }, '--timeout', 'abc'],
    [{ stripPrefix: 'a\tb' }, '--strip-prefix', 'a\tb'],
    [{ stripSuffix: 'x'.repeat(17) }, '--strip-suffix', 'x'.repeat(17)],
  ])('rejects %j', (input, option, value) => {
    const e = (() => {
      try {
        parseScannerOptions(input);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(TpvError);
    expect(e).toMatchObject({ kind: 'invalid', code: 'device.option', params: { flag: option, value } });
  });
});

describe('serialOpenError', () => {
  // the messages of @serialport/bindings-cpp (serialport_unix.cpp) and of @serialport/binding-mock
  it.each([
    ['Error: No such file or directory, cannot open /dev/ttyUSB9', 'device.not_found'],
    ['Error: Permission denied, cannot open /dev/ttyUSB0', 'device.permission'],
    ['Error Resource temporarily unavailable Cannot lock port', 'device.busy'],
    ["Port does not exist - please call MockBinding.createPort('/dev/x') first", 'device.not_found'],
    ['Port is locked cannot open', 'device.busy'],
    ['Error: Input/output error setting custom baud rate of 9600', 'device.unreachable'],
  ])('%s → %s', (message, expected) => {
    const e = serialOpenError(new Error(message), '/dev/ttyUSB0', 'serial:/dev/ttyUSB0');
    expect(e).toMatchObject({ kind: 'device', code: expected });
  });
});

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
const ascii = (text: string): string => hex(new TextEncoder().encode(text));
const pad = (text: string): string => text.padEnd(20, ' ');

describe('displayBytes', () => {
  it('Epson: ESC @, ESC t 19 (PC858), US MD1, US C 0, then each line at US $ 1 y', () => {
    const bytes = displayBytes(['Café', 'Total 1,50 €'], 'epson');
    expect(hex(bytes)).toBe(
      [
        '1b 40 1b 74 13 1f 01 1f 43 00',
        '1f 24 01 01',
        ascii('Caf'),
        '82',
        ascii(' '.repeat(16)),
        '1f 24 01 02',
        ascii('Total 1,50 '),
        'd5',
        ascii(' '.repeat(8)),
      ].join(' '),
    );
  });

  it('Epson: letters at their code page 858 positions', () => {
    const line = displayBytes(['ñÑ¿¡ßçÇüÜãõ€', ''], 'epson').subarray(14, 26);
    expect(hex(line)).toBe('a4 a5 a8 ad e1 87 80 81 9a c6 e4 d5');
  });

  it('CD5220: CLR, ESC @, ESC _ 0, ESC Q A line CR, ESC Q B line CR, in ASCII', () => {
    const bytes = displayBytes(['Café', 'Piña 1,50 €'], 'cd5220');
    expect(hex(bytes)).toBe(
      ['0c 1b 40 1b 5f 00', '1b 51 41', ascii(pad('Cafe')), '0d', '1b 51 42', ascii(pad('Pina 1,50 EUR')), '0d'].join(' '),
    );
  });

  it('round trip: Epson keeps the accents, CD5220 shows the ASCII fallback', () => {
    const lines: DisplayLines = ['Jamón ibérico', 'Weißbier Ça Œuf ñ €'];
    expect(decodeDisplay(displayBytes(lines, 'epson'), 'epson')).toEqual([pad('Jamón ibérico'), pad('Weißbier Ça OEuf ñ €')]);
    expect(decodeDisplay(displayBytes(lines, 'cd5220'), 'cd5220')).toEqual([pad('Jamon iberico'), 'Weissbier Ca OEuf n ']);
  });

  it('cuts long lines to 20, shrinking the gap before a right-aligned amount first', () => {
    const item = showItem('Caña', '2,00 €');
    expect(displayText(item, 'epson')).toEqual(['Caña          2,00 €', pad('')]);
    expect(displayText(item, 'cd5220')).toEqual(['Cana        2,00 EUR', pad('')]);
    expect(displayText(['Una línea demasiado larga', 'Große Weißbier 1,5 €'], 'cd5220')).toEqual(['Una linea demasiado ', 'Grosse Weissbier 1,5']);
  });

  it('treats control characters and other spaces as spaces', () => {
    expect(displayText(['a\tb\u00a0c\u202fd\x1be', '\u00ad'], 'epson')).toEqual([pad('a b c d e'), pad('')]);
  });

  it.each(['epson', 'cd5220'] as DisplayMode[])('%s: any text round-trips to what displayText says, 20 columns each', (mode) => {
    fc.assert(
      fc.property(fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })), (lines) => {
        const shown = displayText(lines, mode);
        expect(decodeDisplay(displayBytes(lines, mode), mode)).toEqual(shown);
        for (const line of shown) expect(line.length).toBe(20);
      }),
    );
  });

  it('epson: Latin-1 letters of Spanish, French, German and Portuguese display unchanged', () => {
    const letters = fc.constantFrom(...'aeiouAEIOUáéíóúÁÉÍÓÚñÑçÇàèìòùâêîôûäëïöüÄËÏÖÜßãõÃÕ¿¡ºª€ 0123456789,.');
    fc.assert(
      fc.property(fc.string({ unit: letters, maxLength: 20 }), (text) => {
        expect(decodeDisplay(displayBytes([text, ''], 'epson'), 'epson')[0]).toBe(pad(text));
      }),
    );
  });
});

describe('DisplayScreen', () => {
  it('gives the same screen however the bytes are split into chunks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('epson', 'cd5220') as fc.Arbitrary<DisplayMode>,
        fc.array(fc.tuple(fc.string({ maxLength: 25 }), fc.string({ maxLength: 25 })), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (mode, screens, at) => {
          const bytes = Uint8Array.from(screens.flatMap((s) => [...displayBytes(s, mode)]));
          const screen = new DisplayScreen(mode);
          for (const chunk of cut(bytes, at)) screen.feed(chunk);
          expect(screen.lines).toEqual(displayText(screens.at(-1)!, mode));
        },
      ),
    );
  });

  it('Epson: text after the 20th column wraps, CLR clears, vertical scroll mode scrolls', () => {
    const screen = new DisplayScreen('epson');
    screen.feed(new TextEncoder().encode('x'.repeat(20) + 'second'));
    expect(screen.lines).toEqual(['x'.repeat(20), pad('second')]);
    screen.feed(Uint8Array.from([0x0c, 0x1f, 0x02, ...new TextEncoder().encode('a'.repeat(40) + 'b')]));
    expect(screen.lines).toEqual(['a'.repeat(20), pad('b')]);
  });

  it('CD5220: after ESC Q the display ignores text until CLR', () => {
    const screen = new DisplayScreen('cd5220');
    screen.feed(Uint8Array.from([0x1b, 0x51, 0x41, ...new TextEncoder().encode('HELLO'), 0x0d, 0x41]));
    expect(screen.lines).toEqual([pad('HELLO'), pad('')]);
    screen.feed(Uint8Array.from([0x0c, 0x41]));
    expect(screen.lines).toEqual([pad('A'), pad('')]);
  });
});

describe('what to show', () => {
  const width = (lines: DisplayLines): number[] => lines.map((l) => [...l].length);

  it('an item: name left, price right, total below when given', () => {
    expect(showItem('Café con leche', '1,50 €')).toEqual(['Café con lech 1,50 €', pad('')]);
    expect(showItem('Pan', '0,90 €', { label: 'Total', amount: '12,40 €' })).toEqual(['Pan           0,90 €', 'Total        12,40 €']);
  });

  it('a total, and the change', () => {
    expect(showTotal('TOTAL', '23,75 €')).toEqual([pad('TOTAL'), '             23,75 €']);
    expect(showChange('Entregado', '50,00 €', 'Cambio', '26,25 €')).toEqual(['Entregado    50,00 €', 'Cambio       26,25 €']);
  });

  it('a welcome, wrapped at spaces and centred', () => {
    expect(showWelcome('Bienvenidos a Panadería La Espiga')).toEqual(['   Bienvenidos a    ', 'Panadería La Espiga ']);
    expect(showWelcome('Supercalifragilisticoespialidoso')).toEqual(['Supercalifragilistic', '    oespialidoso    ']);
    expect(showWelcome('Hola')).toEqual(['        Hola        ', pad('')]);
  });

  it('always 20 columns', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
        for (const lines of [showItem(a, b), showItem(a, b, { label: c, amount: d }), showTotal(a, b), showChange(a, b, c, d), showWelcome(a)]) {
          expect(width(lines)).toEqual([20, 20]);
        }
      }),
    );
  });
});
