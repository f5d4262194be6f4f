import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  huella,
  huellaFields,
  huellaInput,
  huellaMatches,
  sha256HexUpper,
  trimHuellaValue,
  withHuella,
} from '../../src/einvoice/verifactu/huella.js';
import type {
  IdFactura,
  RegistroAlta,
  RegistroAnterior,
  RegistroAnulacion,
  SistemaInformatico,
} from '../../src/einvoice/verifactu/record.js';

const SISTEMA: SistemaInformatico = {
  nombreRazon: 'Tpv Software SL',
  nif: 'B12345678',
  nombreSistema: 'tpv',
  idSistema: 'TP',
  version: '0.1.0',
  numeroInstalacion: 'CAJA-01',
  soloVerifactu: 'S',
  multiOT: 'N',
  indicadorMultiplesOT: 'N',
};

function alta(over: Partial<RegistroAlta> & { id: IdFactura }): RegistroAlta {
  return {
    kind: 'alta',
    nombreRazonEmisor: 'Tienda de prueba SL',
    tipoFactura: 'F1',
    descripcionOperacion: 'Venta',
    desglose: [{ claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '21', base: '100.00', cuota: '21.00' }],
    cuotaTotal: '21.00',
    importeTotal: '121.00',
    anterior: null,
    sistema: SISTEMA,
    fechaHoraHusoGenRegistro: '2024-11-26T05:00:00+01:00',
    huella: '',
    ...over,
  };
}

function anulacion(over: Partial<RegistroAnulacion> & { id: IdFactura }): RegistroAnulacion {
  return {
    kind: 'anulacion',
    anterior: null,
    sistema: SISTEMA,
    fechaHoraHusoGenRegistro: '2024-11-26T05:00:00+01:00',
    huella: '',
    ...over,
  };
}

function anterior(r: RegistroAlta | RegistroAnulacion): RegistroAnterior {
  return { ...r.id, huella: r.huella };
}

// Hash spec v0.1.2 §6 "Ejemplos" (pages 10–12): the three cases, data, concatenated text and
// expected huella, copied from the PDF (its line breaks inside the strings removed).
const CASO1_INPUT =
  'IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45&Huella=&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00';
const CASO1_HUELLA = '3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60';
const CASO2_INPUT =
  'IDEmisorFactura=89890001K&NumSerieFactura=12345679/G34&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45&Huella=3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60&FechaHoraHusoGenRegistro=2024-01-01T19:20:35+01:00';
const CASO2_HUELLA = 'F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97';
const CASO3_INPUT =
  'IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345679/G34&FechaExpedicionFacturaAnulada=01-01-2024&Huella=F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97&FechaHoraHusoGenRegistro=2024-01-01T19:20:40+01:00';
const CASO3_HUELLA = '177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68';

const caso1 = alta({
  id: { idEmisor: '89890001K', numSerie: '12345678/G33', fechaExpedicion: '01-01-2024' },
  tipoFactura: 'F1',
  cuotaTotal: '12.35',
  importeTotal: '123.45',
  anterior: null,
  fechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
});

