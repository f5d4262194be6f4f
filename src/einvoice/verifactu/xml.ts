/**
 * The XML that tpv sends to the AEAT's VERI*FACTU service: the registros de alta and anulación
 * (SuministroInformacion.xsd), and the SOAP 1.1 envelope of RegFactuSistemaFacturacion
 * (SuministroLR.xsd), with every element in the schema's order.
 *
 * Written by hand, not with an XML-building library: the schema fixes every element and its
 * order, so the code below is that order, and all a library would add is escaping (five
 * replacements) at the cost of a larger lazy chunk. The output is checked against the AEAT's
 * XSDs with xmllint in tests/unit/verifactu-xml.test.ts.
 *
 * Values are written exactly as the record holds them (the huella is computed from the same
 * text), escaped for XML. Optional parts are left out when absent.
 */
import type { VerifactuEnv } from './qr.js';
import type {
  Destinatario,
  DetalleDesglose,
  IdFactura,
  ObligadoEmision,
  Registro,
  RegistroAlta,
  RegistroAnterior,
  RegistroAnulacion,
  SistemaInformatico,
} from './record.js';

/** The namespaces of the envelope, with the prefixes of the AEAT's examples (Veri-Factu_Descripcion_SWeb 8.1.1.1). */
export const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  sum: 'https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroLR.xsd',
  sum1: 'https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd',
  xd: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** The namespace of the AEAT's answer (RespuestaSuministro.xsd). */
export const RESPUESTA_NS = 'https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/RespuestaSuministro.xsd';

/** RegFactuSistemaFacturacion holds 1 to 1,000 RegistroFactura (SuministroLR.xsd, maxOccurs="1000"). */
export const MAX_REGISTROS = 1000;

/**
 * The VERI*FACTU service (wsdl:service sfVerifactu of SistemaFacturacion.wsdl): port
 * SistemaVerifactuPruebas (test, "Entorno de PRUEBAS", preproducción) and SistemaVerifactu
 * (prod, "Entorno de PRODUCCION"), for a personal or company certificate.
 */
export const VERIFACTU_ENDPOINTS: Readonly<Record<VerifactuEnv, string>> = {
  test: 'https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP',
  prod: 'https://www1.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP',
};

/**
 * The same service for a certificado de sello (electronic seal): ports SistemaVerifactuSelloPruebas
 * and SistemaVerifactuSello of SistemaFacturacion.wsdl.
 */
export const VERIFACTU_ENDPOINTS_SELLO: Readonly<Record<VerifactuEnv, string>> = {
  test: 'https://prewww10.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP',
  prod: 'https://www10.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP',
};

/** The WSDL's binding: document/literal SOAP 1.1 over HTTPS, soapAction "" (SistemaFacturacion.wsdl, sfVerifactu). */
export const SOAP_ACTION = '';
export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

