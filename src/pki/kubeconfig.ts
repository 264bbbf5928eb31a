// Admin kubeconfig: the cluster's CA inline (certificate-authority-data) and a client certificate
// (client-certificate-data / client-key-data, as k3s writes it) or a bearer token.
import { stringify } from 'yaml';
import { writeFileAtomic } from './secret-files.js';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  /** A bearer token, or (instead) a client certificate and its key. */
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  clusterName?: string;
  user?: string;
}

function credentials(opts: KubeconfigOptions): Record<string, string> {
  if (opts.clientCertPem && opts.clientKeyPem) {
    return {
      'client-certificate-data': Buffer.from(opts.clientCertPem).toString('base64'),
      'client-key-data': Buffer.from(opts.clientKeyPem).toString('base64'),
    };
  }
  if (opts.token === undefined) throw new Error('kubeconfig: a token or a client certificate and key');
  return { token: opts.token };
}

export function kubeconfigText(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'tutti';
  const user = opts.user ?? 'admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') },
      },
    ],
    contexts: [{ name: cluster, context: { cluster, user } }],
    'current-context': cluster,
    preferences: {},
    users: [{ name: user, user: credentials(opts) }],
  });
}

/** Write the kubeconfig with mode 0600: it holds a credential. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, kubeconfigText(opts), 0o600);
}
