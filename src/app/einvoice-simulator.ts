/**
 * `tpv einvoice simulate`: the AEAT's VERI*FACTU service simulated on this machine, so a shop or a
 * technician can go from `tpv init` to records submitted and accepted without the AEAT's test
 * environment (which needs a real certificate). It keeps in its folder a test CA (ca.pem, ca.key),
 * a certificate for the store's NIF (NIF.p12) and env.sh, which points tpv at it
 * (TPV_EINVOICE_ENDPOINT, TPV_EINVOICE_CA). Nothing it issues is trusted by the real AEAT.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TpvError } from '../core/errors.js';
import { validateTaxId } from '../core/taxid.js';
import { makePki } from '../einvoice/pki.js';
import { AEAT_ERRORS, AeatSimulator, type Exchange, type XmlCheck } from '../einvoice/verifactu/simulator.js';
import { fileError, writeFileWhole } from './files.js';

export type { Exchange } from '../einvoice/verifactu/simulator.js';

export interface SimulatorOptions {
  /** The folder of its CA, the store's certificate and env.sh (made when missing). */
  dir: string;
  /** `host:port` (port 0: a free one). */
  listen: string;
  /** The store's NIF: its certificate is made for it. */
  nif: string;
  /** The .p12's password. */
  password: string;
  /** TiempoEsperaEnvio of every answer, seconds. */
  wait: number;
  /** An XSD of the whole SOAP message: each request is checked against it with xmllint. */
  xsd?: string;
  /** Records rejected (code 1105) the first time they arrive: practice for `tpv einvoice fix`. */
  reject: string[];
}

export interface RunningSimulator {
  url: string;
  caFile: string;
  certFile: string;
  envFile: string;
  close(): Promise<void>;
}

/** xmllint's verdict on a request, against `xsd` (XML_CATALOG_FILES is passed on). */
function xmllintCheck(xsd: string): XmlCheck {
  if (!existsSync(xsd)) throw new TpvError('invalid', 'einvoice.simulate_xsd', { path: xsd });
  return (xml) => {
    const run = spawnSync('xmllint', ['--nonet', '--noout', '--schema', xsd, '-'], { input: xml, encoding: 'utf8' });
    if (run.error) throw new TpvError('conflict', 'einvoice.simulate_xmllint');
    if (run.status === 0) return null;
    return run.stderr.split('\n').filter((l) => l.trim() && !l.includes('Skipping import') && !l.endsWith(' validates')).join('\n') || 'not valid';
  };
}

/** Starts the simulator; `onExchange` hears every request. */
export async function startAeatSimulator(o: SimulatorOptions, onExchange: (e: Exchange) => void): Promise<RunningSimulator> {
  const checked = validateTaxId('ES', o.nif);
  const nif = checked.ok ? checked.value.normalized : '';
  if (!checked.ok) throw new TpvError('invalid', 'einvoice.simulate_nif', { field: '--nif', value: o.nif });
  const { parseListen } = await import('../devices/simulators.js');
  const listen = parseListen(o.listen);
  const check = o.xsd === undefined ? undefined : xmllintCheck(resolve(o.xsd));
  const dir = resolve(o.dir);
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca.key');
  const certFile = join(dir, `${nif}.p12`);
  const envFile = join(dir, 'env.sh');
  let pki;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // the same CA at every start: the certificate tpv keeps stays trusted
    const kept = existsSync(caFile) && existsSync(caKeyFile) ? { certPem: readFileSync(caFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') } : undefined;
    pki = makePki(kept ? { ca: kept } : {});
    if (!kept) {
      writeFileWhole(caKeyFile, pki.caKeyPem);
      writeFileWhole(caFile, pki.caPem, 0o644);
    }
    if (!existsSync(certFile)) writeFileWhole(certFile, pki.p12(o.password, { nif, cn: `${nif} SIMULADOR` }));
  } catch (e) {
    throw fileError(e, dir);
  }
  const simulator = new AeatSimulator(pki, check ? { check } : {});
  simulator.wait = o.wait;
  for (const number of o.reject) simulator.outcomes.set(number, AEAT_ERRORS.fechaExpedicion);
  simulator.onExchange = (e) => {
    // rejected once: the corrected resend (tpv einvoice fix) is accepted
    e.records.forEach((r, i) => e.estados[i] === 'Incorrecto' && simulator.outcomes.delete(r.numSerie));
    onExchange(e);
  };
  try {
    await simulator.start(listen);
  } catch (e) {
    throw new TpvError('conflict', 'einvoice.simulate_listen', { value: o.listen, reason: (e as Error).message });
  }
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileWhole(envFile, `export TPV_EINVOICE_ENDPOINT=${quote(simulator.url)}\nexport TPV_EINVOICE_CA=${quote(caFile)}\n`, 0o644);
  return { url: simulator.url, caFile, certFile, envFile, close: () => simulator.stop() };
}
