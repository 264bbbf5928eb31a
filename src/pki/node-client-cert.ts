// A node's client credential, as the kubelet's TLS bootstrap makes it (pkg/kubelet/certificate/bootstrap and
// k8s.io/client-go/util/certificate): an ECDSA P-256 key, a PKCS#10 request for CN=system:node:<name>,
// O=system:nodes, and the checks of a certificate on disk (for this node, matches the key, fresh enough) and of
// when to renew it. Pure apart from the key generation; the CSR round trip lives in src/agent/node.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCertificateRequest } from './client-certs.js';

/** signerName of a kubelet's client certificate (certificates.k8s.io/v1). */
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/**
 * The usages the kubelet requests for an ECDSA key (pkg/kubelet/certificate/bootstrap: digital signature and
 * client auth; key encipherment only for RSA keys).
 */
export const KUBELET_CLIENT_USAGES = ['digital signature', 'client auth'] as const;
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

export interface NodeCsr {
  /** PEM `CERTIFICATE REQUEST`. */
  csrPem: string;
  /** PEM PKCS#8 private key. */
  keyPem: string;
}

/** A fresh key and a PKCS#10 request for `system:node:<nodeName>` in `system:nodes`. */
export async function createNodeCsr(nodeName: string): Promise<NodeCsr> {
  const { requestPem, keyPem } = await createCertificateRequest(`${NODE_USER_PREFIX}${nodeName}`, [NODES_GROUP]);
  return { csrPem: requestPem, keyPem };
}

/**
 * The CSR object's name for a bootstrap request, as the kubelet names it (`node-csr-<digest of the public key
 * and subject>`), so a retry with the same key finds the same CSR.
 */
export function bootstrapCsrName(csrPem: string, nodeName: string): string {
  const req = new x509.Pkcs10CertificateRequest(csrPem);
  const digest = createHash('sha512')
    .update(Buffer.from(req.publicKey.rawData))
    .update(`${NODE_USER_PREFIX}${nodeName}`)
    .digest('base64url')
    .slice(0, 43);
  return `node-csr-${digest}`;
}

export interface NodeCertificateInfo {
  /** Subject CN and O. */
  commonName: string;
  organizations: string[];
  notBefore: Date;
  notAfter: Date;
}

export function nodeCertificateInfo(certPem: string): NodeCertificateInfo {
  const cert = new x509.X509Certificate(certPem);
  const cn = cert.subjectName.getField('CN');
  return {
    commonName: cn[0] ?? '',
    organizations: cert.subjectName.getField('O'),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/**
 * Why a certificate and key on disk cannot be used by node `nodeName` at `now` (undefined: usable): not this
 * node's, not in system:nodes, not the key's, or valid for less than `minRemaining` (default 20%) of its lifetime.
 */
export function unusableNodeCertificate(
  certPem: string,
  keyPem: string,
  nodeName: string,
  now = Date.now(),
  minRemaining = 0.2,
): string | undefined {
  let info: NodeCertificateInfo;
  try {
    info = nodeCertificateInfo(certPem);
  } catch (e) {
    return `unreadable certificate: ${(e as Error).message}`;
  }
  if (info.commonName !== `${NODE_USER_PREFIX}${nodeName}`) {
    return `certificate is for ${JSON.stringify(info.commonName)}, not ${NODE_USER_PREFIX}${nodeName}`;
  }
  if (!info.organizations.includes(NODES_GROUP)) return `certificate is not in organization ${NODES_GROUP}`;
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData);
    if (!fromKey.equals(fromCert)) return 'the key does not match the certificate';
  } catch (e) {
    return `unreadable key: ${(e as Error).message}`;
  }
  const start = info.notBefore.getTime();
  const end = info.notAfter.getTime();
  if (now < start) return `certificate is not valid before ${info.notBefore.toISOString()}`;
  if (end - now <= (end - start) * minRemaining) {
    return `certificate expires ${info.notAfter.toISOString()} (less than ${minRemaining * 100}% of its lifetime left)`;
  }
  return undefined;
}

/**
 * When to renew (client-go's certificate manager): at a jittered 70–90% of the certificate's lifetime.
 * `random` in [0, 1).
 */
export function rotationDeadline(notBefore: Date, notAfter: Date, random = Math.random()): Date {
  const total = notAfter.getTime() - notBefore.getTime();
  return new Date(notBefore.getTime() + Math.round(total * (0.7 + 0.2 * random)));
}
