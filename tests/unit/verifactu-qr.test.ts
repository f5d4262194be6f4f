import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeQrParam,
  QR_BASE_URL,
  QR_ERROR_CORRECTION,
  QR_HEADING,
  QR_PLACEMENT,
  QR_QUIET_ZONE_MM,
  QR_SIZE_MM,
  QR_STANDARD,
  qrParamProblems,
  qrUrl,
  VERIFACTU_LEGEND_LONG,
  VERIFACTU_LEGEND_SHORT,
} from '../../src/einvoice/verifactu/qr.js';
import type { IdFactura } from '../../src/einvoice/verifactu/record.js';

const id = (numSerie: string, fechaExpedicion = '01-09-2024', idEmisor = '89890001K'): IdFactura => ({
  idEmisor,
  numSerie,
  fechaExpedicion,
});

/** java.net.URLEncoder.encode(s, "UTF-8"), written differently: from encodeURIComponent. */
function javaUrlEncoder(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

describe('qrUrl: the QR spec v0.4.7 examples', () => {
  it('§4: test environment, numserie "12345678&G33" encoded as 12345678%26G33', () => {
    const url = qrUrl('test', id('12345678&G33', '01-01-2024'), '241.4');
    expect(url).toBe(
      'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.4',
    );
    // the spec's "ejemplo erróneo" (not encoded) is not what we make
    expect(url).not.toBe(
      'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678&G33&fecha=01-01-2024&importe=241.4',
    );
  });

  it('§4.1 Java example: its inputs, importe "241.40" kept as given', () => {
    expect(qrUrl('test', id('12345678&G33', '01-01-2024'), '241.40')).toBe(
      'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.40',
    );
  });

  it('§8.1: test environment, facturas verificables', () => {
    expect(qrUrl('test', id('12345678-G33'), '241.4')).toBe(
      'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678-G33&fecha=01-09-2024&importe=241.4',
    );
  });

  it('§8.3: production, facturas verificables', () => {
    expect(qrUrl('prod', id('12345678-G33'), '241.4')).toBe(
      'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678-G33&fecha=01-09-2024&importe=241.4',
    );
  });

  it('§5.1 base URLs', () => {
    expect(QR_BASE_URL).toEqual({
      test: 'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR',
      prod: 'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR',
    });
  });
});

describe('qrUrl: encoding of numserie (§4, java.net.URLEncoder with UTF-8)', () => {
  const cases: [string, string][] = [
    ['12345678/G33', '12345678%2FG33'],
    ['12345678 / G33', '12345678+%2F+G33'],
    ['T 1', 'T+1'],
    ['A&B', 'A%26B'],
    ['A+B', 'A%2BB'],
    ['100%', '100%25'],
    ['#1?x', '%231%3Fx'],
    ['A;B:C,D', 'A%3BB%3AC%2CD'],
    ['a.b-c_d*e', 'a.b-c_d*e'],
    ['(1)!~', '%281%29%21%7E'],
    ['[1]{2}|3\\4^5`6@7$8', '%5B1%5D%7B2%7D%7C3%5C4%5E5%606%407%248'],
    ['AÑO-1', 'A%C3%91O-1'],
    ['€5', '%E2%82%AC5'],
    ['😀', '%F0%9F%98%80'],
  ];
  it.each(cases)('%s → %s', (numSerie, encoded) => {
    expect(encodeQrParam(numSerie)).toBe(encoded);
    expect(qrUrl('prod', id(numSerie), '1.00')).toBe(
      `https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=${encoded}&fecha=01-09-2024&importe=1.00`,
    );
  });

  it('encodes the other parameters too', () => {
    expect(qrUrl('test', { idEmisor: 'X 1&', numSerie: 'A', fechaExpedicion: '01/09/2024' }, '-1,5')).toBe(
      'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=X+1%26&numserie=A&fecha=01%2F09%2F2024&importe=-1%2C5',
    );
  });

  it('agrees with java.net.URLEncoder (reference from encodeURIComponent)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(encodeQrParam(s)).toBe(javaUrlEncoder(s));
      }),
    );
  });

  it('decodes back to the same four values, in order, with only the four parameters', () => {
    const printable = fc.string({ unit: fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(fc.constantFrom('test', 'prod' as const), printable, fc.string({ unit: 'binary', maxLength: 20 }), (env, numSerie, other) => {
        const url = new URL(qrUrl(env, { idEmisor: other, numSerie, fechaExpedicion: other }, other));
        expect(`${url.origin}${url.pathname}`).toBe(QR_BASE_URL[env]);
        expect([...url.searchParams]).toEqual([
          ['nif', other],
          ['numserie', numSerie],
          ['fecha', other],
          ['importe', other],
        ]);
      }),
    );
  });

  it('uses only URL-safe characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(encodeQrParam(s)).toMatch(/^[A-Za-z0-9.\-*_+%]*$/);
      }),
    );
  });
});

describe('qrParamProblems (§6 formats, §10 codes)', () => {
  it('accepts the spec examples and usual values', () => {
    expect(qrParamProblems(id('12345678-G33'), '241.4')).toEqual([]);
    expect(qrParamProblems(id('12345678&G33'), '241.40')).toEqual([]);
    expect(qrParamProblems(id('T01 / 000123'), '0.00')).toEqual([]);
    expect(qrParamProblems(id('R-1'), '-1960.20')).toEqual([]);
    expect(qrParamProblems(id('x'.repeat(60)), '999999999999.99')).toEqual([]);
  });

  it('reports the codes the service would give', () => {
    expect(qrParamProblems({ idEmisor: '', numSerie: '', fechaExpedicion: '' }, '')).toEqual(['1001', '1002', '1003', '1004']);
    expect(qrParamProblems(id('A', '01-01-2024', '891K'), '1')).toEqual(['2001']);
    expect(qrParamProblems(id('x'.repeat(61)), '1')).toEqual(['2002']);
    expect(qrParamProblems(id('AÑO-1'), '1')).toEqual(['2003']);
    expect(qrParamProblems(id('A\t1'), '1')).toEqual(['2003']);
    expect(qrParamProblems(id('A', '2024-01-01'), '1')).toEqual(['2004']);
    expect(qrParamProblems(id('A', '1-1-2024'), '1')).toEqual(['2004']);
    expect(qrParamProblems(id('A'), '7,2')).toEqual(['2005']);
    expect(qrParamProblems(id('A'), '1.234')).toEqual(['2005']);
    expect(qrParamProblems(id('A'), '1234567890123.00')).toEqual(['2006']);
  });
});

describe('printing constants (QR spec §2 quoting Orden arts. 20–21, §3)', () => {
  it('has the values of the spec', () => {
    expect(QR_ERROR_CORRECTION).toBe('M');
    expect(QR_STANDARD).toBe('ISO/IEC 18004:2015');
    expect(QR_SIZE_MM).toEqual({ min: 30, max: 40 });
    expect(QR_QUIET_ZONE_MM).toEqual({ min: 2, recommended: 6 });
    expect(QR_HEADING).toBe('QR tributario:');
    expect(VERIFACTU_LEGEND_LONG).toBe('Factura verificable en la sede electrónica de la AEAT');
    expect(VERIFACTU_LEGEND_SHORT).toBe('VERI*FACTU');
    expect(QR_PLACEMENT.atStart && QR_PLACEMENT.firstQr && QR_PLACEMENT.firstPageOnly).toBe(true);
  });
});
