// Objects every cluster has from its first start: the system namespaces and the `kubernetes` Service with its
// Endpoints and EndpointSlice, written through the object pipeline like any client's. The Endpoints and the
// slice follow the advertise address and port at every start (upstream's apiserver endpoint reconciler,
// pkg/controlplane/reconcilers), so a restart with another address or port moves the `kubernetes` Service too.
import { jsonEqual } from '../core/json.js';
import { StatusError } from '../core/status.js';
import type { EndpointSlice, Endpoints, KubeObject, Service } from '../core/types.js';
import { apiServiceIp } from './admission.js';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
} from './authz/bootstrap-policy.js';
import { ensureLocalApiServices } from './apiservices.js';
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

/** Label that keeps the EndpointSlice mirroring controller off an Endpoints object (discovery.LabelSkipMirror). */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Pure: the `default/kubernetes` Endpoints and EndpointSlice for this server's address and secure port. */
export function kubernetesEndpointObjects(
  advertiseAddress: string,
  port: number,
): { endpoints: Endpoints; slice: EndpointSlice } {
  const endpoints: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { [SKIP_MIRROR_LABEL]: 'true' } },
    subsets: [{ addresses: [{ ip: advertiseAddress }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  // As upstream's endpointSliceFromEndpoints: same name, the service-name label only, one ready endpoint.
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { [SERVICE_NAME_LABEL]: 'kubernetes' } },
    addressType: advertiseAddress.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  return { endpoints, slice };
}

/**
 * Pure: the object to write so `existing` holds what `desired` says (its labels merged over the existing
 * ones, its content fields replacing theirs), or undefined when it already does.
 */
export function reconciledObject<T extends KubeObject>(
  existing: T,
  desired: T,
  fields: readonly string[],
): T | undefined {
  const labels = { ...existing.metadata.labels, ...desired.metadata.labels };
  const e = existing as Record<string, unknown>;
  const d = desired as Record<string, unknown>;
  const same = jsonEqual(labels, existing.metadata.labels ?? {}) && fields.every((f) => jsonEqual(e[f], d[f]));
  if (same) return undefined;
  const out: Record<string, unknown> = { ...existing, metadata: { ...existing.metadata, labels } };
  for (const f of fields) out[f] = d[f];
  return out as T;
}

const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

/** `have` with the entries of `want` it lacks (by value) added at the end; undefined when it lacks none. */
function withMissing<T>(have: readonly T[] | undefined, want: readonly T[] | undefined): T[] | undefined {
  const missing = (want ?? []).filter((w) => !(have ?? []).some((h) => jsonEqual(h, w)));
  return missing.length > 0 ? [...(have ?? []), ...missing] : undefined;
}

/**
 * Pure: upstream's reconciliation of a default RBAC object at start (pkg/registry/rbac/reconciliation, as the
 * API server's post-start hook runs it), additive: a role gets the rules it lacks, a binding the subjects it
 * lacks, nothing is removed. Undefined when nothing lacks, or when the existing object is annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "false"` (an administrator's choice to keep it as it is).
 */
export function reconciledRbacObject<T extends KubeObject & { rules?: unknown[]; subjects?: unknown[] }>(
  existing: T,
  desired: T,
): T | undefined {
  if (existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return undefined;
  const rules = withMissing(existing.rules, desired.rules);
  const retired = existing.kind === 'ClusterRoleBinding' ? RETIRED_SUBJECTS[existing.metadata.name ?? ''] : undefined;
  const kept = retired
    ? (existing.subjects ?? []).filter((s) => !retired.some((r) => jsonEqual(pickSubject(s), r)))
    : existing.subjects;
  const removed = (kept?.length ?? 0) !== (existing.subjects?.length ?? 0);
  const subjects = withMissing(kept, desired.subjects) ?? (removed ? kept : undefined);
  if (!rules && !subjects) return undefined;
  const out = { ...existing, ...(rules ? { rules } : {}), ...(subjects ? { subjects } : {}) };
  if (subjects?.length === 0) delete out.subjects; // as upstream writes a binding without subjects
  return out;
}

/**
 * Subjects earlier Tutti versions bound that would now open a hole, removed at start (the one exception to the
 * additive rule, as upstream 1.8 stopped binding group system:nodes to `system:node` when the Node authorizer
 * came): the node role bound to every node (group system:nodes) or to the old shared join token's user would let
 * any node read every secret past the Node authorizer.
 */
const RETIRED_SUBJECTS: Record<string, { kind: string; name: string }[]> = {
  'system:node': [
    { kind: 'Group', name: 'system:nodes' },
    { kind: 'User', name: 'system:node' },
  ],
};

function pickSubject(s: unknown): { kind: string; name: string } {
  const o = s as { kind?: string; name?: string };
  return { kind: o.kind ?? '', name: o.name ?? '' };
}

/**
 * Creates the object, or updates it when its content fields differ, or as `fields` says when it is a function
 * of the existing object (retried on a lost race).
 */
async function reconcileObject(
  pipeline: ObjectPipeline,
  resource: string,
  desired: KubeObject,
  fields: readonly string[] | ((existing: KubeObject) => KubeObject | undefined),
  group = '',
): Promise<void> {
  const r = pipeline.registry.find(group, group ? (desired.apiVersion ?? '').split('/')[1]! : 'v1', resource)!;
  const namespace = desired.metadata.namespace;
  const name = desired.metadata.name!;
  for (let attempt = 0; ; attempt++) {
    try {
      let existing: KubeObject;
      try {
        existing = await pipeline.get({ resource: r, namespace, name });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
        await pipeline.create({ resource: r, namespace }, desired, { fieldManager: FIELD_MANAGER });
        return;
      }
      const update = typeof fields === 'function' ? fields(existing) : reconciledObject(existing, desired, fields);
      if (update) await pipeline.update({ resource: r, namespace, name }, update, { fieldManager: FIELD_MANAGER });
      return;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409) || attempt >= 4) throw err;
    }
  }
}