// Characters XML 1.0 cannot carry at all, even escaped: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/**
 * A value escaped for XML text (& < > " ' and CR, which a parser would otherwise turn into LF).
 * Throws on a character XML cannot carry: dropping it would make the XML differ from the text
 * the huella was computed from.
 */
export function escapeXml(value: string, field = 'value'): string {
  if (NOT_XML.test(value)) throw new Error(`VERI*FACTU ${field}: character not allowed in XML`);
  return value.replace(/[&<>"'\r]/g, (c) => ENTITIES[c]!);
}

/** `<sum1:name>value</sum1:name>`, the value escaped. */
function leaf(name: string, value: string): string {
  return `<sum1:${name}>${escapeXml(value, name)}</sum1:${name}>`;
}

/** `<sum1:name>…</sum1:name>` around already built children. */
function group(name: string, children: string[]): string {
  return `<sum1:${name}>${children.join('')}</sum1:${name}>`;
}

function atMost(what: string, items: readonly unknown[], max: number): void {
  if (items.length > max) throw new RangeError(`VERI*FACTU ${what}: ${items.length} given, at most ${max}`);
}

/** IDFacturaExpedidaType / IDFacturaARType: emisor, número, fecha. */
function idFactura(id: IdFactura): string[] {
  return [leaf('IDEmisorFactura', id.idEmisor), leaf('NumSerieFactura', id.numSerie), leaf('FechaExpedicionFactura', id.fechaExpedicion)];
}

function detalle(d: DetalleDesglose): string {
  const out: string[] = [];
  if (d.impuesto !== undefined) out.push(leaf('Impuesto', d.impuesto));
  out.push(leaf('ClaveRegimen', d.claveRegimen));
  out.push(d.operacionExenta !== undefined ? leaf('OperacionExenta', d.operacionExenta) : leaf('CalificacionOperacion', d.calificacion));
  if (d.tipoImpositivo !== undefined) out.push(leaf('TipoImpositivo', d.tipoImpositivo));
  out.push(leaf('BaseImponibleOimporteNoSujeto', d.base));
  if (d.cuota !== undefined) out.push(leaf('CuotaRepercutida', d.cuota));
  return group('DetalleDesglose', out);
}

/** IDDestinatario: the name, then the NIF or IDOtro (PersonaFisicaJuridicaType). */
function destinatario(d: Destinatario): string {
  const id =
    d.idOtro === undefined
      ? leaf('NIF', d.nif)
      : group('IDOtro', [leaf('CodigoPais', d.idOtro.codigoPais), leaf('IDType', d.idOtro.idType), leaf('ID', d.idOtro.id)]);
  return group('IDDestinatario', [leaf('NombreRazon', d.nombreRazon), id]);
}

/** Encadenamiento: PrimerRegistro "S" for the first record of the chain, else the previous record and its huella. */
function encadenamiento(anterior: RegistroAnterior | null): string {
  if (anterior === null) return group('Encadenamiento', [leaf('PrimerRegistro', 'S')]);
  return group('Encadenamiento', [group('RegistroAnterior', [...idFactura(anterior), leaf('Huella', anterior.huella)])]);
}

function sistemaInformatico(s: SistemaInformatico): string {
  return group('SistemaInformatico', [
    leaf('NombreRazon', s.nombreRazon),
    leaf('NIF', s.nif),
    leaf('NombreSistemaInformatico', s.nombreSistema),
    leaf('IdSistemaInformatico', s.idSistema),
    leaf('Version', s.version),
    leaf('NumeroInstalacion', s.numeroInstalacion),
    leaf('TipoUsoPosibleSoloVerifactu', s.soloVerifactu),
    leaf('TipoUsoPosibleMultiOT', s.multiOT),
    leaf('IndicadorMultiplesOT', s.indicadorMultiplesOT),
  ]);
}

/** What closes both kinds of record: the software, when the record was made, the huella. */
function cierre(r: Registro): string[] {
  return [
    encadenamiento(r.anterior),
    sistemaInformatico(r.sistema),
    leaf('FechaHoraHusoGenRegistro', r.fechaHoraHusoGenRegistro),
    leaf('TipoHuella', '01'),
    leaf('Huella', r.huella),
  ];
}

/** The sum1:RegistroAlta element (RegistroFacturacionAltaType), using the sum1 prefix that {@link envelope} declares. */
export function registroAltaXml(r: RegistroAlta): string {
  if (r.desglose.length === 0) throw new RangeError('VERI*FACTU Desglose: at least one DetalleDesglose');
  atMost('DetalleDesglose', r.desglose, 12);
  const out: string[] = [leaf('IDVersion', '1.0'), group('IDFactura', idFactura(r.id)), leaf('NombreRazonEmisor', r.nombreRazonEmisor)];
  if (r.subsanacion) out.push(leaf('Subsanacion', 'S'));
  if (r.rechazoPrevio) out.push(leaf('RechazoPrevio', 'S'));
  out.push(leaf('TipoFactura', r.tipoFactura));
  if (r.tipoRectificativa !== undefined) out.push(leaf('TipoRectificativa', r.tipoRectificativa));
  if (r.rectificadas?.length) {
    atMost('FacturasRectificadas', r.rectificadas, 1000);
    out.push(group('FacturasRectificadas', r.rectificadas.map((f) => group('IDFacturaRectificada', idFactura(f)))));
  }
  if (r.sustituidas?.length) {
    atMost('FacturasSustituidas', r.sustituidas, 1000);
    out.push(group('FacturasSustituidas', r.sustituidas.map((f) => group('IDFacturaSustituida', idFactura(f)))));
  }
  if (r.importeRectificacion) {
    out.push(group('ImporteRectificacion', [leaf('BaseRectificada', r.importeRectificacion.base), leaf('CuotaRectificada', r.importeRectificacion.cuota)]));
  }
  out.push(leaf('DescripcionOperacion', r.descripcionOperacion));
  if (r.destinatarios?.length) {
    atMost('Destinatarios', r.destinatarios, 1000);
    out.push(group('Destinatarios', r.destinatarios.map(destinatario)));
  }
  out.push(group('Desglose', r.desglose.map(detalle)));
  out.push(leaf('CuotaTotal', r.cuotaTotal), leaf('ImporteTotal', r.importeTotal));
  out.push(...cierre(r));
  return group('RegistroAlta', out);
}

/** The sum1:RegistroAnulacion element (RegistroFacturacionAnulacionType), using the sum1 prefix that {@link envelope} declares. */
export function registroAnulacionXml(r: RegistroAnulacion): string {
  const id = group('IDFactura', [
    leaf('IDEmisorFacturaAnulada', r.id.idEmisor),
    leaf('NumSerieFacturaAnulada', r.id.numSerie),
    leaf('FechaExpedicionFacturaAnulada', r.id.fechaExpedicion),
  ]);
  return group('RegistroAnulacion', [leaf('IDVersion', '1.0'), id, ...cierre(r)]);
}

export function registroXml(r: Registro): string {
  return r.kind === 'alta' ? registroAltaXml(r) : registroAnulacionXml(r);
}

/**
 * The whole SOAP message: Cabecera/ObligadoEmision and one RegistroFactura per record, in the
 * given order (1 to {@link MAX_REGISTROS}; the caller splits larger batches).
 */
export function envelope(obligado: ObligadoEmision, registros: readonly Registro[]): string {
  if (registros.length === 0) throw new RangeError('VERI*FACTU envelope: at least one record');
  if (registros.length > MAX_REGISTROS) throw new RangeError(`VERI*FACTU envelope: ${registros.length} records, at most ${MAX_REGISTROS} per submission`);
  const cabecera = `<sum:Cabecera>${group('ObligadoEmision', [leaf('NombreRazon', obligado.nombreRazon), leaf('NIF', obligado.nif)])}</sum:Cabecera>`;
  const body = registros.map((r) => `<sum:RegistroFactura>${registroXml(r)}</sum:RegistroFactura>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}" xmlns:sum="${NS.sum}" xmlns:sum1="${NS.sum1}" xmlns:xd="${NS.xd}">` +
    '<soapenv:Header/>' +
    `<soapenv:Body><sum:RegFactuSistemaFacturacion>${cabecera}${body}</sum:RegFactuSistemaFacturacion></soapenv:Body>` +
    '</soapenv:Envelope>'
  );
}
