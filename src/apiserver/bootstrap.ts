// Objects every cluster has from its first start: the system namespaces and the `kubernetes` Service and
// Endpoints, created through the object pipeline like any client's.
import { StatusError } from '../core/status.js';
import type { KubeObject } from '../core/types.js';
import { apiServiceIp } from './admission.js';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
} from './authz/bootstrap-policy.js';
import type { ObjectPipeline } from './pipeline/index.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const FIELD_MANAGER = 'tutti-apiserver';

export interface BootstrapConfig {
  /** The Service ClusterIP range; the `kubernetes` Service takes its first address. */
  serviceCidr: string;
  /** Where this server listens, and the address other machines reach it at. */
  port: number;
  advertiseAddress: string;
}

/** Creates an object unless it exists (a create would re-run allocations, e.g. of the Service's IP). */
async function ensureObject(pipeline: ObjectPipeline, resource: string, obj: KubeObject, group = ''): Promise<void> {
  const r = pipeline.registry.find(group, group ? (obj.apiVersion ?? '').split('/')[1]! : 'v1', resource)!;
  const namespace = obj.metadata.namespace;
  try {
    await pipeline.read({ resource: r, namespace, name: obj.metadata.name! });
    return;
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
  try {
    await pipeline.create({ resource: r, namespace }, obj, { fieldManager: FIELD_MANAGER });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

export async function bootstrapCluster(pipeline: ObjectPipeline, config: BootstrapConfig): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensureObject(pipeline, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // upstream's default RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy)
  const rbac = 'rbac.authorization.k8s.io';
  for (const role of bootstrapClusterRoles()) await ensureObject(pipeline, 'clusterroles', role as KubeObject, rbac);
  for (const b of bootstrapClusterRoleBindings())
    await ensureObject(pipeline, 'clusterrolebindings', b as KubeObject, rbac);
  for (const b of bootstrapRoleBindings()) await ensureObject(pipeline, 'rolebindings', b as KubeObject, rbac);
  await ensureObject(pipeline, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: apiServiceIp(config.serviceCidr),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: config.port }],
    },
  });
  await ensureObject(pipeline, 'endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default' },
    subsets: [
      { addresses: [{ ip: config.advertiseAddress }], ports: [{ name: 'https', port: config.port, protocol: 'TCP' }] },
    ],
  });
}
