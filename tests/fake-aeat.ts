/**
 * The tests' fake AEAT: the product's simulator (src/einvoice/verifactu/simulator.ts) on
 * 127.0.0.1, with every request checked by xmllint against the AEAT's XSDs and every answer
 * against RespuestaSuministro.xsd (what it found is in `invalid` and `answerErrors`).
 */
import type { Pki } from '../src/einvoice/pki.js';
import { AeatSimulator } from '../src/einvoice/verifactu/simulator.js';
import { MAIN_XSD, respuestaXsd, xmllint } from './xmllint.js';

export { type ClientCertOptions, makePki, type Pki } from '../src/einvoice/pki.js';
export { AEAT_ERRORS, type Outcome } from '../src/einvoice/verifactu/simulator.js';

const verdict = (r: { ok: boolean; errors: string }): string | null => (r.ok ? null : r.errors || 'not valid');

export class FakeAeat extends AeatSimulator {
  constructor(pki: Pki) {
    const answerXsd = respuestaXsd();
    super(pki, {
      check: (xml, name) => verdict(xmllint(xml, MAIN_XSD, name)),
      checkAnswer: (xml, name) => verdict(xmllint(xml, answerXsd, name)),
    });
  }
}

/** A fake AEAT listening on 127.0.0.1, trusting `pki`'s CA. Stop it with `stop()`. */
export function startFakeAeat(pki: Pki, o: { wait?: number } = {}): Promise<FakeAeat> {
  const fake = new FakeAeat(pki);
  if (o.wait !== undefined) fake.wait = o.wait;
  return fake.start();
}