describe('huella: the AEAT worked examples (hash spec v0.1.2 §6)', () => {
  it('6.1 Caso 1: first record (alta), empty previous Huella', () => {
    expect(huellaInput(caso1)).toBe(CASO1_INPUT);
    expect(huella(caso1)).toBe(CASO1_HUELLA);
    expect(sha256HexUpper(CASO1_INPUT)).toBe(CASO1_HUELLA);
  });

  it('6.2 Caso 2: alta chained to Caso 1', () => {
    const first = withHuella(caso1);
    const second = alta({
      id: { idEmisor: '89890001K', numSerie: '12345679/G34', fechaExpedicion: '01-01-2024' },
      tipoFactura: 'F1',
      cuotaTotal: '12.35',
      importeTotal: '123.45',
      anterior: anterior(first),
      fechaHoraHusoGenRegistro: '2024-01-01T19:20:35+01:00',
    });
    expect(huellaInput(second)).toBe(CASO2_INPUT);
    expect(huella(second)).toBe(CASO2_HUELLA);
    expect(sha256HexUpper(CASO2_INPUT)).toBe(CASO2_HUELLA);
  });

  it('6.3 Caso 3: anulación chained to Caso 2, with the *Anulada field names', () => {
    const r = anulacion({
      id: { idEmisor: '89890001K', numSerie: '12345679/G34', fechaExpedicion: '01-01-2024' },
      anterior: { idEmisor: '89890001K', numSerie: '12345679/G34', fechaExpedicion: '01-01-2024', huella: CASO2_HUELLA },
      fechaHoraHusoGenRegistro: '2024-01-01T19:20:40+01:00',
    });
    expect(huellaInput(r)).toBe(CASO3_INPUT);
    expect(huella(r)).toBe(CASO3_HUELLA);
    expect(sha256HexUpper(CASO3_INPUT)).toBe(CASO3_HUELLA);
  });

  it('the whole chain Caso 1 → 2 → 3 with withHuella', () => {
    const r1 = withHuella(caso1);
    const r2 = withHuella(
      alta({
        id: { idEmisor: '89890001K', numSerie: '12345679/G34', fechaExpedicion: '01-01-2024' },
        cuotaTotal: '12.35',
        importeTotal: '123.45',
        anterior: anterior(r1),
        fechaHoraHusoGenRegistro: '2024-01-01T19:20:35+01:00',
      }),
    );
    const r3 = withHuella(
      anulacion({ id: r2.id, anterior: anterior(r2), fechaHoraHusoGenRegistro: '2024-01-01T19:20:40+01:00' }),
    );
    expect([r1.huella, r2.huella, r3.huella]).toEqual([CASO1_HUELLA, CASO2_HUELLA, CASO3_HUELLA]);
    expect([r1, r2, r3].every(huellaMatches)).toBe(true);
  });
});

describe('huella: cross-check with third-party example records (invopop, not authoritative)', () => {
  // ../shared/einvoice/verifactu/examples-via-invopop/test/data/out/*.xml: the Huella each XML carries.
  const prev: RegistroAnterior = {
    idEmisor: 'B12345678',
    numSerie: 'SAMPLE-001',
    fechaExpedicion: '26-11-2024',
    huella: '0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
  };
  const cases: [string, Partial<RegistroAlta> & { id: IdFactura }, string][] = [
    [
      'inv-base.xml',
      { id: { idEmisor: 'B85905495', numSerie: 'SAMPLE-004', fechaExpedicion: '13-11-2024' }, tipoFactura: 'F1', cuotaTotal: '378.00', importeTotal: '2178.00' },
      'F5D2E033EEB82E06908BE1F7059D84F1A0DCA49FB7CC383E7F11D119FF36370F',
    ],
    [
      'inv-simplified.xml',
      { id: { idEmisor: 'B85905495', numSerie: 'SAMPLE-004', fechaExpedicion: '13-11-2024' }, tipoFactura: 'F2', cuotaTotal: '378.00', importeTotal: '2178.00' },
      '27BBB123549C80583CC8C7F7DA3F7B5C7051BC5F56D3D1DE48F92B574848AFE3',
    ],
    [
      'cred-note-base.xml (negative amounts)',
      { id: { idEmisor: 'B85905495', numSerie: 'FR-012', fechaExpedicion: '01-02-2022' }, tipoFactura: 'R1', cuotaTotal: '-340.20', importeTotal: '-1960.20' },
      'B0A61CC81520D1155A4FADEDB0F6973EAAB923B8DF1D8FF53788ACA5FFCA2A04',
    ],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    expect(huella(alta({ ...over, anterior: prev, fechaHoraHusoGenRegistro: '2024-11-26T05:00:00+01:00' }))).toBe(expected);
  });
});

