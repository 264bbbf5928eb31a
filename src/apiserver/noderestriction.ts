// NodeRestriction admission (upstream plugin/pkg/admission/noderestriction): what the static node rules let a
// node's credential write, limited to its own objects — its Node (not its taints, configSource or
// node-restriction / unknown kubernetes.io labels), its Lease, the status of pods bound to it, the mirror pods
// it may create and the pods bound to it it may delete or evict, the status of PVCs (status.capacity and
// conditions only). Pure: the caller passes the request and the objects it needs; a refusal throws upstream's
// 403 (`<resource> "<name>" is forbidden: <why>`, texts copied from upstream).
import { isDeepStrictEqual } from 'node:util';
import { errors, type StatusError } from '../core/status.js';
import type { KubeObject, Node, Pod } from '../core/types.js';
import { NODE_LEASE_NAMESPACE, nodeIdentity } from './authz/node.js';
import { podReferences as graphReferences } from './authz/node-graph.js';
import type { UserInfo } from './authz/attributes.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface NodeAdmissionRequest {
  user: UserInfo;
  operation: Operation;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  /** The name the request addresses ('' for a create by POST). */
  name: string;
  /** The new object (create, update). */
  object?: KubeObject;
  /** The object before an update, the one being deleted, the pod an eviction addresses or a token binds. */
  old?: KubeObject;
  /** The UID of the requesting node's Node object (for a mirror pod's owner reference), when it exists. */
  nodeUid?: string;
}

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_RESTRICTION_LABELS = 'node-restriction.kubernetes.io';
/** upstream k8s.io/kubelet/pkg/apis: the kubernetes.io labels a kubelet may set on its Node. */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const labelNamespace = (key: string) => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');
const inNamespace = (ns: string, base: string) => ns === base || ns.endsWith(`.${base}`);

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

/** The label keys added, removed or changed between the two maps, sorted. */
function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

/** upstream getForbiddenLabels: node-restriction.kubernetes.io labels and unknown kubernetes.io / k8s.io ones. */
function forbiddenLabels(keys: string[]): string[] {
  return keys.filter((key) => {
    const ns = labelNamespace(key);
    if (inNamespace(ns, NODE_RESTRICTION_LABELS)) return true;
    const kubernetes = inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
    return kubernetes && !isKubeletLabel(key);
  });
}

/** Semantic equality as upstream's apiequality: an empty list or map equals an absent one. */
function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && Object.keys(v as object).length === 0);
  if (empty(a) && empty(b)) return true;
  return isDeepStrictEqual(a, b);
}

function labelsOf(o: KubeObject | undefined): Record<string, string> {
  return (o?.metadata.labels ?? {}) as Record<string, string>;
}

/** Throws upstream's 403 when a node's credential may not make this write; anyone else passes. */
export function admitNodeRestriction(r: NodeAdmissionRequest): void {
  const node = nodeIdentity(r.user);
  if (node === undefined) return; // our job is just to restrict nodes
  const forbid = (why: string): StatusError =>
    errors.forbiddenObject(
      r.group,
      r.resource,
      r.name || r.object?.metadata.name || r.object?.metadata.generateName || 'Unknown',
      why,
    );
  if (!node) throw forbid(`could not determine node from user ${JSON.stringify(r.user.name)}`);
  const gr = `${r.resource}.${r.group}`;
  switch (gr) {
    case 'pods.':
      if (r.subresource === '') admitPod(node, r, forbid);
      else if (r.subresource === 'status') admitPodStatus(node, r, forbid);
      else if (r.subresource === 'eviction') admitPodEviction(node, r, forbid);
      else
        throw forbid(
          `unexpected pod subresource ${JSON.stringify(r.subresource)}, only 'status' and 'eviction' are allowed`,
        );
      break;
    case 'nodes.':
      admitNode(node, r, forbid);
      break;
    case 'persistentvolumeclaims.':
      if (r.subresource !== 'status') throw forbid('may only update PVC status');
      admitPvcStatus(node, r, forbid);
      break;
    case 'leases.coordination.k8s.io':
      admitLease(node, r, forbid);
      break;
    case 'serviceaccounts.':
      if (r.operation === 'CREATE' && r.subresource === 'token') admitTokenRequest(node, r, forbid);
      break;
  }
}

