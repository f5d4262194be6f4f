/**
 * VERI*FACTU XML: the records and the SOAP envelope checked against the AEAT's XSDs with xmllint
 * (CI installs libxml2-utils; without xmllint these tests fail, they do not skip), and the
 * parsing of the AEAT's answers (hand-written per RespuestaSuministro.xsd, and checked against
 * it too).
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { IdFactura, ObligadoEmision, Registro, RegistroAlta, RegistroAnulacion, SistemaInformatico } from '../../src/einvoice/verifactu/record.js';
import {
  CODIGO_DUPLICADO,
  isDuplicate,
  isFault,
  parseRespuesta,
  RespuestaNoValida,
  type Respuesta,
} from '../../src/einvoice/verifactu/response.js';
import {
  envelope,
  escapeXml,
  MAX_REGISTROS,
  NS,
  registroAltaXml,
  registroAnulacionXml,
  RESPUESTA_NS,
  VERIFACTU_ENDPOINTS,
  VERIFACTU_ENDPOINTS_SELLO,
} from '../../src/einvoice/verifactu/xml.js';
import { MAIN_XSD, respuestaXsd, xmllint } from '../xmllint.js';


const huella = (s: string): string => createHash('sha256').update(s).digest('hex').toUpperCase();

const EMISOR = 'B76543214';
const obligado: ObligadoEmision = { nombreRazon: 'Ferretería Pérez S.L.', nif: EMISOR };
const sistema: SistemaInformatico = {
  nombreRazon: 'Tpv Software S.L.',
  nif: 'B12345674',
  nombreSistema: 'tpv',
  idSistema: 'TP',
  version: '0.1.0',
  numeroInstalacion: 'T01-0001',
  soloVerifactu: 'S',
  multiOT: 'N',
  indicadorMultiplesOT: 'N',
};
const id = (numSerie: string, fechaExpedicion = '15-03-2025'): IdFactura => ({ idEmisor: EMISOR, numSerie, fechaExpedicion });
const chain = (r: Registro) => ({ ...r.id, huella: r.huella });

/** A ticket, the first record of the chain. */
const f2: RegistroAlta = {
  kind: 'alta',
  id: id('T01-000001'),
  nombreRazonEmisor: obligado.nombreRazon,
  tipoFactura: 'F2',
  descripcionOperacion: 'Venta en tienda',
  desglose: [{ claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '21', base: '10.00', cuota: '2.10' }],
  cuotaTotal: '2.10',
  importeTotal: '12.10',
  anterior: null,
  sistema,
  fechaHoraHusoGenRegistro: '2025-03-15T10:00:00+01:00',
  huella: huella('f2'),
};

/** An invoice to a named customer, chained to the ticket. */
const f1: RegistroAlta = {
  kind: 'alta',
  id: id('F01-000001'),
  nombreRazonEmisor: obligado.nombreRazon,
  tipoFactura: 'F1',
  descripcionOperacion: 'Material de obra',
  destinatarios: [{ nombreRazon: 'Reformas García S.L.', nif: 'B11111113' }],
  desglose: [
    { impuesto: '01', claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '21', base: '100.00', cuota: '21.00' },
    { impuesto: '01', claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '10', base: '50.00', cuota: '5.00' },
  ],
  cuotaTotal: '26.00',
  importeTotal: '176.00',
  anterior: chain(f2),
  sistema,
  fechaHoraHusoGenRegistro: '2025-03-15T10:05:00+01:00',
  huella: huella('f1'),
};

/** A refund of the ticket, "por diferencias" (negative amounts). */
const r5: RegistroAlta = {
  kind: 'alta',
  id: id('D01-000001', '16-03-2025'),
  nombreRazonEmisor: obligado.nombreRazon,
  tipoFactura: 'R5',
  tipoRectificativa: 'I',
  rectificadas: [f2.id],
  descripcionOperacion: 'Devolución',
  desglose: [{ claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '21', base: '-10.00', cuota: '-2.10' }],
  cuotaTotal: '-2.10',
  importeTotal: '-12.10',
  anterior: chain(f1),
  sistema,
  fechaHoraHusoGenRegistro: '2025-03-16T09:00:00+01:00',
  huella: huella('r5'),
};