describe('huella: input text', () => {
  it('trims leading and trailing spaces of each value, keeping inner ones (§3 example " 12345678 / G33 ")', () => {
    const r = alta({
      id: { idEmisor: ' 89890001K', numSerie: ' 12345678 / G33 ', fechaExpedicion: '01-01-2024 ' },
      cuotaTotal: '  12.35',
      importeTotal: '123.45  ',
      anterior: { idEmisor: '89890001K', numSerie: 'X', fechaExpedicion: '01-01-2024', huella: ` ${CASO1_HUELLA} ` },
      fechaHoraHusoGenRegistro: ' 2024-01-01T19:20:30+01:00 ',
    });
    expect(huellaInput(r)).toBe(
      `IDEmisorFactura=89890001K&NumSerieFactura=12345678 / G33&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45&Huella=${CASO1_HUELLA}&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00`,
    );
    const trimmed = alta({ ...r, id: { idEmisor: '89890001K', numSerie: '12345678 / G33', fechaExpedicion: '01-01-2024' } });
    expect(huella(r)).toBe(
      huella({ ...trimmed, cuotaTotal: '12.35', importeTotal: '123.45', anterior: { ...r.anterior!, huella: CASO1_HUELLA }, fechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00' }),
    );
  });

  it('trims as Java String.trim() (the §4 example): chars ≤ U+0020, not U+00A0 nor other Unicode spaces', () => {
    expect(trimHuellaValue(' \t\r\n A B \n\t ')).toBe('A B');
    expect(trimHuellaValue('\u0000x\u001f')).toBe('x');
    expect(trimHuellaValue('\u00a0A\u00a0')).toBe('\u00a0A\u00a0');
    expect(trimHuellaValue('\u2003A\u3000')).toBe('\u2003A\u3000');
    expect(trimHuellaValue('   ')).toBe('');
    expect(trimHuellaValue('')).toBe('');
  });

  it('an anulación with no previous record has an empty Huella too', () => {
    const r = anulacion({
      id: { idEmisor: '89890001K', numSerie: 'A-1', fechaExpedicion: '02-01-2025' },
      fechaHoraHusoGenRegistro: '2025-01-02T10:00:00+01:00',
    });
    expect(huellaInput(r)).toBe(
      'IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=A-1&FechaExpedicionFacturaAnulada=02-01-2025&Huella=&FechaHoraHusoGenRegistro=2025-01-02T10:00:00+01:00',
    );
  });

  it('hashes the amounts as written (one or two decimals, §3): no reformatting', () => {
    const one = alta({ ...caso1, importeTotal: '123.1', cuotaTotal: '12.3' });
    expect(huellaInput(one)).toContain('&CuotaTotal=12.3&ImporteTotal=123.1&');
    expect(huellaInput(alta({ ...caso1, importeTotal: '123.10' }))).toContain('&ImporteTotal=123.10&');
  });

  it('does not escape "&" in a value (the spec does not; "=" is forbidden in NumSerieFactura)', () => {
    const r = alta({ ...caso1, id: { ...caso1.id, numSerie: '12345678&G33' } });
    expect(huellaInput(r)).toContain('&NumSerieFactura=12345678&G33&FechaExpedicionFactura=');
  });

  it('hashes the UTF-8 bytes (value from sha256sum of the same text)', () => {
    const r = alta({
      id: { idEmisor: '89890001K', numSerie: 'AÑO-2024/1', fechaExpedicion: '01-01-2024' },
      tipoFactura: 'F2',
      cuotaTotal: '2.10',
      importeTotal: '12.10',
      fechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
    });
    expect(huella(r)).toBe('312941FB8B5620FD79772D2AD89F1A09212537E76F8585EE0FCC09E44EE26353');
  });

  it('lists the fields in spec order with the XML names', () => {
    expect(huellaFields(caso1).map(([n]) => n)).toEqual([
      'IDEmisorFactura',
      'NumSerieFactura',
      'FechaExpedicionFactura',
      'TipoFactura',
      'CuotaTotal',
      'ImporteTotal',
      'Huella',
      'FechaHoraHusoGenRegistro',
    ]);
    expect(huellaFields(anulacion({ id: caso1.id })).map(([n]) => n)).toEqual([
      'IDEmisorFacturaAnulada',
      'NumSerieFacturaAnulada',
      'FechaExpedicionFacturaAnulada',
      'Huella',
      'FechaHoraHusoGenRegistro',
    ]);
  });
});

describe('huella: output and withHuella', () => {
  it('is 64 uppercase hex characters and ignores the record’s own huella', () => {
    expect(huella(caso1)).toMatch(/^[0-9A-F]{64}$/);
    expect(huella({ ...caso1, huella: 'whatever' })).toBe(CASO1_HUELLA);
  });

  it('withHuella sets huella, keeps the rest and does not modify its argument', () => {
    const before = structuredClone(caso1);
    const r = withHuella(caso1);
    expect(r).toEqual({ ...caso1, huella: CASO1_HUELLA });
    expect(caso1).toEqual(before);
    expect(huellaMatches(r)).toBe(true);
    expect(huellaMatches({ ...r, huella: r.huella.toLowerCase() })).toBe(false);
  });

  it('sha256HexUpper agrees with node:crypto', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(sha256HexUpper(s)).toBe(createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex').toUpperCase());
      }),
    );
  });
});

