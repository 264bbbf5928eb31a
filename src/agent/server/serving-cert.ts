// The agent's serving certificate when none is configured: a throwaway CA and a certificate signed by it,
// made at start. The API server pins the CA (published with the node) or skips verification.
import { createCertificateAuthority, createServingCertificate } from '../../pki/certificates.js';

export interface AgentServingCert {
  cert: string;
  key: string;
  /** What a client must trust to verify `cert`. */
  caPem: string;
}

export async function generateServingCert(nodeName: string, ips: string[]): Promise<AgentServingCert> {
  const ca = await createCertificateAuthority(`tutti-agent-ca@${nodeName}`);
  const serving = await createServingCertificate(ca, nodeName, {
    dnsNames: [nodeName, 'localhost'],
    ips: [...new Set(['127.0.0.1', ...ips])],
  });
  return { cert: serving.certPem, key: serving.keyPem, caPem: ca.certPem };
}
