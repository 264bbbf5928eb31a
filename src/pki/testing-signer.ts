// Test helper: signs a node's PKCS#10 request with a CA, as a kube-apiserver-client-kubelet signer would
// (client auth, the request's subject), for tests that have no API server signer.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { type CertificateAndKey, importPrivateKey } from './certificates.js';

export async function signClientCsrForTest(
  ca: CertificateAndKey,
  csrPem: string,
  opts: { notBefore?: Date; lifetimeMs?: number } = {},
): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const caCert = new x509.X509Certificate(ca.certPem);
  const notBefore = opts.notBefore ?? new Date(Date.now() - 1000);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] &= 0x7f;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: csr.subject,
    issuer: caCert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.lifetimeMs ?? 365 * 24 * 3600_000)),
    publicKey: await csr.publicKey.export(),
    signingKey: await importPrivateKey(ca.keyPem),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return cert.toString('pem');
}
