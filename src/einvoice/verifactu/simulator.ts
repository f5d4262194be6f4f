/**
 * A simulator of the AEAT's VERI*FACTU web service, over real TLS (`tpv einvoice simulate`, the
 * tests' fake AEAT, the bench):
 *
 * - it serves HTTPS and asks for a client certificate signed by its CA (../pki.ts): an expired
 *   one, or one of another CA, fails the handshake;
 * - each request body may be checked by `check` (the tests and `--xsd` use xmllint with the AEAT's
 *   XSDs): a message that is not valid gets a SOAP Fault (code 4102) and is kept in `invalid`;
 * - it answers a RespuestaRegFactuSistemaFacturacion (the answer itself may be checked by
 *   `checkAnswer`, kept in `answerErrors`): a CSV, TiempoEsperaEnvio (`wait`), EstadoEnvio and one
 *   RespuestaLinea per record — Correcto, or what `outcomes` says for a NumSerieFactura
 *   (Incorrecto, AceptadoConErrores, with the AEAT's codes). It remembers what it accepted and
 *   answers a resend with code 3000 and RegistroDuplicado; a Subsanacion "S" replaces what it holds.
 * - Faults on demand: `cutNext` requests are stored and then the connection is cut before the
 *   answer; `hold` keeps requests unanswered until `release()` or `stop()`.
 * - Counters: `requests`, `records` (records stored, resends included), `timesStored(number)`.
 *
 * What it holds lives in memory: a restarted simulator has forgotten every record.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import type { Pki } from '../pki.js';
import { escapeXml, NS, RESPUESTA_NS } from './xml.js';

/** A check of an XML text: null when it holds, else what is wrong. */
export type XmlCheck = (xml: string, name: string) => string | null;

// ── the service ───────────────────────────────────────────────────────────────────────────────────


/** What the fake answers for one record instead of Correcto. */
export interface Outcome {
  estado: 'Incorrecto' | 'AceptadoConErrores';
  codigo: string;
  descripcion: string;
}

/**
 * Codes and texts of the AEAT's list of error codes (errores.properties, to which
 * Validaciones_Errores_Veri-Factu §4.4 refers).
 */
export const AEAT_ERRORS = {
  fechaExpedicion: { estado: 'Incorrecto', codigo: '1105', descripcion: 'El valor del campo FechaExpedicionFactura es incorrecto.' },
  huella: { estado: 'AceptadoConErrores', codigo: '2000', descripcion: 'El cálculo de la huella suministrada es incorrecta.' },
  duplicado: { codigo: '3000', descripcion: 'Registro de facturación duplicado.' },
} as const;

interface Held {
  estado: 'Correcta' | 'AceptadaConErrores';
  idPeticion: string;
  codigo?: string;
  descripcion?: string;
}

/** One record as the fake read it from a request. */
export interface Received {
  idEmisor: string;
  numSerie: string;
  fecha: string;
  kind: 'Alta' | 'Anulacion';
  subsanacion: boolean;
  rechazoPrevio: boolean;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'RegistroFactura' });