/** An invoice replacing two tickets. */
const f3: RegistroAlta = {
  kind: 'alta',
  id: id('F01-000002', '16-03-2025'),
  nombreRazonEmisor: obligado.nombreRazon,
  tipoFactura: 'F3',
  sustituidas: [id('T01-000002'), id('T01-000003')],
  descripcionOperacion: 'Factura en sustitución de tickets',
  destinatarios: [{ nombreRazon: 'Reformas García S.L.', nif: 'B11111113' }],
  desglose: [{ claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '21', base: '30.00', cuota: '6.30' }],
  cuotaTotal: '6.30',
  importeTotal: '36.30',
  anterior: chain(r5),
  sistema,
  fechaHoraHusoGenRegistro: '2025-03-16T09:10:00+01:00',
  huella: huella('f3'),
};

/** An invoice issued in error, cancelled. */
const anulacion: RegistroAnulacion = {
  kind: 'anulacion',
  id: f1.id,
  anterior: chain(f3),
  sistema,
  fechaHoraHusoGenRegistro: '2025-03-16T09:20:00+01:00',
  huella: huella('anulacion'),
};

/** A corrected resend (Subsanacion, RechazoPrevio), with a not-subject line (no rate nor cuota). */
const subsanacion: RegistroAlta = {
  ...f2,
  id: id('T01-000004', '16-03-2025'),
  subsanacion: true,
  rechazoPrevio: true,
  desglose: [
    { claveRegimen: '01', calificacion: 'S1', tipoImpositivo: '4', base: '10.00', cuota: '0.40' },
    { impuesto: '01', claveRegimen: '01', calificacion: 'N1', base: '5.00' },
  ],
  cuotaTotal: '0.40',
  importeTotal: '15.40',
  anterior: { ...anulacion.id, huella: anulacion.huella },
  huella: huella('subsanacion'),
};

/** A corrective invoice "por sustitución" (ImporteRectificacion). */
const r1: RegistroAlta = {
  ...f1,
  id: id('R01-000001', '17-03-2025'),
  tipoFactura: 'R1',
  tipoRectificativa: 'S',
  rectificadas: [f1.id],
  importeRectificacion: { base: '150.00', cuota: '26.00' },
  anterior: { ...subsanacion.id, huella: subsanacion.huella },
  huella: huella('r1'),
};

const ALL: Registro[] = [f2, f1, r5, f3, anulacion, subsanacion, r1];

/** The local names of the children of a sum1 element, in order (the generated XML has no whitespace between elements). */
function childNames(xml: string, parent: string): string[] {
  const inner = new RegExp(`<sum1:${parent}>(.*)</sum1:${parent}>`).exec(xml)?.[1] ?? '';
  const names: string[] = [];
  let depth = 0;
  for (const m of inner.matchAll(/<(\/?)sum1:(\w+)/g)) {
    if (m[1]) depth--;
    else {
      if (depth === 0) names.push(m[2]!);
      depth++;
    }
  }
  return names;
}

