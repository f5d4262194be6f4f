/**
 * The AEAT's answer to a RegFactuSistemaFacturacion submission, as plain data: either the
 * RespuestaRegFactuSistemaFacturacion of RespuestaSuministro.xsd (the state of the submission and
 * of each record), or a SOAP Fault (the whole submission refused: XML not per schema, an error in
 * the Cabecera, or a fault of the AEAT's side).
 *
 * Parsed with fast-xml-parser (entities, CDATA, comments handled), matching elements by local
 * name: the prefixes the AEAT uses (env:, soapenv:, tikR:, tik:…) are not fixed.
 */
import { XMLParser } from 'fast-xml-parser';

/** L18: Correcto (all records accepted), ParcialmenteCorrecto (some rejected or accepted with errors), Incorrecto (all rejected). */
export type EstadoEnvio = 'Correcto' | 'ParcialmenteCorrecto' | 'Incorrecto';
/** L19: Correcto, AceptadoConErrores (registered, to be corrected by a subsanación), Incorrecto (rejected, not registered). */
export type EstadoRegistro = 'Correcto' | 'AceptadoConErrores' | 'Incorrecto';
/** L21: the state of the record the AEAT already holds when it refuses one as a duplicate. */
export type EstadoRegistroDuplicado = 'Correcta' | 'AceptadaConErrores' | 'Anulada';
/** L22 */
export type Operacion = 'Alta' | 'Anulacion';

/** One RespuestaLinea: the answer for one record of the submission. */
export interface RespuestaLinea {
  numSerie: string;
  /** "dd-mm-yyyy" */
  fechaExpedicion: string;
  idEmisor: string;
  operacion: Operacion;
  estado: EstadoRegistro;
  /** CodigoErrorRegistro (e.g. "1104", "2000", "3000"), when the record has an error. */
  codigo?: string;
  descripcion?: string;
  /** RegistroDuplicado: the record the AEAT already holds under the same IDFactura. */
  duplicado?: {
    idPeticion: string;
    estado: EstadoRegistroDuplicado;
    codigo?: string;
    descripcion?: string;
  };
}

export interface Respuesta {
  /** The CSV of the submission: absent when every record was rejected. Store it: the AEAT cannot give it again. */
  csv?: string;
  /** DatosPresentacion: who submitted and when (AEAT's clock); absent when every record was rejected. */
  presentacion?: { nif: string; timestamp: string };
  /** Seconds to wait before the next submission (unless 1,000 records are waiting), initially 60. */
  tiempoEsperaEnvio: number;
  estadoEnvio: EstadoEnvio;
  lineas: RespuestaLinea[];
}

export interface SoapFault {
  /** The faultcode without its prefix: "Client" (fix the message before resending) or "Server" (resend). */
  code: string;
  /** The faultstring, whitespace collapsed. */
  message: string;
  /** The AEAT's error code when the message carries one ("Codigo[4104]…" → "4104"). */
  codigo?: string;
}

export type ResultadoEnvio = Respuesta | { fault: SoapFault };

/** The answer is not a RespuestaRegFactuSistemaFacturacion nor a SOAP Fault (a proxy's page, a cut answer…): resend later. */
export class RespuestaNoValida extends Error {
  constructor(message: string) {
    super(`VERI*FACTU answer: ${message}`);
    this.name = 'RespuestaNoValida';
  }
}

/**
 * The error code of a record refused because the AEAT already holds a record with the same
 * IDFactura: "3000 = Registro de facturación duplicado." (AEAT's list of error codes,
 * errores.properties, to which Validaciones_Errores_Veri-Factu.pdf §4.4 refers). The answer then
 * carries RegistroDuplicado with the state of the record held (Veri-Factu_Descripcion_SWeb §6.4.4,
 * L21: "Solo se suministra si el registro enviado es rechazado por estar duplicado").
 */
export const CODIGO_DUPLICADO = '3000';

/**
 * Whether the record was refused as a duplicate: the AEAT already has a record of that invoice
 * (see `duplicado.estado` for its state). On a resend after a lost answer this means the first
 * submission did arrive; otherwise the number was reused.
 */
export function isDuplicate(linea: RespuestaLinea): boolean {
  return linea.codigo === CODIGO_DUPLICADO || linea.duplicado !== undefined;
}

export function isFault(r: ResultadoEnvio): r is { fault: SoapFault } {
  return 'fault' in r;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  // decodes character references (&#241;) besides the XML entities; off by default in fast-xml-parser 5
  htmlEntities: true,
  isArray: (name) => name === 'RespuestaLinea',
});

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first element of that local name, depth first (the SOAP Body's content has no fixed path from the root). */
function find(v: unknown, name: string): Node | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = find(x, name);
      if (found) return found;
    }
    return undefined;
  }
  if (!isNode(v)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (k === name) return isNode(x) ? x : {};
    const found = find(x, name);
    if (found) return found;
  }
  return undefined;
}

/** A child element (one with children of its own). */
function child(node: Node, name: string): Node | undefined {
  const v = node[name];
  return isNode(v) ? v : undefined;
}

