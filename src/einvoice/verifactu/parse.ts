/**
 * Reads back the registros de facturación of an export (`tpv einvoice export`, src/app/
 * einvoice-export.ts): one XML document whose root is our own list element, holding the
 * sum1:RegistroAlta / sum1:RegistroAnulacion elements exactly as xml.ts writes them, in chain
 * order. The records come back as the plain data of record.ts, so that `registroXml(parsed)` is
 * the exported element again, byte for byte, and the huella chain can be recomputed from the file
 * alone (`tpv einvoice verify --file`).
 *
 * Parsed with fast-xml-parser, matching elements by local name (a prefix is the writer's choice),
 * in document order (preserveOrder: an alta and an anulación must keep their places), every value
 * as text: no number parsing ("1.90" stays "1.90", "007" stays "007"), no trimming (the huella
 * trims what it hashes; the record keeps what the XML says). Each record's children are read in
 * the schema's order (SuministroInformacion.xsd, as xml.ts writes them): an element out of place,
 * missing or unknown makes the file no export of ours.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type Destinatario, type DetalleDesglose, type IdFactura, OPERACIONES_EXENTAS, type Registro, type RegistroAlta, type RegistroAnterior, type RegistroAnulacion, type SistemaInformatico, type TipoFactura } from './record.js';

/** The namespace of the export's list element (ours: the AEAT defines no container for an archive of records). */
export const EXPORT_NS = 'urn:tpv:einvoice:verifactu-export:1';
/** The local name of the export's list element. */
export const EXPORT_ROOT = 'RegistrosFacturacion';

/** The text is not an export of records (not XML, another root, a record that is not one per the schema). */
export class ExportNoValido extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportNoValido';
  }
}

/** What an export holds: its list element's attributes (who, which days) and the records in order. */
export interface ParsedExport {
  attributes: Record<string, string>;
  registros: Registro[];
}

/** fast-xml-parser's ordered tree: an element is `{ name: children, ':@'?: attributes }`, text is `{ '#text': value }`. */
type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // character references (&#13; is how xml.ts writes a CR) besides the five XML entities
  htmlEntities: true,
});

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: OrderedNode[];
}

function elementOf(node: OrderedNode): Element | undefined {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (name === undefined) return undefined;
  const children = node[name];
  const attrs = node[':@'];
  return {
    name,
    children: Array.isArray(children) ? (children as OrderedNode[]) : [],
    attributes: typeof attrs === 'object' && attrs !== null ? Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])) : {},
  };
}

const textOf = (node: OrderedNode): string | undefined => (typeof node['#text'] === 'string' ? node['#text'] : node['#text'] === undefined ? undefined : String(node['#text']));

/** The child elements of an element-only content; whitespace between them is allowed, other text is not. */
function elements(children: OrderedNode[], where: string): Element[] {
  const out: Element[] = [];
  for (const c of children) {
    const text = textOf(c);
    if (text !== undefined) {
      if (text.trim() !== '') throw new ExportNoValido(`${where}: text "${text.trim().slice(0, 40)}" where elements are expected`);
      continue;
    }
    const e = elementOf(c);
    if (e) out.push(e);
  }
  return out;
}

/** A leaf's text: all its text nodes (an empty element is ""); an element inside is an error. */
function leafText(e: Element, where: string): string {
  let out = '';
  for (const c of e.children) {
    const text = textOf(c);
    if (text === undefined) throw new ExportNoValido(`${where}/${e.name}: an element where a value is expected`);
    out += text;
  }
  return out;
}

/** Reads an element's children in the schema's order. */
class Seq {
  private i = 0;
  private readonly items: Element[];

  constructor(
    parent: Element,
    private readonly where: string,
  ) {
    this.items = elements(parent.children, where);
  }

  private peek(name: string): Element | undefined {
    const e = this.items[this.i];
    return e?.name === name ? e : undefined;
  }

  /** The next child if it has that name (an optional one). */
  maybe(name: string): Element | undefined {
    const e = this.peek(name);
    if (e) this.i++;
    return e;
  }

  /** The next child, which must have that name. */
  one(name: string): Element {
    const e = this.maybe(name);
    if (!e) throw new ExportNoValido(`${this.where}: ${name} expected${this.items[this.i] ? `, ${this.items[this.i]!.name} found` : ''}`);
    return e;
  }

  /** The children of that name, one or more. */
  many(name: string): Element[] {
    const out = [this.one(name)];
    for (let e = this.maybe(name); e; e = this.maybe(name)) out.push(e);
    return out;
  }

  text(name: string): string {
    return leafText(this.one(name), this.where);
  }

  maybeText(name: string): string | undefined {
    const e = this.maybe(name);
    return e && leafText(e, this.where);
  }

