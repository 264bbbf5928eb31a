// The cluster's PKI under <dataDir>/tls/: created on first start, reused afterwards.
//   ca.crt / ca.key          CA, 10 years
//   client-ca.crt / .key     client CA (signs client certificates: CSRs, kubelet client certs), 10 years
//   server.crt / server.key  serving certificate, 1 year; reissued when its names change or expiry nears
//   admin.token              bearer token of the control-plane components
//   client-admin.crt / .key  the admin kubeconfig's client certificate (CN system:admin, O system:masters; k3s), 1 year
//   kubelet-client.token     the API server's identity towards node agents (user kube-apiserver-kubelet-client)
//   metrics-scraper.token    the metrics.k8s.io scraper's identity towards node agents (nodes/metrics, nodes/stats)
//   node-token               K10<ca hash>::server:<secret>, given to agents that join
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import {
  type CertificateAndKey,
  createCertificateAuthority,
  createServingCertificate,
  isIssuedAndFresh,
  normalizeSans,
  type SubjectAltNames,
  sameSans,
  subjectAltNames,
} from './certificates.js';
import { createCertificateRequest, signCertificateRequest } from './client-certs.js';
import { readIfExists, writeFileAtomic } from './secret-files.js';
import { caHashOf, formatJoinToken, parseJoinToken, randomSecret } from './tokens.js';

export interface ClusterPki {
  caCertPem: string;
  /** The client CA (k3s' client-ca.crt/.key): the API server trusts client certificates it issued. */
  clientCaCertPem: string;
  clientCaKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminToken: string;
  /** The admin kubeconfig's client certificate and key, issued by the client CA (k3s' client-admin.crt). */
  adminCertPem: string;
  adminKeyPem: string;
  nodeToken: string;
  /** Bearer token of the API server's calls to agents (logs, exec, attach, port-forward), upstream's kubelet client. */
  kubeletClientToken: string;
  /** Bearer token of the metrics.k8s.io scraper's calls to agents. */
  metricsScraperToken: string;
  /** The key that signs ServiceAccount tokens (PKCS#8 PEM, EC P-256), as upstream's --service-account-key-file. */
  serviceAccountKeyPem: string;
  caHash: string;
}

export interface ClusterPkiOptions {
  hostnames: string[];
  ips: string[];
}

/** Names every serving certificate carries, as the in-cluster `kubernetes` Service resolves to the server. */
const BUILTIN_NAMES = ['localhost', '127.0.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'];
/** Reissue the serving certificate when less than this remains (k3s renews at 90 days too). */
const RENEW_BEFORE_DAYS = 90;

const PUBLIC_MODE = 0o644;
const SECRET_MODE = 0o600;

export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

export function servingSans(opts: ClusterPkiOptions): SubjectAltNames {
  return normalizeSans([...BUILTIN_NAMES, ...opts.hostnames, ...opts.ips]);
}

export async function ensureClusterPki(dataDir: string, opts: ClusterPkiOptions): Promise<ClusterPki> {
  const dir = tlsDir(dataDir);
  const ca = await ensureCa(dir);
  const clientCa = await ensureCa(dir, 'client-ca', 'tutti-client-ca');
  const server = await ensureServingCert(dir, ca, servingSans(opts));
  const adminToken = await ensureToken(join(dir, 'admin.token'), () => randomSecret());
  const admin = await ensureAdminCert(dir, clientCa);
  const kubeletClientToken = await ensureToken(join(dir, 'kubelet-client.token'), () => randomSecret());
  const metricsScraperToken = await ensureToken(join(dir, 'metrics-scraper.token'), () => randomSecret());
  const nodeToken = await ensureToken(
    join(dir, 'node-token'),
    (previous) => {
      // Keep the secret if the file exists but pins another CA (the CA was replaced): agents re-join with the new hash.
      const secret = previous ? safeSecret(previous) : undefined;
      return formatJoinToken(ca.certPem, secret ?? randomSecret());
    },
    (token) => parseJoinToken(token).caHash === caHashOf(ca.certPem),
  );
  const saKeyPath = join(dir, 'service-account.key');
  let serviceAccountKeyPem = await readIfExists(saKeyPath);
  if (!serviceAccountKeyPem) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    serviceAccountKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFileAtomic(saKeyPath, serviceAccountKeyPem, SECRET_MODE);
  }
  return {
    caCertPem: ca.certPem,
    clientCaCertPem: clientCa.certPem,
    clientCaKeyPem: clientCa.keyPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    adminToken,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    nodeToken,
    kubeletClientToken,
    metricsScraperToken,
    serviceAccountKeyPem,
    caHash: caHashOf(ca.certPem),
  };
}

async function ensureCa(dir: string, file = 'ca', name = 'tutti-ca'): Promise<CertificateAndKey> {
  const certPath = join(dir, `${file}.crt`);
  const keyPath = join(dir, `${file}.key`);
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem && keyPem) return { certPem, keyPem };
  const ca = await createCertificateAuthority(`${name}@${Math.floor(Date.now() / 1000)}`);
  await writeFileAtomic(keyPath, ca.keyPem, SECRET_MODE);
  await writeFileAtomic(certPath, ca.certPem, PUBLIC_MODE);
  return ca;
}

async function ensureServingCert(
  dir: string,
  ca: CertificateAndKey,
  sans: SubjectAltNames,
): Promise<CertificateAndKey> {
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (
    certPem &&
    keyPem &&
    (await isIssuedAndFresh(certPem, ca.certPem, RENEW_BEFORE_DAYS)) &&
    sameSans(subjectAltNames(certPem), sans)
  ) {
    return { certPem, keyPem };
  }
  const server = await createServingCertificate(ca, 'tutti-apiserver', sans);
  await writeFileAtomic(keyPath, server.keyPem, SECRET_MODE);
  await writeFileAtomic(certPath, server.certPem, PUBLIC_MODE);
  return server;
}

/** The admin's client certificate: reissued when the client CA changed or under 90 days remain. */
async function ensureAdminCert(dir: string, clientCa: CertificateAndKey): Promise<CertificateAndKey> {
  const certPath = join(dir, 'client-admin.crt');
  const keyPath = join(dir, 'client-admin.key');
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem && keyPem && (await isIssuedAndFresh(certPem, clientCa.certPem, RENEW_BEFORE_DAYS))) {
    return { certPem, keyPem };
  }
  const { requestPem, keyPem: newKey } = await createCertificateRequest('system:admin', ['system:masters']);
  const newCert = await signCertificateRequest(clientCa, requestPem, {
    usages: ['digital signature', 'key encipherment', 'client auth'],
    durationMs: 365 * 24 * 3600 * 1000,
  });
  await writeFileAtomic(keyPath, newKey, SECRET_MODE);
  await writeFileAtomic(certPath, newCert, PUBLIC_MODE);
  return { certPem: newCert, keyPem: newKey };
}

async function ensureToken(
  path: string,
  create: (previous: string | undefined) => string,
  stillValid: (token: string) => boolean = () => true,
): Promise<string> {
  const existing = (await readIfExists(path))?.trim();
  if (existing && stillValid(existing)) return existing;
  const token = create(existing);
  await writeFileAtomic(path, `${token}\n`, SECRET_MODE);
  return token;
}

function safeSecret(token: string): string | undefined {
  try {
    return parseJoinToken(token).secret;
  } catch {
    return undefined;
  }
}