type Node = Record<string, unknown>;
const node = (v: unknown): Node => (typeof v === 'object' && v !== null ? (v as Node) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One request as the simulator saw it (for `tpv einvoice simulate`'s log). */
export interface Exchange {
  request: number;
  records: Received[];
  /** EstadoRegistro per record, in order; empty for a request refused whole (not valid) or cut. */
  estados: string[];
  /** The request was not valid (a SOAP Fault was answered). */
  fault?: string;
  cut?: boolean;
}

export class AeatSimulator {
  /** https://127.0.0.1:PORT/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP */
  url = '';
  /** TiempoEsperaEnvio of every answer (the AEAT starts at 60). */
  wait = 60;
  /** NumSerieFactura → what to answer for it instead of Correcto. */
  readonly outcomes = new Map<string, Outcome>();
  /** The next N requests are stored, then their connection is cut before any answer. */
  cutNext = 0;
  /** While set, requests are read and counted but not answered (until release() or stop()). */
  hold = false;
  /** Requests received (whole bodies), answered or not. */
  requests = 0;
  /** Records stored (accepted or accepted with errors), every time one was. */
  records = 0;
  /** The records of every request, in order. */
  readonly received: Received[][] = [];
  /** Problems `check` found in request bodies (none expected). */
  readonly invalid: string[] = [];
  /** Problems `checkAnswer` found in the simulator's own answers (none expected). */
  readonly answerErrors: string[] = [];
  /** Called after every request (answered, refused or cut). */
  onExchange: ((e: Exchange) => void) | undefined;
  /** The subject of each request's client certificate. */
  readonly clients: string[] = [];
  /** The SOAPAction and Content-Type headers of each request. */
  readonly headers: { soapAction: string | undefined; contentType: string | undefined }[] = [];

  private readonly held = new Map<string, Held>();
  private readonly stored = new Map<string, number>();
  private readonly waiting: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private peticion = 0;

  constructor(
    private readonly pki: Pki,
    private readonly checks: { check?: XmlCheck; checkAnswer?: XmlCheck } = {},
  ) {}

  /** How many times the fake stored a record of that invoice (1 when a resend was answered as a duplicate). */
  timesStored(numSerie: string): number {
    let n = 0;
    for (const [k, v] of this.stored) if (k.split('|')[2] === numSerie) n += v;
    return n;
  }

  /** Whether the fake holds that invoice's registro de alta, and how. */
  holds(numSerie: string): Held['estado'] | undefined {
    for (const [k, v] of this.held) if (k.startsWith('Alta|') && k.split('|')[2] === numSerie) return v.estado;
    return undefined;
  }

  /** Forgets every record it holds (another test's store of the same NIF). */
  forget(): void {
    this.held.clear();
    this.stored.clear();
  }

  /** Lets held requests be answered. */
  release(): void {
    this.hold = false;
    for (const go of this.waiting.splice(0)) go();
  }

  /** Listens on `host:port` (default 127.0.0.1, a free port); `url` is then the service's address. */
  async start(listen: { host?: string; port?: number } = {}): Promise<this> {
    const server = createServer({ key: this.pki.server.keyPem, cert: this.pki.server.certPem, ca: [this.pki.caPem], requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.socket as TLSSocket, Buffer.concat(chunks).toString('utf8'), req.headers, (status, body) => {
          res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
          res.end(body);
        });
      });
    });
    server.on('secureConnection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('tlsClientError', () => undefined);
    const host = listen.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const name = host.includes(':') ? `[${host}]` : host;
    this.url = `https://${name}:${(server.address() as AddressInfo).port}/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP`;
    return this;
  }

  /** Closes the server and every connection (a held request's client sees the connection cut). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    this.waiting.splice(0);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(socket: TLSSocket, body: string, headers: Record<string, string | string[] | undefined>, answer: (status: number, body: string) => void): Promise<void> {
    this.requests++;
    const n = this.requests;
    this.clients.push(JSON.stringify(socket.getPeerCertificate().subject ?? {}));
    this.headers.push({ soapAction: headers['soapaction'] as string | undefined, contentType: headers['content-type'] as string | undefined });
    const wrong = this.checks.check?.(body, `request-${n}.xml`) ?? null;
    if (wrong !== null) {
      this.invalid.push(wrong || 'not valid');
      this.onExchange?.({ request: n, records: [], estados: [], fault: wrong });
      return answer(500, fault('Client', `Codigo[4102].El XML no cumple el esquema. ${wrong.slice(0, 300)}`));
    }
    const env = node(node(parser.parse(body))['Envelope']);
    const reg = node(node(env['Body'])['RegFactuSistemaFacturacion']);
    const obligado = node(node(reg['Cabecera'])['ObligadoEmision']);
    const records: Received[] = (reg['RegistroFactura'] as unknown[]).map((x) => {
      const r = node(x);
      const alta = r['RegistroAlta'] !== undefined;
      const inner = node(alta ? r['RegistroAlta'] : r['RegistroAnulacion']);
      const id = node(inner['IDFactura']);
      return {
        kind: alta ? 'Alta' : 'Anulacion',
        idEmisor: str(id['IDEmisorFactura'] ?? id['IDEmisorFacturaAnulada']),
        numSerie: str(id['NumSerieFactura'] ?? id['NumSerieFacturaAnulada']),
        fecha: str(id['FechaExpedicionFactura'] ?? id['FechaExpedicionFacturaAnulada']),
        subsanacion: str(inner['Subsanacion']) === 'S',
        rechazoPrevio: str(inner['RechazoPrevio']) === 'S',
      };
    });
    this.received.push(records);
    const idPeticion = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${String(++this.peticion).padStart(4, '0')}`;
    const lineas: string[] = [];
    const estados: string[] = [];
    for (const r of records) {
      const key = `${r.kind}|${r.idEmisor}|${r.numSerie}|${r.fecha}`;
      const held = this.held.get(key);
      const configured = this.outcomes.get(r.numSerie);
      let estado: string;
      let extra = '';
      if (held && !r.subsanacion) {
        estado = 'Incorrecto';
        extra =
          `<tikR:CodigoErrorRegistro>${AEAT_ERRORS.duplicado.codigo}</tikR:CodigoErrorRegistro><tikR:DescripcionErrorRegistro>${AEAT_ERRORS.duplicado.descripcion}</tikR:DescripcionErrorRegistro>` +
          `<tikR:RegistroDuplicado><tik:IdPeticionRegistroDuplicado>${held.idPeticion}</tik:IdPeticionRegistroDuplicado><tik:EstadoRegistroDuplicado>${held.estado}</tik:EstadoRegistroDuplicado>` +
          (held.codigo ? `<tik:CodigoErrorRegistro>${held.codigo}</tik:CodigoErrorRegistro><tik:DescripcionErrorRegistro>${escapeXml(held.descripcion ?? '')}</tik:DescripcionErrorRegistro>` : '') +
          '</tikR:RegistroDuplicado>';
      } else if (configured?.estado === 'Incorrecto') {
        estado = 'Incorrecto';
        extra = `<tikR:CodigoErrorRegistro>${configured.codigo}</tikR:CodigoErrorRegistro><tikR:DescripcionErrorRegistro>${escapeXml(configured.descripcion)}</tikR:DescripcionErrorRegistro>`;
      } else {
        estado = configured ? 'AceptadoConErrores' : 'Correcto';
        if (configured) extra = `<tikR:CodigoErrorRegistro>${configured.codigo}</tikR:CodigoErrorRegistro><tikR:DescripcionErrorRegistro>${escapeXml(configured.descripcion)}</tikR:DescripcionErrorRegistro>`;
        this.held.set(key, { estado: configured ? 'AceptadaConErrores' : 'Correcta', idPeticion, ...(configured ? { codigo: configured.codigo, descripcion: configured.descripcion } : {}) });
        this.stored.set(key, (this.stored.get(key) ?? 0) + 1);
        this.records++;
      }
      estados.push(estado);
      lineas.push(
        `<tikR:RespuestaLinea><tikR:IDFactura><tik:IDEmisorFactura>${escapeXml(r.idEmisor)}</tik:IDEmisorFactura><tik:NumSerieFactura>${escapeXml(r.numSerie)}</tik:NumSerieFactura><tik:FechaExpedicionFactura>${r.fecha}</tik:FechaExpedicionFactura></tikR:IDFactura>` +
          `<tikR:Operacion><tik:TipoOperacion>${r.kind}</tik:TipoOperacion></tikR:Operacion><tikR:EstadoRegistro>${estado}</tikR:EstadoRegistro>${extra}</tikR:RespuestaLinea>`,
      );
    }
    if (this.cutNext > 0) {
      // stored, and the link goes down before the answer
      this.cutNext--;
      socket.destroy();
      this.onExchange?.({ request: n, records, estados, cut: true });
      return;
    }
    if (this.hold) await new Promise<void>((go) => this.waiting.push(go));
    if (socket.destroyed) return;
    const allWrong = estados.every((e) => e === 'Incorrecto');
    const estadoEnvio = estados.every((e) => e === 'Correcto') ? 'Correcto' : allWrong ? 'Incorrecto' : 'ParcialmenteCorrecto';
    const nif = escapeXml(str(obligado['NIF']));
    const csv = allWrong
      ? ''
      : `<tikR:CSV>A-${randomBytes(10).toString('hex').toUpperCase().slice(0, 14)}</tikR:CSV>` +
        `<tikR:DatosPresentacion><tik:NIFPresentador>${nif}</tik:NIFPresentador><tik:TimestampPresentacion>${new Date().toISOString().slice(0, 19)}+00:00</tik:TimestampPresentacion></tikR:DatosPresentacion>`;
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<env:Envelope xmlns:env="${NS.soapenv}"><env:Header/><env:Body Id="Body">` +
      `<tikR:RespuestaRegFactuSistemaFacturacion xmlns:tikR="${RESPUESTA_NS}" xmlns:tik="${NS.sum1}">${csv}` +
      `<tikR:Cabecera><tik:ObligadoEmision><tik:NombreRazon>${escapeXml(str(obligado['NombreRazon']))}</tik:NombreRazon><tik:NIF>${nif}</tik:NIF></tik:ObligadoEmision></tikR:Cabecera>` +
      `<tikR:TiempoEsperaEnvio>${this.wait}</tikR:TiempoEsperaEnvio><tikR:EstadoEnvio>${estadoEnvio}</tikR:EstadoEnvio>${lineas.join('')}` +
      '</tikR:RespuestaRegFactuSistemaFacturacion></env:Body></env:Envelope>';
    const own = this.checks.checkAnswer?.(xml, `answer-${n}.xml`) ?? null;
    if (own !== null) this.answerErrors.push(own || 'not valid');
    this.onExchange?.({ request: n, records, estados });
    answer(200, xml);
  }
}

/** A SOAP 1.1 Fault as the AEAT sends one (HTTP 500). */
function fault(code: 'Client' | 'Server', message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soapenv}"><env:Body><env:Fault><faultcode>env:${code}</faultcode><faultstring>${escapeXml(message)}</faultstring></env:Fault></env:Body></env:Envelope>`;
}