/**
 * Pure: the `kubernetes` Service with its https port's targetPort moved to the secure port, or undefined when
 * it already points there (upstream's CreateOrUpdateMasterServiceIfNeeded reconciles the ports the same way).
 */
export function kubernetesServiceUpdate(existing: Service, port: number): Service | undefined {
  const ports = existing.spec?.ports ?? [];
  const https = ports.find((p) => p.name === 'https');
  if (!https || https.targetPort === port) return undefined;
  return {
    ...existing,
    spec: { ...existing.spec, ports: ports.map((p) => (p === https ? { ...p, targetPort: port } : p)) },
  };
}

/** The PriorityClasses upstream's scheduling REST storage creates at start-up (scheduling.SystemPriorityClasses). */
const SYSTEM_PRIORITY_CLASSES = [
  {
    name: 'system-node-critical',
    value: 2000001000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    name: 'system-cluster-critical',
    value: 2000000000,
    description:
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

async function ensureSystemPriorityClasses(pipeline: ObjectPipeline): Promise<void> {
  const r = pipeline.registry.find('scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!r) return;
  for (const c of SYSTEM_PRIORITY_CLASSES) {
    try {
      await pipeline.read({ resource: r, name: c.name });
      continue;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    const obj = {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: c.name },
      value: c.value,
      description: c.description,
    };
    try {
      await pipeline.create({ resource: r }, obj, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }
}

export async function bootstrapCluster(pipeline: ObjectPipeline, config: BootstrapConfig): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensureObject(pipeline, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // upstream's default RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy)
  const rbac = 'rbac.authorization.k8s.io';
  // Created, or given the rules and subjects a newer Tutti added since (a cluster made before a component's
  // role grew keeps working after the upgrade).
  const rbacObjects: [string, KubeObject[]][] = [
    ['clusterroles', bootstrapClusterRoles() as KubeObject[]],
    ['clusterrolebindings', bootstrapClusterRoleBindings() as KubeObject[]],
    ['rolebindings', bootstrapRoleBindings() as KubeObject[]],
  ];
  for (const [resource, objects] of rbacObjects)
    for (const o of objects) await reconcileObject(pipeline, resource, o, (e) => reconciledRbacObject(e, o), rbac);
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
  const services = pipeline.registry.find('', 'v1', 'services')!;
  const svc = (await pipeline.get({ resource: services, namespace: 'default', name: 'kubernetes' })) as Service;
  const svcUpdate = kubernetesServiceUpdate(svc, config.port);
  if (svcUpdate)
    await pipeline.update({ resource: services, namespace: 'default', name: 'kubernetes' }, svcUpdate, {
      fieldManager: FIELD_MANAGER,
    });
  const { endpoints, slice } = kubernetesEndpointObjects(config.advertiseAddress, config.port);
  await reconcileObject(pipeline, 'endpoints', endpoints, ['subsets']);
  await reconcileObject(pipeline, 'endpointslices', slice, ['addressType', 'endpoints', 'ports'], 'discovery.k8s.io');
  await ensureLocalApiServices(pipeline, new Date());
  await ensureSystemPriorityClasses(pipeline);
}