describe('VERI*FACTU records', () => {
  it('a ticket: the elements of RegistroAlta in the XSD order, PrimerRegistro S, TipoHuella 01', () => {
    const xml = registroAltaXml(f2);
    expect(childNames(xml, 'RegistroAlta')).toEqual([
      'IDVersion',
      'IDFactura',
      'NombreRazonEmisor',
      'TipoFactura',
      'DescripcionOperacion',
      'Desglose',
      'CuotaTotal',
      'ImporteTotal',
      'Encadenamiento',
      'SistemaInformatico',
      'FechaHoraHusoGenRegistro',
      'TipoHuella',
      'Huella',
    ]);
    expect(xml).toContain('<sum1:IDVersion>1.0</sum1:IDVersion>');
    expect(xml).toContain('<sum1:Encadenamiento><sum1:PrimerRegistro>S</sum1:PrimerRegistro></sum1:Encadenamiento>');
    expect(xml).toContain(`<sum1:TipoHuella>01</sum1:TipoHuella><sum1:Huella>${f2.huella}</sum1:Huella></sum1:RegistroAlta>`);
    expect(xml).not.toContain('Destinatarios');
  });

  it('every optional part in its place (corrective por sustitución, resend)', () => {
    expect(childNames(registroAltaXml({ ...r1, subsanacion: true, rechazoPrevio: true }), 'RegistroAlta')).toEqual([
      'IDVersion',
      'IDFactura',
      'NombreRazonEmisor',
      'Subsanacion',
      'RechazoPrevio',
      'TipoFactura',
      'TipoRectificativa',
      'FacturasRectificadas',
      'ImporteRectificacion',
      'DescripcionOperacion',
      'Destinatarios',
      'Desglose',
      'CuotaTotal',
      'ImporteTotal',
      'Encadenamiento',
      'SistemaInformatico',
      'FechaHoraHusoGenRegistro',
      'TipoHuella',
      'Huella',
    ]);
    expect(childNames(registroAltaXml(f3), 'RegistroAlta')).toContain('FacturasSustituidas');
    expect(childNames(registroAltaXml(subsanacion), 'Desglose')).toEqual(['DetalleDesglose', 'DetalleDesglose']);
    expect(registroAltaXml(subsanacion)).toContain(
      '<sum1:DetalleDesglose><sum1:ClaveRegimen>01</sum1:ClaveRegimen><sum1:CalificacionOperacion>S1</sum1:CalificacionOperacion><sum1:TipoImpositivo>4</sum1:TipoImpositivo><sum1:BaseImponibleOimporteNoSujeto>10.00</sum1:BaseImponibleOimporteNoSujeto><sum1:CuotaRepercutida>0.40</sum1:CuotaRepercutida></sum1:DetalleDesglose>',
    );
    expect(registroAltaXml(subsanacion)).toContain(
      '<sum1:DetalleDesglose><sum1:Impuesto>01</sum1:Impuesto><sum1:ClaveRegimen>01</sum1:ClaveRegimen><sum1:CalificacionOperacion>N1</sum1:CalificacionOperacion><sum1:BaseImponibleOimporteNoSujeto>5.00</sum1:BaseImponibleOimporteNoSujeto></sum1:DetalleDesglose>',
    );
  });

  it('the chain: RegistroAnterior names the previous record and its huella', () => {
    expect(registroAltaXml(f1)).toContain(
      `<sum1:Encadenamiento><sum1:RegistroAnterior><sum1:IDEmisorFactura>${EMISOR}</sum1:IDEmisorFactura><sum1:NumSerieFactura>T01-000001</sum1:NumSerieFactura><sum1:FechaExpedicionFactura>15-03-2025</sum1:FechaExpedicionFactura><sum1:Huella>${f2.huella}</sum1:Huella></sum1:RegistroAnterior></sum1:Encadenamiento>`,
    );
  });

  it('an anulación: the IDFactura of the cancelled invoice, then the chain', () => {
    const xml = registroAnulacionXml(anulacion);
    expect(childNames(xml, 'RegistroAnulacion')).toEqual(['IDVersion', 'IDFactura', 'Encadenamiento', 'SistemaInformatico', 'FechaHoraHusoGenRegistro', 'TipoHuella', 'Huella']);
    expect(xml).toContain(
      `<sum1:IDFactura><sum1:IDEmisorFacturaAnulada>${EMISOR}</sum1:IDEmisorFacturaAnulada><sum1:NumSerieFacturaAnulada>F01-000001</sum1:NumSerieFacturaAnulada><sum1:FechaExpedicionFacturaAnulada>15-03-2025</sum1:FechaExpedicionFacturaAnulada></sum1:IDFactura>`,
    );
  });

  it('escapes & < > " \' in values, and the text reads back unchanged', () => {
    const name = `Hijos de P. & Cía <"La 'Nueva'"> S.L.`;
    const xml = registroAltaXml({ ...f1, nombreRazonEmisor: name, destinatarios: [{ nombreRazon: 'A&B <C>', nif: 'B11111113' }] });
    expect(xml).toContain('<sum1:NombreRazonEmisor>Hijos de P. &amp; Cía &lt;&quot;La &apos;Nueva&apos;&quot;&gt; S.L.</sum1:NombreRazonEmisor>');
    expect(xml).toContain('<sum1:NombreRazon>A&amp;B &lt;C&gt;</sum1:NombreRazon>');
    const back = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(xml);
    expect(back.RegistroAlta.NombreRazonEmisor).toBe(name);
    expect(back.RegistroAlta.Destinatarios.IDDestinatario.NombreRazon).toBe('A&B <C>');
    expect(escapeXml('a\r\nb')).toBe('a&#13;\nb');
    expect(() => escapeXml('bad\u0001', 'NombreRazon')).toThrow(/NombreRazon/);
  });

  it('refuses a Desglose that the schema refuses (none, or more than 12 lines)', () => {
    expect(() => registroAltaXml({ ...f2, desglose: [] })).toThrow(RangeError);
    expect(() => registroAltaXml({ ...f2, desglose: Array(13).fill(f2.desglose[0]) })).toThrow(RangeError);
  });
});

