// Objects every cluster has from its first start: the system namespaces and the `kubernetes` service.
import type { KubeObject } from '../core/types.js';
import { StatusError } from '../core/status.js';
import { apiServiceIp } from './admission.js';
import type { RequestContext } from './rest.js';
import type { ApiServer } from './server.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates an object through the normal create pipeline unless it exists. */
export async function ensureObject(
  server: ApiServer,
  group: string,
  version: string,
  resource: string,
  obj: KubeObject,
): Promise<void> {
  const r = server.registry.find(group, version, resource)!;
  const storage = server.rest.storageFor(r);
  if (await storage.getKv(obj.metadata.namespace, obj.metadata.name!)) return;
  const ctx = {
    query: new URLSearchParams(),
    info: { kind: 'resource', group, version, resource, namespace: obj.metadata.namespace, watchPrefix: false },
    resource: r,
    warnings: [],
  } as unknown as RequestContext;
  try {
    await server.rest.createObject(ctx, obj, 'tutti-apiserver');
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

export async function bootstrapCluster(server: ApiServer, advertiseAddress: string): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensureObject(server, '', 'v1', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const ip = apiServiceIp(server.admission.config.serviceCidr);
  await ensureObject(server, '', 'v1', 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }],
    },
  });
  await ensureObject(server, '', 'v1', 'endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default' },
    subsets: [
      { addresses: [{ ip: advertiseAddress }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] },
    ],
  });
}
