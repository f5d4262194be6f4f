/**
 * The store's certificate for the AEAT's web service: a PKCS#12 file (.p12/.pfx) as the FNMT or
 * another Spanish CA issues it, opened with its password, checked, and turned into the PEM key and
 * certificate(s) that the TLS client of the submission uses (mutual TLS, Veri-Factu_Descripcion_SWeb
 * §2: "certificado electrónico reconocido").
 *
 * node-forge reads the PKCS#12: Node's crypto can hand a .p12 to TLS as `pfx`, but cannot open it
 * to read its certificate (subject, validity) or take its key out, which the checks and a
 * password-less background submission need.
 *
 * Spanish certificates name their holder's NIF in the subject:
 * - a company (representante de persona jurídica, sello): organizationIdentifier, OID 2.5.4.97,
 *   "VATES-B12345674" (ETSI EN 319 412-1 §5.1.4: "VAT" + country + "-" + the number);
 * - a person: serialNumber, OID 2.5.4.5, "IDCES-12345678Z" (ETSI "IDC" + country) or, in older
 *   ones, the bare "12345678Z" (the representative of a company has both).
 */
import forge from 'node-forge';
import { TpvError } from '../../core/errors.js';

/** What tpv keeps of a certificate: the key and the certificates as PEM, and what the checks read. */
export interface StoreCertificate {
  /** The private key, PKCS#8 PEM. Never printed. */
  keyPem: string;
  /** The holder's certificate first, then the rest of the chain the file carried (PEM). */
  certPem: string;
  info: CertificateInfo;
}

/** The certificate as `tpv einvoice status` shows it. */
export interface CertificateInfo {
  /** The holder's name (CN, else O). */
  subject: string;
  /** The NIFs the subject names (organizationIdentifier, serialNumber), without their prefixes. */
  nifs: string[];
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
}

const ORGANIZATION_IDENTIFIER = '2.5.4.97';
const SERIAL_NUMBER = '2.5.4.5';
const UTF8_STRING = 12;

/** A NIF as the store keeps it: upper case, no spaces, no "ES" prefix. */
export const normalNif = (nif: string): string =>
  nif
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/^ES(?=[0-9A-Z]{9}$)/, '');

/** The NIF of one subject value: "VATES-B12345674" → "B12345674", "IDCES-12345678Z" → "12345678Z", "12345678Z" → itself. */
function nifOf(oid: string, value: string): string | undefined {
  const v = value.trim().toUpperCase();
  const m = oid === ORGANIZATION_IDENTIFIER ? /^VATES-?([0-9A-Z]{9})$/.exec(v) : /^(?:(?:IDC|PAS|TIN)ES-?)?([0-9A-Z]{9})$/.exec(v);
  return m?.[1];
}

function attrText(a: forge.pki.CertificateField): string {
  const raw = typeof a.value === 'string' ? a.value : '';
  return (a.valueTagClass as number | undefined) === UTF8_STRING ? forge.util.decodeUtf8(raw) : raw;
}

function infoOf(cert: forge.pki.Certificate): CertificateInfo {
  const attrs = cert.subject.attributes;
  const find = (oid: string) => attrs.find((a) => a.type === oid);
  const name = find('2.5.4.3') ?? find('2.5.4.10');
  const nifs: string[] = [];
  for (const a of attrs) {
    if (a.type !== ORGANIZATION_IDENTIFIER && a.type !== SERIAL_NUMBER) continue;
    const nif = nifOf(a.type!, attrText(a));
    if (nif && !nifs.includes(nif)) nifs.push(nif);
  }
  return { subject: name ? attrText(name) : '', nifs, notBefore: cert.validity.notBefore.toISOString(), notAfter: cert.validity.notAfter.toISOString() };
}

/** The certificate of a PEM (the first one: the holder's) described; throws on a text that holds none. */
export function describeCertificate(certPem: string): CertificateInfo {
  return infoOf(forge.pki.certificateFromPem(certPem));
}

/** Whether the certificate names that NIF (organizationIdentifier or serialNumber). */
export const namesNif = (info: CertificateInfo, nif: string): boolean => info.nifs.includes(normalNif(nif));

/**
 * Opens a PKCS#12 file's bytes with its password and takes out the private key and the certificate
 * that goes with it (the one whose public key is the key's), with the rest of the chain after it.
 * Each problem is its own error naming `path`: not a PKCS#12, the wrong password, no private key,
 * no certificate for the key, a key tpv cannot use.
 */
export function openP12(bytes: Uint8Array, password: string, path: string): StoreCertificate {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
  } catch (e) {
    throw new TpvError('invalid', 'einvoice.cert_unreadable', { path, reason: e instanceof Error ? e.message : String(e) });
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    // forge: "PKCS#12 MAC could not be verified. Invalid password?"; a file without a MAC fails decrypting its bags
    if (/MAC could not be verified|Invalid password|decrypt/i.test(reason)) throw new TpvError('invalid', 'einvoice.cert_password', { path });
    if (/not RSA|OID/i.test(reason)) throw new TpvError('invalid', 'einvoice.cert_key_type', { path, reason });
    throw new TpvError('invalid', 'einvoice.cert_unreadable', { path, reason });
  }
  const bags = (type: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: type })[type] ?? [];
  const keys = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag!), ...bags(forge.pki.oids.keyBag!)].map((b) => b.key).filter((k): k is forge.pki.rsa.PrivateKey => k !== undefined && k !== null);
  if (keys.length === 0) throw new TpvError('invalid', 'einvoice.cert_no_key', { path });
  const certs = bags(forge.pki.oids.certBag!)
    .map((b) => b.cert)
    .filter((c): c is forge.pki.Certificate => c !== undefined && c !== null);
  const key = keys[0]!;
  const own = certs.find((c) => {
    const pub = c.publicKey as forge.pki.rsa.PublicKey;
    return pub.n !== undefined && pub.n.equals(key.n) && pub.e.equals(key.e);
  });
  if (!own) throw new TpvError('invalid', 'einvoice.cert_no_certificate', { path });
  const chain = [own, ...certs.filter((c) => c !== own)];
  return {
    keyPem: forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))),
    certPem: chain.map((c) => forge.pki.certificateToPem(c)).join(''),
    info: infoOf(own),
  };
}

/**
 * The checks of a certificate for a store at `now`: valid now (not expired, not yet valid), and
 * naming the store's NIF. `kind`: invalid (exit 3) for a file given at setup, conflict (exit 5)
 * for the certificate in place when submitting.
 */
export function checkCertificate(info: CertificateInfo, taxId: string, now: Date, kind: 'invalid' | 'conflict' = 'invalid'): void {
  if (now.getTime() > Date.parse(info.notAfter)) throw new TpvError(kind, 'einvoice.cert_expired', { subject: info.subject, date: info.notAfter });
  if (now.getTime() < Date.parse(info.notBefore)) throw new TpvError(kind, 'einvoice.cert_not_yet_valid', { subject: info.subject, date: info.notBefore });
  if (!namesNif(info, taxId)) {
    throw new TpvError(kind, 'einvoice.cert_other_nif', { subject: info.subject, nifs: info.nifs.join(', ') || '-', tax_id: taxId, field: 'store.tax_id' });
  }
}
