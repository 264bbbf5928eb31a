// Admin kubeconfig: the cluster's CA inline (certificate-authority-data) and a bearer token.
import { stringify } from 'yaml';
import { writeFileAtomic } from './secret-files.js';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  token: string;
  clusterName?: string;
  user?: string;
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
    users: [{ name: user, user: { token: opts.token } }],
  });
}

/** Write the kubeconfig with mode 0600: it holds a bearer token. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, kubeconfigText(opts), 0o600);
}