describe('VERI*FACTU envelope', () => {
  it('the SOAP envelope with the namespaces of the AEAT example, one RegistroFactura per record', () => {
    const xml = envelope(obligado, ALL);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope')).toBe(true);
    for (const [prefix, uri] of Object.entries(NS)) expect(xml).toContain(`xmlns:${prefix}="${uri}"`);
    expect(xml).toContain(
      '<soapenv:Header/><soapenv:Body><sum:RegFactuSistemaFacturacion><sum:Cabecera><sum1:ObligadoEmision><sum1:NombreRazon>Ferretería Pérez S.L.</sum1:NombreRazon><sum1:NIF>B76543214</sum1:NIF></sum1:ObligadoEmision></sum:Cabecera><sum:RegistroFactura><sum1:RegistroAlta>',
    );
    expect(xml.match(/<sum:RegistroFactura>/g)).toHaveLength(ALL.length);
    expect(xml.endsWith('</sum:RegFactuSistemaFacturacion></soapenv:Body></soapenv:Envelope>')).toBe(true);
  });

  it('F2, F1, R5, F3, anulación, subsanación and R1 in one envelope: valid per the AEAT XSDs (xmllint)', () => {
    const { ok, errors } = xmllint(envelope(obligado, ALL), MAIN_XSD, 'envelope.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
  });

  it('escaped names stay valid', () => {
    const names = { ...obligado, nombreRazon: 'P&G <Iberia> "S.A."' };
    const { ok, errors } = xmllint(envelope(names, [{ ...f1, nombreRazonEmisor: names.nombreRazon }]), MAIN_XSD, 'escaped.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
  });

  it('the check has teeth: the schema is applied inside the lax SOAP Body (out of order, a short NIF)', () => {
    const good = envelope(obligado, [f2]);
    const swapped = good.replace(
      /(<sum1:NombreRazonEmisor>.*?<\/sum1:NombreRazonEmisor>)(<sum1:TipoFactura>.*?<\/sum1:TipoFactura>)/,
      '$2$1',
    );
    expect(swapped).not.toBe(good);
    expect(xmllint(swapped, MAIN_XSD, 'swapped.xml').ok).toBe(false);
    const shortNif = xmllint(envelope({ ...obligado, nif: 'B123' }, [f2]), MAIN_XSD, 'short-nif.xml');
    expect(shortNif.ok).toBe(false);
    expect(shortNif.errors).toMatch(/NIF/);
  });

  it('at most 1,000 records per submission (and at least one)', () => {
    const many = Array.from({ length: MAX_REGISTROS }, (_, i) => ({ ...f2, id: id(`T01-${String(i + 1).padStart(6, '0')}`) }));
    expect(MAX_REGISTROS).toBe(1000);
    const { ok, errors } = xmllint(envelope(obligado, many), MAIN_XSD, 'thousand.xml');
    expect(errors).toBe('');
    expect(ok).toBe(true);
    expect(() => envelope(obligado, [...many, f2])).toThrow(/1001 records, at most 1000/);
    expect(() => envelope(obligado, [])).toThrow(RangeError);
  });

  it('the endpoints of SistemaFacturacion.wsdl (service sfVerifactu)', () => {
    expect(VERIFACTU_ENDPOINTS.test).toBe('https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP');
    expect(VERIFACTU_ENDPOINTS.prod).toBe('https://www1.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP');
    expect(VERIFACTU_ENDPOINTS_SELLO.test).toBe('https://prewww10.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP');
    expect(VERIFACTU_ENDPOINTS_SELLO.prod).toBe('https://www10.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP');
  });
});

// ── the AEAT's answers ─────────────────────────────────────────────────────────────────────────


/** A RespuestaRegFactuSistemaFacturacion in a SOAP envelope, with the prefixes the AEAT uses (env:, tikR:, tik:). */
function answer(opts: { csv?: boolean; estado: string; lineas: string[]; espera?: string }): string {
  const csv = opts.csv === false ? '' : '<tikR:CSV>A-Y23JP3582934</tikR:CSV>';
  const presentacion =
    opts.csv === false ? '' : `<tikR:DatosPresentacion><tik:NIFPresentador>${EMISOR}</tik:NIFPresentador><tik:TimestampPresentacion>2025-03-16T09:30:05+01:00</tik:TimestampPresentacion></tikR:DatosPresentacion>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="${NS.soapenv}">
  <env:Header/>
  <env:Body Id="Body">
    <tikR:RespuestaRegFactuSistemaFacturacion xmlns:tikR="${RESPUESTA_NS}" xmlns:tik="${NS.sum1}">
      ${csv}
      ${presentacion}
      <tikR:Cabecera>
        <tik:ObligadoEmision><tik:NombreRazon>Ferretería Pérez S.L.</tik:NombreRazon><tik:NIF>${EMISOR}</tik:NIF></tik:ObligadoEmision>
      </tikR:Cabecera>
      <tikR:TiempoEsperaEnvio>${opts.espera ?? '60'}</tikR:TiempoEsperaEnvio>
      <tikR:EstadoEnvio>${opts.estado}</tikR:EstadoEnvio>
      ${opts.lineas.join('\n      ')}
    </tikR:RespuestaRegFactuSistemaFacturacion>
  </env:Body>
</env:Envelope>`;
}

function linea(r: Registro, estado: string, extra = ''): string {
  return `<tikR:RespuestaLinea>
        <tikR:IDFactura><tik:IDEmisorFactura>${r.id.idEmisor}</tik:IDEmisorFactura><tik:NumSerieFactura>${r.id.numSerie}</tik:NumSerieFactura><tik:FechaExpedicionFactura>${r.id.fechaExpedicion}</tik:FechaExpedicionFactura></tikR:IDFactura>
        <tikR:Operacion><tik:TipoOperacion>${r.kind === 'alta' ? 'Alta' : 'Anulacion'}</tik:TipoOperacion></tikR:Operacion>
        <tikR:EstadoRegistro>${estado}</tikR:EstadoRegistro>${extra}
      </tikR:RespuestaLinea>`;
}


function parsed(xml: string): Respuesta {
  const r = parseRespuesta(xml);
  if (isFault(r)) throw new Error(`unexpected fault ${JSON.stringify(r.fault)}`);
  return r;
}

describe('VERI*FACTU answers', () => {
  const correct = answer({ estado: 'Correcto', lineas: [linea(f2, 'Correcto'), linea(anulacion, 'Correcto')] });
  // codes and texts from the AEAT's list of error codes (errores.properties, Validaciones_Errores_Veri-Factu §4.4)
  const partial = answer({
    estado: 'ParcialmenteCorrecto',
    espera: '120',
    lineas: [
      linea(f2, 'Correcto'),
      linea(f1, 'Incorrecto', '<tikR:CodigoErrorRegistro>1105</tikR:CodigoErrorRegistro><tikR:DescripcionErrorRegistro>El valor del campo FechaExpedicionFactura es incorrecto.</tikR:DescripcionErrorRegistro>'),
      linea(r5, 'AceptadoConErrores', '<tikR:CodigoErrorRegistro>2000</tikR:CodigoErrorRegistro><tikR:DescripcionErrorRegistro>El cálculo de la huella suministrada es incorrecta.</tikR:DescripcionErrorRegistro>'),
    ],
  });
  const duplicate = answer({
    csv: false,
    estado: 'Incorrecto',
    lineas: [
      linea(
        f2,
        'Incorrecto',
        '<tikR:CodigoErrorRegistro>3000</tikR:CodigoErrorRegistro><tikR:DescripcionErrorRegistro>Registro de facturación duplicado.</tikR:DescripcionErrorRegistro>' +
          '<tikR:RegistroDuplicado><tik:IdPeticionRegistroDuplicado>202503160930050001</tik:IdPeticionRegistroDuplicado><tik:EstadoRegistroDuplicado>Correcta</tik:EstadoRegistroDuplicado></tikR:RegistroDuplicado>',
      ),
    ],
  });

  it('the hand-written answers have the shape of RespuestaSuministro.xsd (xmllint)', () => {
    const xsd = respuestaXsd();
    for (const [name, xml] of Object.entries({ correct, partial, duplicate })) {
      const { ok, errors } = xmllint(xml, xsd, `${name}.xml`);
      expect(errors, name).toBe('');
      expect(ok, name).toBe(true);
    }
  });

  it('a correct answer: CSV, presentation, waiting time, one line per record', () => {
    expect(parseRespuesta(correct)).toEqual({
      csv: 'A-Y23JP3582934',
      presentacion: { nif: EMISOR, timestamp: '2025-03-16T09:30:05+01:00' },
      tiempoEsperaEnvio: 60,
      estadoEnvio: 'Correcto',
      lineas: [
        { numSerie: 'T01-000001', fechaExpedicion: '15-03-2025', idEmisor: EMISOR, operacion: 'Alta', estado: 'Correcto' },
        { numSerie: 'F01-000001', fechaExpedicion: '15-03-2025', idEmisor: EMISOR, operacion: 'Anulacion', estado: 'Correcto' },
      ],
    });
  });

  it('a partially correct answer: the refused line and the one accepted with errors carry code and description', () => {
    const r = parsed(partial);
    expect(r.estadoEnvio).toBe('ParcialmenteCorrecto');
    expect(r.tiempoEsperaEnvio).toBe(120);
    expect(r.lineas.map((l) => [l.numSerie, l.estado, l.codigo])).toEqual([
      ['T01-000001', 'Correcto', undefined],
      ['F01-000001', 'Incorrecto', '1105'],
      ['D01-000001', 'AceptadoConErrores', '2000'],
    ]);
    expect(r.lineas[1]!.descripcion).toBe('El valor del campo FechaExpedicionFactura es incorrecto.');
    expect(r.lineas[2]!.descripcion).toBe('El cálculo de la huella suministrada es incorrecta.');
    expect(r.lineas.some(isDuplicate)).toBe(false);
  });

  it('a duplicate: code 3000 and the state of the record the AEAT holds; no CSV when all were refused', () => {
    const r = parsed(duplicate);
    expect(r.csv).toBeUndefined();
    expect(r.presentacion).toBeUndefined();
    expect(r.estadoEnvio).toBe('Incorrecto');
    expect(r.lineas).toEqual([
      {
        numSerie: 'T01-000001',
        fechaExpedicion: '15-03-2025',
        idEmisor: EMISOR,
        operacion: 'Alta',
        estado: 'Incorrecto',
        codigo: CODIGO_DUPLICADO,
        descripcion: 'Registro de facturación duplicado.',
        duplicado: { idPeticion: '202503160930050001', estado: 'Correcta' },
      },
    ]);
    expect(isDuplicate(r.lineas[0]!)).toBe(true);
    // either sign is enough: the code alone, or the RegistroDuplicado block alone
    const { duplicado: _d, ...codeOnly } = r.lineas[0]!;
    expect(isDuplicate(codeOnly)).toBe(true);
    expect(isDuplicate({ ...r.lineas[0]!, codigo: undefined })).toBe(true);
  });

  it('prefixes do not matter (soapenv:, sfR:), entities and character references are decoded', () => {
    const other = correct
      .replaceAll('env:', 'soapenv:')
      .replaceAll('xmlns:env=', 'xmlns:soapenv=')
      .replaceAll('tikR:', 'sfR:')
      .replaceAll('xmlns:tikR=', 'xmlns:sfR=')
      .replace('T01-000001', 'T01&amp;000001')
      .replace('F01-000001', 'F&#209;-&#x31;');
    expect(parsed(other).lineas[0]!.numSerie).toBe('T01&000001');
    expect(parsed(other).lineas[1]!.numSerie).toBe('FÑ-1');
    expect(parsed(other).lineas).toHaveLength(2);
  });

  it('a SOAP Fault (the AEAT example): code, message, and the AEAT code in the message', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Body>
    <env:Fault>
      <faultcode>env:Client</faultcode>
      <faultstring>Codigo[4104].El NIF del titular en la cabecera no está identificado.
                   NIF:iii. NOMBRE_RAZON:xxx
     </faultstring>
      <detail>
        <callstack>WSExcepcion [faultcode=null, detailMap=null, version=0,........</callstack>
      </detail>
    </env:Fault>
  </env:Body>
</env:Envelope>`;
    const r = parseRespuesta(xml);
    expect(r).toEqual({
      fault: { code: 'Client', message: 'Codigo[4104].El NIF del titular en la cabecera no está identificado. NIF:iii. NOMBRE_RAZON:xxx', codigo: '4104' },
    });
    expect(isFault(r)).toBe(true);
    const server = parseRespuesta(
      `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Error interno</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    );
    expect(server).toEqual({ fault: { code: 'Server', message: 'Error interno' } });
  });

  it('anything else is no answer (resend later)', () => {
    expect(() => parseRespuesta('<html><body>502 Bad Gateway</body></html>')).toThrow(RespuestaNoValida);
    expect(() => parseRespuesta('')).toThrow(RespuestaNoValida);
    expect(() => parseRespuesta(correct.replace('<tikR:EstadoEnvio>Correcto', '<tikR:EstadoEnvio>Raro'))).toThrow(/EstadoEnvio/);
    expect(() => parseRespuesta(correct.replace(/<tikR:TiempoEsperaEnvio>.*?<\/tikR:TiempoEsperaEnvio>/, ''))).toThrow(/TiempoEsperaEnvio/);
  });
});
