/**
 * VERI*FACTU submission benchmark (issue 14): a till with 10,000 pending records submits them to
 * an AEAT of the bench's own on 127.0.0.1 (HTTPS with a client certificate, TiempoEsperaEnvio 0,
 * every record Correcto), beside building the same envelopes without sending them. The sink
 * parses nothing but the records' ids: its own time is not the figure.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { actingUser } from '../src/app/auth.js';
import type { App } from '../src/app/context.js';
import { readCertificate, saveCertificate, submitPending } from '../src/app/einvoice-submit.js';
import { sell } from '../src/app/sales.js';
import { changeSetting } from '../src/app/settings.js';
import { openShift } from '../src/app/shifts.js';
import { DEMO_STORE, initStore } from '../src/app/store.js';
import type { Registro } from '../src/einvoice/verifactu/record.js';
import { envelope, MAX_REGISTROS, NS, RESPUESTA_NS } from '../src/einvoice/verifactu/xml.js';
import { makePki } from '../src/einvoice/pki.js';

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export interface EinvoiceSubmitResult {
  records: number;
  requests: number;
  seconds: number;
  perSec: number;
  /** Building the same envelopes (records read and written as XML), no network. */
  buildSeconds: number;
}

/** An AEAT that answers Correcto for every record at once (TiempoEsperaEnvio 0). */
function sink(pki: ReturnType<typeof makePki>): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer({ key: pki.server.keyPem, cert: pki.server.certPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      // each record's own id (RegistroAnterior repeats the previous one's without the IDFactura element)
      const lineas = [...body.matchAll(/<sum1:IDFactura><sum1:IDEmisorFactura>([^<]*)<\/sum1:IDEmisorFactura><sum1:NumSerieFactura>([^<]*)<\/sum1:NumSerieFactura><sum1:FechaExpedicionFactura>([^<]*)</g)].map(
          (m) =>
            `<tikR:RespuestaLinea><tikR:IDFactura><tik:IDEmisorFactura>${m[1]}</tik:IDEmisorFactura><tik:NumSerieFactura>${m[2]}</tik:NumSerieFactura><tik:FechaExpedicionFactura>${m[3]}</tik:FechaExpedicionFactura></tikR:IDFactura>` +
            '<tikR:Operacion><tik:TipoOperacion>Alta</tik:TipoOperacion></tikR:Operacion><tikR:EstadoRegistro>Correcto</tikR:EstadoRegistro></tikR:RespuestaLinea>',
        );
      const xml =
        '<?xml version="1.0" encoding="UTF-8"?>' +
        `<env:Envelope xmlns:env="${NS.soapenv}"><env:Header/><env:Body Id="Body">` +
        `<tikR:RespuestaRegFactuSistemaFacturacion xmlns:tikR="${RESPUESTA_NS}" xmlns:tik="${NS.sum1}"><tikR:CSV>A-BENCH${requests}</tikR:CSV>` +
        '<tikR:Cabecera><tik:ObligadoEmision><tik:NombreRazon>x</tik:NombreRazon><tik:NIF>B12345674</tik:NIF></tik:ObligadoEmision></tikR:Cabecera>' +
        `<tikR:TiempoEsperaEnvio>0</tikR:TiempoEsperaEnvio><tikR:EstadoEnvio>Correcto</tikR:EstadoEnvio>${lineas.join('')}` +
        '</tikR:RespuestaRegFactuSistemaFacturacion></env:Body></env:Envelope>';
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      res.end(xml);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP`,
        requests: () => requests,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

async function shop(path: string, records: number): Promise<App> {
  for (const s of ['', '-wal', '-shm', '.einvoice.pem']) rmSync(path + s, { force: true });
  const app = await initStore(path, { ...DEMO_STORE, admin: { code: 'admin', name: 'Admin', pin: '1234' } });
  app.db.exec("INSERT INTO products (sku, name, price, tax_category_id, unit, created_at, updated_at) SELECT 'B-1', 'Pan', 120, id, 'each', 'x', 'x' FROM tax_categories ORDER BY id LIMIT 1");
  await changeSetting(app, actingUser(app.db), 'einvoice.scheme', 'verifactu');
  openShift(app, actingUser(app.db), 10000);
  const input = { lines: [{ code: 'B-1', qty: '2' }], payments: [{ method: 'cash', amount: '5' }] };
  for (let i = 0; i < records; i++) sell(app, input, actingUser(app.db));
  return app;
}

export async function benchEinvoiceSubmit(out: string, records: number): Promise<EinvoiceSubmitResult> {
  const pki = makePki();
  const path = join(out, 'einvoice-submit.db');
  const app = await shop(path, records);
  const p12 = join(out, 'einvoice-bench.p12');
  writeFileSync(p12, pki.p12('bench'));
  saveCertificate(app, await readCertificate(app, p12, 'bench'));
  const aeat = await sink(pki);
  try {
    // the baseline: the same envelopes built from the stored records, nothing sent
    const t0 = process.hrtime.bigint();
    const all = (app.db.prepare('SELECT record FROM einvoice_records ORDER BY id').pluck().all() as string[]).map((r) => JSON.parse(r) as Registro);
    let bytes = 0;
    for (let i = 0; i < all.length; i += MAX_REGISTROS) bytes += envelope({ nombreRazon: DEMO_STORE.legalName, nif: DEMO_STORE.taxId }, all.slice(i, i + MAX_REGISTROS)).length;
    const buildMs = ms(t0);
    if (bytes === 0) throw new Error('no envelope built');

    const t1 = process.hrtime.bigint();
    const r = await submitPending(app, { endpoint: aeat.url, ca: pki.caPem });
    const took = ms(t1);
    const accepted = app.db
      .prepare("SELECT count(*) FROM einvoice_records r JOIN einvoice_states s ON s.id = (SELECT max(id) FROM einvoice_states WHERE record_id = r.id) WHERE s.state = 'accepted'")
      .pluck()
      .get() as number;
    if (accepted !== records) throw new Error(`einvoice submit: ${accepted} of ${records} accepted (${JSON.stringify(r)})`);
    return { records, requests: aeat.requests(), seconds: took / 1000, perSec: (records / took) * 1000, buildSeconds: buildMs / 1000 };
  } finally {
    await aeat.close();
    app.close();
    for (const s of ['', '-wal', '-shm', '.einvoice.pem']) rmSync(path + s, { force: true });
    rmSync(p12, { force: true });
  }
}