describe('huella: properties', () => {
  const value = fc.string({ unit: 'binary', maxLength: 30 });
  /** Two values the spec treats as different (they differ once trimmed). */
  const differentPair = fc
    .tuple(value, value)
    .filter(([a, b]) => trimHuellaValue(a) !== trimHuellaValue(b));
  const idArb = fc.record({ idEmisor: value, numSerie: value, fechaExpedicion: value });
  const altaArb = fc
    .record({
      id: idArb,
      tipoFactura: fc.constantFrom('F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5' as const),
      cuotaTotal: value,
      importeTotal: value,
      anterior: fc.option(fc.record({ idEmisor: value, numSerie: value, fechaExpedicion: value, huella: value }), { nil: null }),
      fechaHoraHusoGenRegistro: value,
      descripcionOperacion: value,
    })
    .map((o) => alta(o));
  const anulacionArb = fc
    .record({
      id: idArb,
      anterior: fc.option(fc.record({ idEmisor: value, numSerie: value, fechaExpedicion: value, huella: value }), { nil: null }),
      fechaHoraHusoGenRegistro: value,
    })
    .map((o) => anulacion(o));

  type Edit<R> = (r: R, v: string) => R;
  const altaHashed: [string, Edit<RegistroAlta>][] = [
    ['IDEmisorFactura', (r, v) => ({ ...r, id: { ...r.id, idEmisor: v } })],
    ['NumSerieFactura', (r, v) => ({ ...r, id: { ...r.id, numSerie: v } })],
    ['FechaExpedicionFactura', (r, v) => ({ ...r, id: { ...r.id, fechaExpedicion: v } })],
    ['CuotaTotal', (r, v) => ({ ...r, cuotaTotal: v })],
    ['ImporteTotal', (r, v) => ({ ...r, importeTotal: v })],
    ['Huella', (r, v) => ({ ...r, anterior: { idEmisor: 'B12345678', numSerie: 'X', fechaExpedicion: '01-01-2025', ...r.anterior, huella: v } })],
    ['FechaHoraHusoGenRegistro', (r, v) => ({ ...r, fechaHoraHusoGenRegistro: v })],
  ];
  const anulacionHashed: [string, Edit<RegistroAnulacion>][] = [
    ['IDEmisorFacturaAnulada', (r, v) => ({ ...r, id: { ...r.id, idEmisor: v } })],
    ['NumSerieFacturaAnulada', (r, v) => ({ ...r, id: { ...r.id, numSerie: v } })],
    ['FechaExpedicionFacturaAnulada', (r, v) => ({ ...r, id: { ...r.id, fechaExpedicion: v } })],
    ['Huella', (r, v) => ({ ...r, anterior: { idEmisor: 'B12345678', numSerie: 'X', fechaExpedicion: '01-01-2025', ...r.anterior, huella: v } })],
    ['FechaHoraHusoGenRegistro', (r, v) => ({ ...r, fechaHoraHusoGenRegistro: v })],
  ];

  it.each(altaHashed)('alta: changing %s changes the hash', (_name, edit) => {
    fc.assert(
      fc.property(altaArb, differentPair, (r, [a, b]) => {
        expect(huella(edit(r, a))).not.toBe(huella(edit(r, b)));
      }),
    );
  });

  it('alta: changing TipoFactura changes the hash', () => {
    const tipos = fc.constantFrom('F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5' as const);
    fc.assert(
      fc.property(altaArb, tipos, tipos, (r, a, b) => {
        fc.pre(a !== b);
        expect(huella({ ...r, tipoFactura: a })).not.toBe(huella({ ...r, tipoFactura: b }));
      }),
    );
  });

  it.each(anulacionHashed)('anulación: changing %s changes the hash', (_name, edit) => {
    fc.assert(
      fc.property(anulacionArb, differentPair, (r, [a, b]) => {
        expect(huella(edit(r, a))).not.toBe(huella(edit(r, b)));
      }),
    );
  });

  it('alta: a first record (no anterior) and one whose previous huella is empty hash the same', () => {
    fc.assert(
      fc.property(altaArb, (r) => {
        const none = { ...r, anterior: null };
        const empty = { ...r, anterior: { idEmisor: 'B12345678', numSerie: 'X', fechaExpedicion: '01-01-2025', huella: '' } };
        expect(huella(none)).toBe(huella(empty));
      }),
    );
  });

  it('alta: fields outside the list do not change the hash', () => {
    const other = fc.record({
      nombreRazonEmisor: value,
      descripcionOperacion: value,
      subsanacion: fc.option(fc.boolean(), { nil: undefined }),
      rechazoPrevio: fc.option(fc.boolean(), { nil: undefined }),
      tipoRectificativa: fc.option(fc.constantFrom('S', 'I' as const), { nil: undefined }),
      destinatarios: fc.option(fc.array(fc.record({ nombreRazon: value, nif: value }), { maxLength: 2 }), { nil: undefined }),
      desglose: fc.array(
        fc.record({ claveRegimen: value, calificacion: fc.constantFrom('S1', 'S2', 'N1', 'N2' as const), base: value, cuota: value }),
        { maxLength: 3 },
      ),
      importeRectificacion: fc.option(fc.record({ base: value, cuota: value }), { nil: undefined }),
      sistema: fc.record({
        nombreRazon: value,
        nif: value,
        nombreSistema: value,
        idSistema: value,
        version: value,
        numeroInstalacion: value,
        soloVerifactu: fc.constantFrom('S', 'N' as const),
        multiOT: fc.constantFrom('S', 'N' as const),
        indicadorMultiplesOT: fc.constantFrom('S', 'N' as const),
      }),
      huella: value,
      anteriorId: idArb,
    });
    fc.assert(
      fc.property(altaArb, other, (r, { anteriorId, ...o }) => {
        const changed: RegistroAlta = {
          ...r,
          ...o,
          anterior: r.anterior && { ...anteriorId, huella: r.anterior.huella },
        };
        expect(huella(changed)).toBe(huella(r));
      }),
    );
  });

  it('anulación: sistema, the previous record’s id and its own huella do not change the hash', () => {
    fc.assert(
      fc.property(anulacionArb, idArb, value, value, (r, anteriorId, nif, own) => {
        const changed: RegistroAnulacion = {
          ...r,
          sistema: { ...SISTEMA, nif },
          huella: own,
          anterior: r.anterior && { ...anteriorId, huella: r.anterior.huella },
        };
        expect(huella(changed)).toBe(huella(r));
      }),
    );
  });

  it('surrounding a hashed value with spaces does not change the hash', () => {
    const pad = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });
    fc.assert(
      fc.property(altaArb, pad, pad, (r, a, b) => {
        const padded: RegistroAlta = {
          ...r,
          id: { ...r.id, numSerie: a + r.id.numSerie + b },
          importeTotal: b + r.importeTotal + a,
        };
        expect(huella(padded)).toBe(huella(r));
      }),
    );
  });
});