type Forbid = (why: string) => StatusError;

function admitPod(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  if (r.operation === 'DELETE') {
    if ((r.old as Pod | undefined)?.spec?.nodeName !== node)
      throw forbid(`node ${JSON.stringify(node)} can only delete pods with spec.nodeName set to itself`);
    return;
  }
  if (r.operation !== 'CREATE')
    throw forbid(
      `unexpected operation ${JSON.stringify(r.operation)}, node ${JSON.stringify(node)} can only create and delete mirror pods`,
    );
  const pod = r.object as Pod;
  const n = JSON.stringify(node);
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined)
    throw forbid(`pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node ${n} can only create mirror pods`);
  if (pod.spec?.nodeName !== node) throw forbid(`node ${n} can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1) throw forbid(`node ${n} can only create pods with a single owner reference set to itself`);
  const owner = owners[0];
  if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node)
    throw forbid(`node ${n} can only create pods with an owner reference set to itself`);
  if (owner.controller !== true)
    throw forbid(`node ${n} can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion === true)
    throw forbid(`node ${n} must not set blockOwnerDeletion on an owner reference`);
  if (r.nodeUid === undefined) throw errors.notFound('', 'nodes', node);
  if (owner.uid !== r.nodeUid) throw forbid(`node ${node} UID mismatch: expected ${owner.uid} got ${r.nodeUid}`);
  const spec = pod.spec ?? ({} as NonNullable<Pod['spec']>);
  if (spec.serviceAccountName) throw forbid(`node ${n} can not create pods that reference a service account`);
  const refs = podReferencesOf(pod);
  if (refs.secrets) throw forbid(`node ${n} can not create pods that reference secrets`);
  if (refs.configMaps) throw forbid(`node ${n} can not create pods that reference configmaps`);
  for (const v of spec.volumes ?? [])
    for (const src of v.projected?.sources ?? [])
      if ((src as { clusterTrustBundle?: unknown }).clusterTrustBundle)
        throw forbid(`node ${n} can not create pods that reference clustertrustbundles`);
  for (const v of spec.volumes ?? [])
    if (v.persistentVolumeClaim) throw forbid(`node ${n} can not create pods that reference persistentvolumeclaims`);
}

/** Whether a pod names any secret or configmap (upstream VisitPodSecretNames / VisitPodConfigmapNames). */
function podReferencesOf(pod: Pod): { secrets: boolean; configMaps: boolean } {
  const refs = [...graphReferences(pod)];
  return {
    secrets: refs.some((x) => x.startsWith('secret/')),
    configMaps: refs.some((x) => x.startsWith('configmap/')),
  };
}

function admitPodStatus(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  if (r.operation !== 'UPDATE') throw forbid(`unexpected operation ${JSON.stringify(r.operation)}`);
  const old = r.old as Pod;
  const pod = r.object as Pod;
  const n = JSON.stringify(node);
  if (old.spec?.nodeName !== node)
    throw forbid(`node ${n} can only update pod status for pods with spec.nodeName set to itself`);
  if (!semanticEqual(labelsOf(old), labelsOf(pod))) throw forbid(`node ${n} cannot update labels through pod status`);
  const claims = (p: Pod) =>
    (p.status?.resourceClaimStatuses ?? []).map((c) => ({ name: c.name, claim: c.resourceClaimName ?? null }));
  if (!isDeepStrictEqual(claims(old), claims(pod))) throw forbid(`node ${n} cannot update resource claim statues`);
}