/** A child's text (an empty element is ""), or undefined when absent. */
function text(node: Node | undefined, name: string): string | undefined {
  const v = node?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text'];
  return isNode(v) && Object.keys(v).length === 0 ? '' : undefined;
}

function required(node: Node | undefined, name: string, where: string): string {
  const v = text(node, name);
  if (v === undefined) throw new RespuestaNoValida(`${where} has no ${name}`);
  return v;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new RespuestaNoValida(`unknown ${what} "${value}"`);
  return value as T;
}

/** An optional child's text, left out when absent or empty. */
function optional(node: Node | undefined, name: string): string | undefined {
  const v = text(node, name);
  return v === undefined || v === '' ? undefined : v;
}

function linea(node: Node): RespuestaLinea {
  const id = child(node, 'IDFactura');
  const op = child(node, 'Operacion');
  const out: RespuestaLinea = {
    numSerie: required(id, 'NumSerieFactura', 'RespuestaLinea/IDFactura'),
    fechaExpedicion: required(id, 'FechaExpedicionFactura', 'RespuestaLinea/IDFactura'),
    idEmisor: required(id, 'IDEmisorFactura', 'RespuestaLinea/IDFactura'),
    operacion: oneOf(required(op, 'TipoOperacion', 'RespuestaLinea/Operacion'), ['Alta', 'Anulacion'], 'TipoOperacion'),
    estado: oneOf(required(node, 'EstadoRegistro', 'RespuestaLinea'), ['Correcto', 'AceptadoConErrores', 'Incorrecto'], 'EstadoRegistro'),
  };
  const codigo = optional(node, 'CodigoErrorRegistro');
  if (codigo !== undefined) out.codigo = codigo;
  const descripcion = optional(node, 'DescripcionErrorRegistro');
  if (descripcion !== undefined) out.descripcion = descripcion;
  const dup = child(node, 'RegistroDuplicado');
  if (dup) {
    out.duplicado = {
      idPeticion: required(dup, 'IdPeticionRegistroDuplicado', 'RegistroDuplicado'),
      estado: oneOf(required(dup, 'EstadoRegistroDuplicado', 'RegistroDuplicado'), ['Correcta', 'AceptadaConErrores', 'Anulada'], 'EstadoRegistroDuplicado'),
    };
    const c = optional(dup, 'CodigoErrorRegistro');
    if (c !== undefined) out.duplicado.codigo = c;
    const d = optional(dup, 'DescripcionErrorRegistro');
    if (d !== undefined) out.duplicado.descripcion = d;
  }
  return out;
}

function fault(node: Node): SoapFault {
  // SOAP 1.1: faultcode/faultstring; SOAP 1.2 (not used by the AEAT, read all the same): Code/Value, Reason/Text
  const rawCode = text(node, 'faultcode') ?? text(find(node, 'Code'), 'Value') ?? '';
  const rawMessage = text(node, 'faultstring') ?? text(find(node, 'Reason'), 'Text') ?? '';
  const out: SoapFault = { code: rawCode.trim().replace(/^.*:/, ''), message: rawMessage.replace(/\s+/g, ' ').trim() };
  const codigo = /Codigo\s*\[\s*(\d+)\s*\]/i.exec(rawMessage)?.[1];
  if (codigo !== undefined) out.codigo = codigo;
  return out;
}

/** Reads the AEAT's answer (the HTTP body, whatever its status: a SOAP Fault comes with HTTP 500). */
export function parseRespuesta(xml: string): ResultadoEnvio {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (e) {
    throw new RespuestaNoValida(`not XML (${e instanceof Error ? e.message : String(e)})`);
  }
  const f = find(doc, 'Fault');
  if (f) return { fault: fault(f) };
  const r = find(doc, 'RespuestaRegFactuSistemaFacturacion');
  if (!r) throw new RespuestaNoValida('neither RespuestaRegFactuSistemaFacturacion nor a SOAP Fault');

  const espera = required(r, 'TiempoEsperaEnvio', 'RespuestaRegFactuSistemaFacturacion');
  if (!/^\d{1,4}$/.test(espera)) throw new RespuestaNoValida(`TiempoEsperaEnvio "${espera}" is not a number of seconds`);
  const out: Respuesta = {
    tiempoEsperaEnvio: Number(espera),
    estadoEnvio: oneOf(required(r, 'EstadoEnvio', 'RespuestaRegFactuSistemaFacturacion'), ['Correcto', 'ParcialmenteCorrecto', 'Incorrecto'], 'EstadoEnvio'),
    lineas: (Array.isArray(r['RespuestaLinea']) ? r['RespuestaLinea'] : []).filter(isNode).map(linea),
  };
  const csv = optional(r, 'CSV');
  if (csv !== undefined) out.csv = csv;
  const dp = child(r, 'DatosPresentacion');
  if (dp) out.presentacion = { nif: required(dp, 'NIFPresentador', 'DatosPresentacion'), timestamp: required(dp, 'TimestampPresentacion', 'DatosPresentacion') };
  return out;
}
