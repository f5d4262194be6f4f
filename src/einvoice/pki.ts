/**
 * A test PKI (node-forge; no download, no openssl CLI): a test CA, a server certificate for
 * 127.0.0.1, and client certificates as Spanish CAs issue them (organizationIdentifier
 * "VATES-<NIF>", or a person's serialNumber "IDCES-<NIF>"), as PEM or packed as .p12. For the AEAT
 * simulator (`tpv einvoice simulate`, ./verifactu/simulator.ts), the tests and the bench. Nothing
 * it makes is trusted by a real tax agency.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

interface Issued {
  key: forge.pki.rsa.PrivateKey;
  cert: forge.pki.Certificate;
  keyPem: string;
  certPem: string;
}

export interface ClientCertOptions {
  /** The NIF in organizationIdentifier ("VATES-…"); default B12345674. */
  nif?: string;
  /** Or a person's: serialNumber "IDCES-…" instead. */
  personNif?: string;
  /** Valid from/until; default yesterday to a year from now (the real clock: TLS checks it). */
  notBefore?: Date;
  notAfter?: Date;
  /** Signed by another CA than the fake trusts. */
  otherCa?: boolean;
  cn?: string;
}

export interface Pki {
  /** The CA the fake trusts and that signed its server certificate (PEM): what TPV_EINVOICE_CA names. */
  caPem: string;
  /** The CA's private key (PEM): kept to make the same CA again (`makePki({ ca })`). */
  caKeyPem: string;
  server: { keyPem: string; certPem: string };
  /** A client certificate with its key, as a .p12 file's bytes. */
  p12(password: string, o?: ClientCertOptions, p12Options?: { algorithm?: 'aes128' | 'aes192' | 'aes256' | '3des' }): Buffer;
  /** A client certificate with its key, as PEM. */
  client(o?: ClientCertOptions): { keyPem: string; certPem: string };
}

const DAY = 86_400_000;

function keyPair(): { key: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey } {
  // Node makes the key (fast, native); forge signs the certificates
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { key, pub: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function issue(
  subject: forge.pki.CertificateField[],
  issuer: Issued | undefined,
  o: { notBefore: Date; notAfter: Date; ca?: boolean; extensions?: object[] },
): Issued {
  const { key, pub } = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  // unique under a CA kept across runs; a leading 1: positive, no leading zero byte in DER
  cert.serialNumber = `1${randomBytes(9).toString('hex')}`;
  cert.validity.notBefore = o.notBefore;
  cert.validity.notAfter = o.notAfter;
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: Boolean(o.ca), critical: true },
    { name: 'keyUsage', critical: true, ...(o.ca ? { keyCertSign: true, cRLSign: true } : { digitalSignature: true, keyEncipherment: true }) },
    { name: 'subjectKeyIdentifier' },
    ...(o.extensions ?? []),
  ]);
  cert.sign(issuer?.key ?? key, forge.md.sha256.create());
  return { key, cert, keyPem: forge.pki.privateKeyToPem(key), certPem: forge.pki.certificateToPem(cert) };
}

/** A CA made before (its certificate and key, PEM), to issue more certificates under it. */
function loadCa(pem: { certPem: string; keyPem: string }): Issued {
  return {
    key: forge.pki.privateKeyFromPem(pem.keyPem) as forge.pki.rsa.PrivateKey,
    cert: forge.pki.certificateFromPem(pem.certPem),
    keyPem: pem.keyPem,
    certPem: pem.certPem,
  };
}

/** A new test CA and server certificate — or, given `ca`, a new server certificate under that CA. */
export function makePki(o: { ca?: { certPem: string; keyPem: string } } = {}): Pki {
  const now = Date.now();
  const long = { notBefore: new Date(now - DAY), notAfter: new Date(now + 3650 * DAY) };
  const ca = o.ca ? loadCa(o.ca) : issue([{ shortName: 'C', value: 'ES' }, { shortName: 'O', value: 'tpv tests' }, { shortName: 'CN', value: 'tpv test CA' }], undefined, { ...long, ca: true });
  const otherCa = issue([{ shortName: 'C', value: 'ES' }, { shortName: 'CN', value: 'another CA' }], undefined, { ...long, ca: true });
  const server = issue([{ shortName: 'CN', value: '127.0.0.1' }], ca, {
    ...long,
    extensions: [
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const client = (o: ClientCertOptions = {}): Issued => {
    const subject: forge.pki.CertificateField[] = [
      { shortName: 'C', value: 'ES' },
      { shortName: 'O', value: 'LA ESQUINA ALIMENTACION SL' },
      ...(o.personNif ? [] : [{ type: '2.5.4.97', value: `VATES-${o.nif ?? 'B12345674'}` }]),
      ...(o.personNif ? [{ type: '2.5.4.5', value: `IDCES-${o.personNif}` }] : []),
      { shortName: 'CN', value: o.cn ?? `B12345674 LA ESQUINA (R: 12345678Z)` },
    ];
    return issue(subject, o.otherCa ? otherCa : ca, {
      notBefore: o.notBefore ?? new Date(now - DAY),
      notAfter: o.notAfter ?? new Date(now + 365 * DAY),
      extensions: [{ name: 'extKeyUsage', clientAuth: true }],
    });
  };
  return {
    caPem: ca.certPem,
    caKeyPem: ca.keyPem,
    server: { keyPem: server.keyPem, certPem: server.certPem },
    p12(password, o = {}, p12Options = {}) {
      const c = client(o);
      const asn1 = forge.pkcs12.toPkcs12Asn1(c.key, [c.cert, o.otherCa ? otherCa.cert : ca.cert], password, { algorithm: p12Options.algorithm ?? 'aes256', friendlyName: 'tpv test' });
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    },
    client(o = {}) {
      const c = client(o);
      return { keyPem: c.keyPem, certPem: c.certPem };
    },
  };
}
