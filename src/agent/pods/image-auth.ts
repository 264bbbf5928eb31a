// Registry credentials for a pull from the pod's imagePullSecrets (kubernetes.io/dockerconfigjson or
// kubernetes.io/dockercfg), matched by the image's registry host as docker does.
import type { ImageAuth } from '../runtime/index.js';
import type { Secret } from '../../core/types.js';

/** Registry host of an image reference (`docker.io` when the first part is not a host). */
export function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  if (!image.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost'))
    return 'docker.io';
  return first;
}

type DockerAuths = Record<string, { username?: string; password?: string; auth?: string; identitytoken?: string }>;

function authsOf(secret: Secret): DockerAuths {
  try {
    const json = secret.data?.['.dockerconfigjson'];
    if (json) return (JSON.parse(Buffer.from(json, 'base64').toString('utf8')) as { auths?: DockerAuths }).auths ?? {};
    const legacy = secret.data?.['.dockercfg'];
    if (legacy) return JSON.parse(Buffer.from(legacy, 'base64').toString('utf8')) as DockerAuths;
  } catch {
    // A malformed secret gives no credentials; the pull then fails with the registry's answer.
  }
  return {};
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0]!;
}

export function pullAuth(image: string, secrets: Secret[]): ImageAuth | undefined {
  const registry = registryOf(image);
  const aliases = registry === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [registry];
  for (const s of secrets) {
    for (const [key, a] of Object.entries(authsOf(s))) {
      if (!aliases.includes(hostOf(key))) continue;
      return {
        username: a.username,
        password: a.password,
        auth: a.auth,
        identityToken: a.identitytoken,
        // No serverAddress, as the kubelet's keyring: containerd compares url.Parse(serverAddress).Host with
        // the endpoint host, and a bare `localhost:5000` parses with an empty Host, so the creds were dropped.
      };
    }
  }
  return undefined;
}