  /** A child the writer always writes with one value (IDVersion 1.0, TipoHuella 01). */
  fixed(name: string, value: string): void {
    const v = this.text(name);
    if (v !== value) throw new ExportNoValido(`${this.where}/${name}: "${v}", not ${value}`);
  }

  /** No child left over. */
  end(): void {
    const e = this.items[this.i];
    if (e) throw new ExportNoValido(`${this.where}: unexpected ${e.name}`);
  }

  sub(name: string): Seq {
    return new Seq(this.one(name), `${this.where}/${name}`);
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ExportNoValido(`${where}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

/** Subsanacion / RechazoPrevio: written only as "S". */
function flagS(s: Seq, name: string): boolean {
  const v = s.maybeText(name);
  if (v === undefined) return false;
  if (v !== 'S') throw new ExportNoValido(`${name}: "${v}", not S`);
  return true;
}

function idFactura(s: Seq, suffix = ''): IdFactura {
  return { idEmisor: s.text(`IDEmisorFactura${suffix}`), numSerie: s.text(`NumSerieFactura${suffix}`), fechaExpedicion: s.text(`FechaExpedicionFactura${suffix}`) };
}

function idList(s: Seq, list: string, item: string, where: string): IdFactura[] | undefined {
  const e = s.maybe(list);
  if (!e) return undefined;
  const inner = new Seq(e, `${where}/${list}`);
  const out = inner.many(item).map((x) => {
    const f = new Seq(x, `${where}/${list}/${item}`);
    const id = idFactura(f);
    f.end();
    return id;
  });
  inner.end();
  return out;
}

function detalle(e: Element, where: string): DetalleDesglose {
  const s = new Seq(e, where);
  const impuesto = s.maybeText('Impuesto');
  const head = {
    ...(impuesto !== undefined ? { impuesto: oneOf(impuesto, ['01', '02', '03', '05'] as const, `${where}/Impuesto`) } : {}),
    claveRegimen: s.text('ClaveRegimen'),
  };
  const exenta = s.maybeText('OperacionExenta');
  if (exenta !== undefined) {
    const base = s.text('BaseImponibleOimporteNoSujeto');
    s.end();
    return { ...head, operacionExenta: oneOf(exenta, OPERACIONES_EXENTAS, `${where}/OperacionExenta`), base };
  }
  const calificacion = oneOf(s.text('CalificacionOperacion'), ['S1', 'S2', 'N1', 'N2'] as const, `${where}/CalificacionOperacion`);
  const tipo = s.maybeText('TipoImpositivo');
  const base = s.text('BaseImponibleOimporteNoSujeto');
  const cuota = s.maybeText('CuotaRepercutida');
  s.end();
  return {
    ...head,
    calificacion,
    ...(tipo !== undefined ? { tipoImpositivo: tipo } : {}),
    base,
    ...(cuota !== undefined ? { cuota } : {}),
  };
}

function encadenamiento(s: Seq, where: string): RegistroAnterior | null {
  const e = s.sub('Encadenamiento');
  const primero = e.maybeText('PrimerRegistro');
  if (primero !== undefined) {
    if (primero !== 'S') throw new ExportNoValido(`${where}/Encadenamiento/PrimerRegistro: "${primero}", not S`);
    e.end();
    return null;
  }
  const a = e.sub('RegistroAnterior');
  const anterior: RegistroAnterior = { ...idFactura(a), huella: a.text('Huella') };
  a.end();
  e.end();
  return anterior;
}

function sistema(s: Seq): SistemaInformatico {
  const x = s.sub('SistemaInformatico');
  const yesNo = (name: string): 'S' | 'N' => oneOf(x.text(name), ['S', 'N'] as const, `SistemaInformatico/${name}`);
  const out: SistemaInformatico = {
    nombreRazon: x.text('NombreRazon'),
    nif: x.text('NIF'),
    nombreSistema: x.text('NombreSistemaInformatico'),
    idSistema: x.text('IdSistemaInformatico'),
    version: x.text('Version'),
    numeroInstalacion: x.text('NumeroInstalacion'),
    soloVerifactu: yesNo('TipoUsoPosibleSoloVerifactu'),
    multiOT: yesNo('TipoUsoPosibleMultiOT'),
    indicadorMultiplesOT: yesNo('IndicadorMultiplesOT'),
  };
  x.end();
  return out;
}

/** Encadenamiento … Huella, the end of both kinds of record. */
function cierre(s: Seq, where: string): Pick<Registro, 'anterior' | 'sistema' | 'fechaHoraHusoGenRegistro' | 'huella'> {
  const anterior = encadenamiento(s, where);
  const out = { anterior, sistema: sistema(s), fechaHoraHusoGenRegistro: s.text('FechaHoraHusoGenRegistro') };
  s.fixed('TipoHuella', '01');
  const huella = s.text('Huella');
  s.end();
  return { ...out, huella };
}

const TIPOS: readonly TipoFactura[] = ['F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5'];

/** A RegistroAlta element as record.ts's data. */
function parseAlta(e: Element, where = 'RegistroAlta'): RegistroAlta {
  const s = new Seq(e, where);
  s.fixed('IDVersion', '1.0');
  const idSeq = s.sub('IDFactura');
  const id = idFactura(idSeq);
  idSeq.end();
  const r: Partial<RegistroAlta> & { kind: 'alta' } = { kind: 'alta', id, nombreRazonEmisor: s.text('NombreRazonEmisor') };
  if (flagS(s, 'Subsanacion')) r.subsanacion = true;
  if (flagS(s, 'RechazoPrevio')) r.rechazoPrevio = true;
  r.tipoFactura = oneOf(s.text('TipoFactura'), TIPOS, `${where}/TipoFactura`);
  const rect = s.maybeText('TipoRectificativa');
  if (rect !== undefined) r.tipoRectificativa = oneOf(rect, ['S', 'I'] as const, `${where}/TipoRectificativa`);
  const rectificadas = idList(s, 'FacturasRectificadas', 'IDFacturaRectificada', where);
  if (rectificadas) r.rectificadas = rectificadas;
  const sustituidas = idList(s, 'FacturasSustituidas', 'IDFacturaSustituida', where);
  if (sustituidas) r.sustituidas = sustituidas;
  const imp = s.maybe('ImporteRectificacion');
  if (imp) {
    const x = new Seq(imp, `${where}/ImporteRectificacion`);
    r.importeRectificacion = { base: x.text('BaseRectificada'), cuota: x.text('CuotaRectificada') };
    x.end();
  }
  r.descripcionOperacion = s.text('DescripcionOperacion');
  const dest = s.maybe('Destinatarios');
  if (dest) {
    const x = new Seq(dest, `${where}/Destinatarios`);
    r.destinatarios = x.many('IDDestinatario').map((d) => {
      const y = new Seq(d, `${where}/Destinatarios/IDDestinatario`);
      const nombreRazon = y.text('NombreRazon');
      const nif = y.maybeText('NIF');
      let out: Destinatario;
      if (nif !== undefined) out = { nombreRazon, nif };
      else {
        const z = y.sub('IDOtro');
        const codigoPais = z.text('CodigoPais');
        const idType = oneOf(z.text('IDType'), ['02', '03', '04', '05', '06', '07'] as const, `${where}/Destinatarios/IDDestinatario/IDOtro/IDType`);
        out = { nombreRazon, idOtro: { codigoPais, idType, id: z.text('ID') } };
        z.end();
      }
      y.end();
      return out;
    });
    x.end();
  }
  const desglose = s.sub('Desglose');
  r.desglose = desglose.many('DetalleDesglose').map((d) => detalle(d, `${where}/Desglose/DetalleDesglose`));
  desglose.end();
  r.cuotaTotal = s.text('CuotaTotal');
  r.importeTotal = s.text('ImporteTotal');
  return { ...r, ...cierre(s, where) } as RegistroAlta;
}

/** A RegistroAnulacion element as record.ts's data. */
function parseAnulacion(e: Element, where = 'RegistroAnulacion'): RegistroAnulacion {
  const s = new Seq(e, where);
  s.fixed('IDVersion', '1.0');
  const idSeq = s.sub('IDFactura');
  const id = idFactura(idSeq, 'Anulada');
  idSeq.end();
  return { kind: 'anulacion', id, ...cierre(s, where) };
}

/**
 * An export's text → its records in document (chain) order. Throws ExportNoValido when the text is
 * not XML, its root is not the export's list element, or a record is not one as xml.ts writes it.
 */
export function parseExport(xml: string): ParsedExport {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ExportNoValido(`not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  let tree: OrderedNode[];
  try {
    tree = parser.parse(xml) as OrderedNode[];
  } catch (e) {
    throw new ExportNoValido(`not XML (${e instanceof Error ? e.message : String(e)})`);
  }
  const roots = elements(tree, 'the document');
  if (roots.length !== 1) throw new ExportNoValido(`${roots.length} root elements, not 1`);
  const root = roots[0]!;
  if (root.name !== EXPORT_ROOT) throw new ExportNoValido(`the root element is ${root.name}, not ${EXPORT_ROOT}`);
  const registros = elements(root.children, EXPORT_ROOT).map((e, i): Registro => {
    const where = `${e.name} #${i + 1}`;
    if (e.name === 'RegistroAlta') return parseAlta(e, where);
    if (e.name === 'RegistroAnulacion') return parseAnulacion(e, where);
    throw new ExportNoValido(`${EXPORT_ROOT}: ${e.name} is no RegistroAlta or RegistroAnulacion`);
  });
  return { attributes: root.attributes, registros };
}
