// ServiceAccounts (upstream's serviceaccounts-controller) and the root CA publisher (root-ca-cert-publisher):
// every active namespace has a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap holding the
// cluster CA, which the pods' projected `kube-api-access-*` volumes mount. Both are re-made when deleted.
import { type ApiClient, isAlreadyExists, isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import type { ConfigMap, Namespace, ServiceAccount } from '../../core/index.js';
import { resources } from '../../core/index.js';
import type { ControllerContext, RunningController } from '../context.js';

export interface ServiceAccountControllerOptions {
  /** The cluster CA (PEM) to publish; without it the root CA ConfigMaps are not made. */
  rootCaPem?: string;
  /** The service-account signing key (PEM): legacy token secrets get their tokens (`tokens.ts`); off without. */
  tokenKeyPem?: string;
}

const COMPONENT = 'serviceaccount-controller';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** upstream: the publisher annotates its ConfigMaps with the CA's description. */
const DESCRIPTION = {
  'kubernetes.io/description':
    'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
};

async function ensureDefaultServiceAccount(client: ApiClient, ns: string): Promise<void> {
  try {
    await client.get(resourcePath(resources.serviceaccounts, { namespace: ns, name: 'default' }));
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await client.create(resourcePath(resources.serviceaccounts, { namespace: ns }), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: ns },
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

async function ensureRootCa(client: ApiClient, ns: string, caPem: string): Promise<void> {
  const path = resourcePath(resources.configmaps, { namespace: ns, name: ROOT_CA_CONFIGMAP });
  let current: ConfigMap | undefined;
  try {
    current = (await client.get(path)) as ConfigMap;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (current?.data?.['ca.crt'] === caPem) return;
  const body: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ROOT_CA_CONFIGMAP,
      namespace: ns,
      annotations: DESCRIPTION,
      ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
    },
    data: { 'ca.crt': caPem },
  };
  try {
    if (current) await client.update(path, body);
    else await client.create(resourcePath(resources.configmaps, { namespace: ns }), body);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

export function startServiceAccountController(
  ctx: ControllerContext,
  opts: ServiceAccountControllerOptions = {},
): RunningController {
  const { client, log } = ctx;
  const namespaces = ctx.informers.forResource<Namespace>(resources.namespaces);
  const accounts = ctx.informers.forResource<ServiceAccount>(resources.serviceaccounts);
  const queue = new WorkQueue<string>();
  const active = (ns: Namespace | undefined) =>
    !!ns && ns.status?.phase !== 'Terminating' && !ns.metadata.deletionTimestamp;
  namespaces.addEventHandler({
    onAdd: (ns) => queue.add(ns.metadata.name!),
    onUpdate: (_o, ns) => queue.add(ns.metadata.name!),
  });
  accounts.addEventHandler({
    onDelete: (sa) => {
      if (sa.metadata.name === 'default') queue.add(sa.metadata.namespace!);
    },
  });
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const ns = await queue.get();
      if (ns === undefined) return;
      try {
        if (active(namespaces.get(ns))) {
          await ensureDefaultServiceAccount(client, ns);
          if (opts.rootCaPem) await ensureRootCa(client, ns, opts.rootCaPem);
        }
        queue.forget(ns);
      } catch (err) {
        log('serviceaccount sync failed', { controller: COMPONENT, namespace: ns, error: String(err) });
        queue.addRateLimited(ns);
      } finally {
        queue.done(ns);
      }
    }
  };
  void worker();
  return {
    name: COMPONENT,
    stop: async () => {
      stopped = true;
      queue.shutDown();
    },
  };
}
