/**
 * xmllint (Debian libxml2-utils, installed by .ci/run) against the official VERI*FACTU XSDs of
 * ../shared/einvoice/verifactu. A test that needs it fails, never skips, when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { expect } from 'vitest';
import { NS, RESPUESTA_NS } from '../src/einvoice/verifactu/xml.js';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The official artefacts (../shared/einvoice: data, never copied into the project): beside the work
 * tree here and in CI; else in a folder above it, /work/shared, or where TPV_EINVOICE_SHARED says.
 */
function sharedEinvoice(): string {
  if (process.env.TPV_EINVOICE_SHARED) return resolve(process.env.TPV_EINVOICE_SHARED);
  for (let dir = ROOT; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'einvoice');
    if (existsSync(candidate)) return candidate;
  }
  // the development machines' own place for it (a clone elsewhere, e.g. CI's)
  return existsSync('/work/shared/einvoice') ? '/work/shared/einvoice' : resolve(ROOT, '../shared/einvoice');
}
export const VERIFACTU = join(sharedEinvoice(), 'verifactu');
export const SCHEMA = join(VERIFACTU, 'xsd-via-invopop/test/schema');
/** The SOAP envelope with the AEAT's schemas: what a RegFactuSistemaFacturacion message is checked against. */
export const MAIN_XSD = join(SCHEMA, 'main.xsd');
const CATALOG = join(VERIFACTU, 'catalog.xml');

let dir: string | undefined;

/** An XSD that checks an AEAT answer (RespuestaRegFactuSistemaFacturacion in its SOAP envelope), written once. */
let answerXsd: string | undefined;
export function respuestaXsd(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tpv-xmllint-'));
  answerXsd ??= join(dir, 'respuesta.xsd');
  if (!existsSync(answerXsd)) {
    writeFileSync(
      answerXsd,
      `<?xml version="1.0" encoding="UTF-8"?>
<schema xmlns="http://www.w3.org/2001/XMLSchema">
  <import namespace="http://www.w3.org/2000/09/xmldsig#" schemaLocation="${join(SCHEMA, 'xmldsig-core-schema.xsd')}"/>
  <import namespace="${NS.soapenv}" schemaLocation="${join(SCHEMA, 'soap-envelope.xsd')}"/>
  <import namespace="${RESPUESTA_NS}" schemaLocation="${join(SCHEMA, 'RespuestaSuministro.xsd')}"/>
</schema>`,
    );
  }
  return answerXsd;
}

/** xmllint's verdict on an XML text against an XSD. */
export function xmllint(xml: string, xsd = MAIN_XSD, name = 'doc.xml'): { ok: boolean; errors: string } {
  expect(existsSync(xsd), `${xsd} (shared/einvoice/verifactu beside the work tree)`).toBe(true);
  dir ??= mkdtempSync(join(tmpdir(), 'tpv-xmllint-'));
  const file = join(dir, name);
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--nonet', '--noout', '--schema', xsd, file], {
    encoding: 'utf8',
    env: { ...process.env, XML_CATALOG_FILES: CATALOG },
  });
  expect(run.error, 'xmllint must be installed (apt-get install -y libxml2-utils)').toBeUndefined();
  // the import warnings of the AEAT's XSDs (xmldsig imported twice) are not errors
  const errors = run.stderr
    .split('\n')
    .filter((l) => l.trim() && !l.includes('Skipping import') && !l.endsWith(' validates'))
    .join('\n');
  return { ok: run.status === 0, errors };
}