function admitPodEviction(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  if (r.operation !== 'CREATE') throw forbid(`unexpected operation ${r.operation}`);
  if (!r.name && !r.object?.metadata.name) throw forbid('could not determine pod from request data');
  if ((r.old as Pod | undefined)?.spec?.nodeName !== node)
    throw forbid(`node ${node} can only evict pods with spec.nodeName set to itself`);
}

function admitPvcStatus(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  if (r.operation !== 'UPDATE') throw forbid(`unexpected operation ${JSON.stringify(r.operation)}`);
  const strip = (o: KubeObject | undefined) => {
    const c = structuredClone(o ?? { metadata: {} }) as KubeObject & { status?: Record<string, unknown> };
    delete c.metadata.resourceVersion;
    delete c.metadata.managedFields;
    if (c.status) {
      for (const f of ['capacity', 'conditions', 'allocatedResourceStatuses', 'allocatedResources']) delete c.status[f];
    }
    return c;
  };
  const before = strip(r.old);
  const after = strip(r.object);
  if (!isDeepStrictEqual(before, after)) {
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (k) => !isDeepStrictEqual((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k]),
    );
    throw forbid(
      `node ${JSON.stringify(node)} is not allowed to update fields other than status.capacity and status.conditions: ${changed.join(', ')}`,
    );
  }
}

function admitNode(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  const requested = r.name || (r.operation === 'CREATE' ? (r.object?.metadata.name ?? '') : '');
  const n = JSON.stringify(node);
  if (requested !== node) throw forbid(`node ${n} is not allowed to modify node ${JSON.stringify(requested)}`);
  const obj = r.object as Node | undefined;
  const spec = (obj?.spec ?? {}) as { configSource?: unknown; taints?: unknown };
  if (r.operation === 'CREATE') {
    if (spec.configSource) throw forbid(`node ${n} is not allowed to create pods with a non-nil configSource`);
    const bad = forbiddenLabels(modifiedLabels(labelsOf(obj), undefined));
    if (bad.length > 0) throw forbid(`node ${n} is not allowed to set the following labels: ${bad.join(', ')}`);
  }
  if (r.operation === 'UPDATE') {
    const oldSpec = ((r.old as Node | undefined)?.spec ?? {}) as { configSource?: unknown; taints?: unknown };
    if (spec.configSource && !semanticEqual(spec.configSource, oldSpec.configSource))
      throw forbid(`node ${n} is not allowed to update configSource to a new non-nil configSource`);
    if (!semanticEqual(spec.taints, oldSpec.taints)) throw forbid(`node ${n} is not allowed to modify taints`);
    const bad = forbiddenLabels(modifiedLabels(labelsOf(obj), labelsOf(r.old)));
    if (bad.length > 0) throw forbid(`is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

function admitLease(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  if (r.namespace !== NODE_LEASE_NAMESPACE)
    throw forbid(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  const name = r.operation === 'CREATE' ? r.object?.metadata.name : r.name;
  if (name !== node) throw forbid('can only access node lease with the same name as the requesting node');
}

/**
 * serviceaccounts/token (upstream admitServiceAccount): a node's token request must be bound to a pod (by
 * name and uid) scheduled on it; `r.object` is the TokenRequest, `r.old` that pod when it exists.
 */
function admitTokenRequest(node: string, r: NodeAdmissionRequest, forbid: Forbid): void {
  const ref = (r.object as { spec?: { boundObjectRef?: Record<string, unknown> | null } } | undefined)?.spec
    ?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name)
    throw forbid('node requested token not bound to a pod');
  if (!ref.uid) throw forbid('node requested token with a pod binding without a uid');
  const pod = r.old as Pod | undefined;
  if (!pod) throw errors.notFound('', 'pods', String(ref.name));
  if (ref.uid !== pod.metadata.uid)
    throw forbid(
      `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  if (pod.spec?.nodeName !== node) throw forbid('node requested token bound to a pod scheduled on a different node');
}
