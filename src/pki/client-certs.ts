// Client certificates: PKCS#10 requests parsed (subject, SANs), signed by the client CA as upstream's
// csrsigning authority does (the request's subject, SANs and key; key usages from the CSR's usages; backdated
// 5 minutes; never beyond the CA), and verified on the API server's TLS connections as upstream's x509
// authenticator does (issued by the client CA, within validity, client auth usage; CN -> user, O -> groups).
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { type CertificateAndKey, importPrivateKey, randomSerial } from './certificates.js';

const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** upstream's signer backdates certificates by 5 minutes against clock skew. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface CertificateRequestInfo {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ips: string[];
  emails: string[];
  uris: string[];
}

/** The CERTIFICATE REQUEST of a PEM text (the first block), or an error message. */
function decodeRequest(pem: string): x509.Pkcs10CertificateRequest {
  const m = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]*?-----END CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  return new x509.Pkcs10CertificateRequest(m[0]);
}

function sansOf(ext: x509.SubjectAlternativeNameExtension | null | undefined) {
  const items = ext?.names.items ?? [];
  const of = (type: string) => items.filter((n) => n.type === type).map((n) => n.value);
  return { dnsNames: of('dns'), ips: of('ip'), emails: of('email'), uris: of('url') };
}

/** Subject and SANs of a PEM PKCS#10 request; throws (with a message) when it does not parse. */
export function parseCertificateRequest(pem: string): CertificateRequestInfo {
  const req = decodeRequest(pem);
  const san = req.extensions.find(
    (e) => e.type === x509.SubjectAlternativeNameExtension.NAME || e.type === '2.5.29.17',
  );
  return {
    commonName: req.subjectName.getField('CN')[0] ?? '',
    organizations: req.subjectName.getField('O'),
    ...sansOf(san ? new x509.SubjectAlternativeNameExtension(san.rawData) : undefined),
  };
}

/** certificates/v1 KeyUsage strings -> X.509 key usage bits and extended key usage OIDs (upstream's helpers). */
const KEY_USAGES: Record<string, number> = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  's/mime': x509.ExtendedKeyUsage.emailProtection,
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};
const CLIENT_AUTH_OID = x509.ExtendedKeyUsage.clientAuth as string;

interface SigningCa {
  caCert: x509.X509Certificate;
  caKey: webcrypto.CryptoKey;
  authorityKeyId: x509.AuthorityKeyIdentifierExtension;
}
/** The parsed CA of the last signer: a signer signs many requests with one CA. */
let lastCa: { ca: CertificateAndKey; parsed: Promise<SigningCa> } | undefined;

function signingCa(ca: CertificateAndKey): Promise<SigningCa> {
  if (lastCa?.ca.certPem === ca.certPem && lastCa.ca.keyPem === ca.keyPem) return lastCa.parsed;
  const parsed = (async () => {
    const caCert = new x509.X509Certificate(ca.certPem);
    return {
      caCert,
      caKey: await importPrivateKey(ca.keyPem),
      authorityKeyId: await x509.AuthorityKeyIdentifierExtension.create(caCert),
    };
  })();
  lastCa = { ca, parsed };
  return parsed;
}

export interface SignOptions {
  /** certificates/v1 usages of the request. */
  usages: string[];
  /** How long the certificate lasts from `now`. */
  durationMs: number;
  now?: Date;
}

/** Signs a PEM PKCS#10 request with the CA; returns the certificate's PEM. Throws on an unparsable request. */
export async function signCertificateRequest(
  ca: CertificateAndKey,
  requestPem: string,
  opts: SignOptions,
): Promise<string> {
  const req = decodeRequest(requestPem);
  if (!(await req.verify())) throw new Error('x509: signature verification failure');
  const { caCert, caKey, authorityKeyId } = await signingCa(ca);
  const now = (opts.now ?? new Date()).getTime();
  let notAfter = new Date(now + opts.durationMs);
  if (notAfter.getTime() > caCert.notAfter.getTime()) notAfter = caCert.notAfter;
  let keyBits = 0;
  const ekus: string[] = [];
  for (const u of opts.usages) {
    if (KEY_USAGES[u] !== undefined) keyBits |= KEY_USAGES[u]!;
    else if (EXT_KEY_USAGES[u] && !ekus.includes(EXT_KEY_USAGES[u]!)) ekus.push(EXT_KEY_USAGES[u]!);
  }
  const san = req.extensions.find((e) => e.type === '2.5.29.17');
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (keyBits) extensions.push(new x509.KeyUsagesExtension(keyBits, true));
  if (ekus.length) extensions.push(new x509.ExtendedKeyUsageExtension(ekus));
  if (san) extensions.push(new x509.Extension('2.5.29.17', false, san.value));
  extensions.push(authorityKeyId);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: req.subjectName,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    publicKey: req.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
  return cert.toString('pem');
}

export interface ClientIdentity {
  name: string;
  groups: string[];
}

/** `notAfter`: when the certificate stops authenticating (a long-lived connection re-checks it). */
export type ClientCertificateResult = { user: ClientIdentity; notAfter: Date } | { error: string } | { none: true };

let lastClientCa: { pem: string; cert: x509.X509Certificate } | undefined;

/** The client CA, parsed once (every new connection with a certificate is checked against it). */
function parsedCa(pem: string): x509.X509Certificate {
  if (lastClientCa?.pem !== pem) lastClientCa = { pem, cert: new x509.X509Certificate(pem) };
  return lastClientCa.cert;
}

/**
 * Who a TLS peer's certificate (DER) names, as upstream's x509 authenticator: issued by the client CA,
 * within its validity and good for client auth; user = Subject CN (none when empty), groups = Subject O.
 */
export async function verifyClientCertificate(
  der: Uint8Array,
  clientCaPem: string,
  now: Date = new Date(),
): Promise<ClientCertificateResult> {
  let cert: x509.X509Certificate;
  let ca: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
    ca = parsedCa(clientCaPem);
  } catch {
    return { error: 'x509: malformed certificate' };
  }
  if (cert.issuer !== ca.subject) return { error: 'x509: certificate signed by unknown authority' };
  let verified = false;
  try {
    verified = await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
  } catch {
    verified = false;
  }
  if (!verified) return { error: 'x509: certificate signed by unknown authority' };
  if (now < cert.notBefore || now > cert.notAfter || now > ca.notAfter) {
    return { error: 'x509: certificate has expired or is not yet valid' };
  }
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku && !eku.usages.map(String).some((u) => u === CLIENT_AUTH_OID || u === '2.5.29.37.0')) {
    return { error: 'x509: certificate specifies an incompatible key usage' };
  }
  const name = cert.subjectName.getField('CN')[0] ?? '';
  if (!name) return { none: true };
  const notAfter = cert.notAfter < ca.notAfter ? cert.notAfter : ca.notAfter;
  return { user: { name, groups: cert.subjectName.getField('O') }, notAfter };
}

/** A fresh P-256 key and a PEM CSR for the subject (tests and agents asking for a client certificate). */
export async function createCertificateRequest(
  commonName: string,
  organizations: string[] = [],
): Promise<{ requestPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const name = [{ CN: [commonName] }, ...organizations.map((o) => ({ O: [o] }))];
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { requestPem: req.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}
