// ResourceQuota usage as upstream's evaluators measure it (k8s.io/kubernetes/pkg/quota/v1/evaluator/core and
// k8s.io/apiserver/pkg/quota/v1/generic): what one object is charged, which quotas' resources it touches and
// whether a quota's scopes select it. Shared by the resource quota controller (status.used) and the API
// server's quota admission (the charge of the object being created).
//
// Amounts are numbers in the unit each resource is counted in: millicores for cpu resources, integer base
// units (bytes, objects) for everything else; `parseQuotaAmount` / `formatQuotaAmount` convert.

import { parseCpuMillis, parseIntegerQuantity } from '../quantity/parse.js';
import { formatCpuMillis, formatQuantity } from '../quantity/format.js';
import { type ContainerResourcesView, podRequests, resourceListAmounts } from '../quantity/pod-requests.js';
import { labelSelectorFromObject } from '../selectors/index.js';
import { ANN_BETA_STORAGE_CLASS } from '../storage-class.js';
import type { KubeObject, PersistentVolumeClaim, Pod, Service } from '../types.js';
import type { ResourceQuota } from '../types.js';

export type QuotaAmounts = Record<string, number>;

/** `count/<resource>` for the core group, `count/<resource>.<group>` otherwise (ObjectCountQuotaResourceNameFor). */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The group and plural a `count/...` name counts, or undefined for other names. */
export function parseObjectCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

/** Old names for object counts of core kinds (upstream legacyObjectCountAliases, plus services and claims). */
export const LEGACY_OBJECT_COUNTS: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
  services: 'services',
  persistentvolumeclaims: 'persistentvolumeclaims',
};

const isCpu = (name: string) => name === 'cpu' || name.endsWith('.cpu');

/** A quota quantity in its counting unit (rounded up, like Quantity.Value / MilliValue). */
export function parseQuotaAmount(name: string, quantity: string): number {
  return isCpu(name) ? parseCpuMillis(quantity) : parseIntegerQuantity(quantity);
}

/** Canonical text of an amount: cpu as `500m`/`2`, bytes in binary units when exact (`128Mi`), counts plain. */
export function formatQuotaAmount(name: string, amount: number): string {
  if (isCpu(name)) return formatCpuMillis(amount);
  return formatQuantity(amount, amount >= 1024 && amount % 1024 === 0 ? 'BinarySI' : 'DecimalSI');
}

export function addAmounts(into: QuotaAmounts, add: QuotaAmounts): QuotaAmounts {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
  return into;
}

// ---- pods ----

const POD_RESOURCES = new Set([
  'count/pods',
  'pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

/** A resource name of the kubernetes.io domains (or none), as opposed to an extended resource. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Whether a quota resource name is one the pod evaluator measures (MatchingResources). */
export function isPodQuotaResource(name: string): boolean {
  if (POD_RESOURCES.has(name)) return true;
  if (name.startsWith('hugepages-') || name.startsWith('requests.hugepages-')) return true;
  return name.startsWith('requests.') && !isNativeResource(name);
}

/** resourcehelper.PodLimits: app containers and sidecars summed, max with each init container, overhead on set limits. */
export function podLimits(pod: Pod): QuotaAmounts {
  const limits = (c: ContainerResourcesView) => resourceListAmounts(c.resources?.limits);
  const out: QuotaAmounts = {};
  for (const c of pod.spec?.containers ?? []) addAmounts(out, limits(c));
  const sidecars: QuotaAmounts = {};
  const initMax: QuotaAmounts = {};
  const maxInto = (t: QuotaAmounts, o: QuotaAmounts) => {
    for (const [k, v] of Object.entries(o)) if (v > (t[k] ?? 0)) t[k] = v;
  };
  for (const c of pod.spec?.initContainers ?? []) {
    const l = limits(c);
    if (c.restartPolicy === 'Always') {
      addAmounts(out, l);
      addAmounts(sidecars, l);
      maxInto(initMax, sidecars);
    } else maxInto(initMax, addAmounts({ ...l }, sidecars));
  }
  maxInto(out, initMax);
  const overhead = resourceListAmounts(pod.spec?.overhead);
  for (const k of Object.keys(out)) if (overhead[k] !== undefined) out[k] += overhead[k]!;
  return out;
}

/** QuotaV1Pod: terminal pods, and pods still terminating after their grace period, are not charged compute. */
export function podChargedForCompute(pod: Pod, nowMs: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const deletion = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : Number.NaN;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (!Number.isNaN(deletion) && grace !== undefined && nowMs > deletion + grace * 1000) return false;
  return true;
}

/** PodUsageFunc: count/pods always; pods and compute requests/limits while the pod is charged. */
export function podUsage(pod: Pod, nowMs: number): QuotaAmounts {
  const out: QuotaAmounts = { 'count/pods': 1 };
  if (!podChargedForCompute(pod, nowMs)) return out;
  out.pods = 1;
  const requests = podRequests(pod);
  const limits = podLimits(pod);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r] !== undefined) {
      out[r] = requests[r]!;
      out[`requests.${r}`] = requests[r]!;
    }
    if (limits[r] !== undefined) out[`limits.${r}`] = limits[r]!;
  }
  for (const [name, amount] of Object.entries(requests)) {
    if (name.startsWith('hugepages-')) {
      out[name] = amount;
      out[`requests.${name}`] = amount;
    } else if (!isNativeResource(name)) out[`requests.${name}`] = amount;
  }
  return out;
}

/** Upstream qos.GetPodQOS == BestEffort: no container requests or limits any cpu or memory. */
export function isBestEffort(pod: Pod): boolean {
  if (pod.status?.qosClass) return pod.status.qosClass === 'BestEffort';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      for (const r of ['cpu', 'memory']) {
        const q = list?.[r];
        if (q !== undefined && parseQuotaAmount(r, String(q)) > 0) return false;
      }
    }
  }
  return true;
}

/** The pod has a finite active deadline (scope Terminating). */
export function isTerminatingPod(pod: Pod): boolean {
  const d = pod.spec?.activeDeadlineSeconds;
  return d !== undefined && d !== null && d >= 0;
}

function usesCrossNamespacePodAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  const cross = (t: { namespaces?: string[]; namespaceSelector?: unknown }) =>
    (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined;
  for (const aff of [a?.podAffinity, a?.podAntiAffinity]) {
    if (!aff) continue;
    if ((aff.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(cross)) return true;
    if ((aff.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w) => cross(w.podAffinityTerm))) return true;
  }
  return false;
}

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** podMatchesScopeFunc for one scope selector requirement. */
export function podMatchesScope(pod: Pod, req: ScopeRequirement): boolean {
  switch (req.scopeName) {
    case 'Terminating':
      return isTerminatingPod(pod);
    case 'NotTerminating':
      return !isTerminatingPod(pod);
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      if (req.operator === 'Exists') return pc !== '';
      // A label selector over {PriorityClass: name}, the map empty when the pod names no class.
      const sel = labelSelectorFromObject({
        matchExpressions: [{ key: 'PriorityClass', operator: req.operator, values: req.values }],
      });
      return sel.matches(pc ? { PriorityClass: pc } : {});
    }
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespacePodAffinity(pod);
    default:
      return false;
  }
}

/** The quota's scopes and scope selector as requirements (a listed scope is an Exists requirement). */
export function quotaScopes(quota: Pick<ResourceQuota, 'spec'>): ScopeRequirement[] {
  const out: ScopeRequirement[] = (quota.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' }));
  for (const r of quota.spec?.scopeSelector?.matchExpressions ?? []) out.push({ ...r });
  return out;
}

// ---- services and claims ----

/** Service usage: one object; node ports of NodePort and LoadBalancer services; one load balancer. */
export function serviceUsage(svc: Service): QuotaAmounts {
  const out: QuotaAmounts = { 'count/services': 1, services: 1, 'services.loadbalancers': 0, 'services.nodeports': 0 };
  const ports = svc.spec?.ports ?? [];
  if (svc.spec?.type === 'NodePort') out['services.nodeports'] = ports.length;
  if (svc.spec?.type === 'LoadBalancer') {
    out['services.loadbalancers'] = 1;
    out['services.nodeports'] =
      svc.spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
  }
  return out;
}

/** The claim's class: the beta annotation wins over spec.storageClassName (GetPersistentVolumeClaimClass). */
export function claimClass(pvc: Pick<PersistentVolumeClaim, 'metadata' | 'spec'>): string {
  return pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

const CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

/** Claim usage: counts and requested storage, also per storage class (`<class>.storageclass.storage.k8s.io/...`). */
export function claimUsage(pvc: PersistentVolumeClaim): QuotaAmounts {
  const requested = pvc.spec?.resources?.requests?.storage;
  const allocated = pvc.status?.allocatedResources?.storage;
  let storage = requested !== undefined ? parseQuotaAmount('storage', String(requested)) : 0;
  // While an expansion is under way the larger of request and allocation is charged.
  if (allocated !== undefined) storage = Math.max(storage, parseQuotaAmount('storage', String(allocated)));
  const out: QuotaAmounts = {
    'count/persistentvolumeclaims': 1,
    persistentvolumeclaims: 1,
    'requests.storage': storage,
  };
  const cls = claimClass(pvc);
  if (cls) {
    out[`${cls}${CLASS_SUFFIX}persistentvolumeclaims`] = 1;
    out[`${cls}${CLASS_SUFFIX}requests.storage`] = storage;
  }
  return out;
}

function isClaimQuotaResource(name: string): boolean {
  return (
    name === 'persistentvolumeclaims' ||
    name === 'count/persistentvolumeclaims' ||
    name === 'requests.storage' ||
    name.endsWith(`${CLASS_SUFFIX}persistentvolumeclaims`) ||
    name.endsWith(`${CLASS_SUFFIX}requests.storage`)
  );
}

// ---- any object ----

/** What one object of group/resource is charged: the evaluator's usage, or a count of one (generic evaluator). */
export function objectUsage(group: string, resource: string, obj: KubeObject, nowMs: number): QuotaAmounts {
  if (group === '' && resource === 'pods') return podUsage(obj as Pod, nowMs);
  if (group === '' && resource === 'services') return serviceUsage(obj as Service);
  if (group === '' && resource === 'persistentvolumeclaims') return claimUsage(obj as PersistentVolumeClaim);
  const out: QuotaAmounts = { [objectCountName(group, resource)]: 1 };
  if (group === '' && LEGACY_OBJECT_COUNTS[resource]) out[LEGACY_OBJECT_COUNTS[resource]!] = 1;
  return out;
}

/** Of a quota's hard resource names, those that objects of group/resource are measured by (MatchingResources). */
export function matchingResources(group: string, resource: string, names: readonly string[]): string[] {
  if (group === '' && resource === 'pods') return names.filter(isPodQuotaResource);
  if (group === '' && resource === 'services') {
    return names.filter((n) =>
      ['services', 'count/services', 'services.loadbalancers', 'services.nodeports'].includes(n),
    );
  }
  if (group === '' && resource === 'persistentvolumeclaims') return names.filter(isClaimQuotaResource);
  return names.filter(
    (n) => n === objectCountName(group, resource) || (group === '' && LEGACY_OBJECT_COUNTS[resource] === n),
  );
}

/** The group and plural whose objects a hard resource name is measured on (undefined: no evaluator knows it). */
export function resourceMeasuredOn(name: string): { group: string; resource: string } | undefined {
  if (isPodQuotaResource(name)) return { group: '', resource: 'pods' };
  if (isClaimQuotaResource(name)) return { group: '', resource: 'persistentvolumeclaims' };
  if (['services', 'count/services', 'services.loadbalancers', 'services.nodeports'].includes(name)) {
    return { group: '', resource: 'services' };
  }
  const legacy = Object.entries(LEGACY_OBJECT_COUNTS).find(([, alias]) => alias === name);
  if (legacy) return { group: '', resource: legacy[0] };
  return parseObjectCountName(name);
}

/**
 * Whether the quota tracks the object at all (generic.Matches): the object touches one of its hard resources,
 * and every scope selects it. Scopes select only pods; a scoped quota never charges other kinds.
 */
export function quotaMatchesObject(
  quota: Pick<ResourceQuota, 'spec'>,
  group: string,
  resource: string,
  obj: KubeObject,
): boolean {
  const hard = Object.keys(quota.spec?.hard ?? {});
  if (matchingResources(group, resource, hard).length === 0) return false;
  const scopes = quotaScopes(quota);
  if (scopes.length === 0) return true;
  if (group !== '' || resource !== 'pods') return false;
  return scopes.every((s) => podMatchesScope(obj as Pod, s));
}

/**
 * status.used for a quota (CalculateUsage, masked to the hard resources): for each hard resource the summed
 * usage of the objects it is measured on, listed by `objectsOf(group, resource)`; a resource whose objects
 * cannot be listed (undefined) keeps its previous value, or is left out.
 */
export function quotaUsed(
  quota: ResourceQuota,
  objectsOf: (group: string, resource: string) => readonly KubeObject[] | undefined,
  nowMs: number,
): Record<string, string> {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const byKind = new Map<string, { group: string; resource: string; names: string[] }>();
  for (const name of hard) {
    const on = resourceMeasuredOn(name);
    if (!on) continue;
    const key = `${on.group}/${on.resource}`;
    const entry = byKind.get(key) ?? { ...on, names: [] };
    entry.names.push(name);
    byKind.set(key, entry);
  }
  const used: Record<string, string> = {};
  for (const name of hard) {
    const prev = quota.status?.used?.[name];
    if (prev !== undefined) used[name] = String(prev);
  }
  for (const { group, resource, names } of byKind.values()) {
    const objects = objectsOf(group, resource);
    if (!objects) continue;
    const total: QuotaAmounts = {};
    for (const n of names) total[n] = 0;
    for (const obj of objects) {
      if (!quotaMatchesObject(quota, group, resource, obj)) continue;
      const usage = objectUsage(group, resource, obj, nowMs);
      for (const n of names) total[n]! += usage[n] ?? 0;
    }
    for (const n of names) used[n] = formatQuotaAmount(n, total[n]!);
  }
  return used;
}

/** Hard resources that `used + requested` would exceed (quota.LessThanOrEqual over the requested names). */
export function exceededResources(
  hard: Readonly<Record<string, string>>,
  used: Readonly<Record<string, string>>,
  requested: QuotaAmounts,
): string[] {
  const out: string[] = [];
  for (const [name, amount] of Object.entries(requested)) {
    const limit = hard[name];
    if (limit === undefined || amount === 0) continue;
    const now = used[name] !== undefined ? parseQuotaAmount(name, used[name]!) : 0;
    if (now + amount > parseQuotaAmount(name, limit)) out.push(name);
  }
  return out.sort();
}

/**
 * Upstream's quota admission message: `exceeded quota: NAME, requested: r=v, used: r=v, limited: r=v` (the API
 * server wraps it in a 403: `<resource> "<name>" is forbidden: ...`).
 */
export function quotaExceededMessage(
  quotaName: string,
  exceeded: readonly string[],
  requested: QuotaAmounts,
  used: Readonly<Record<string, string>>,
  hard: Readonly<Record<string, string>>,
): string {
  const list = (f: (n: string) => string | undefined) =>
    [...exceeded]
      .sort()
      .filter((n) => f(n) !== undefined)
      .map((n) => `${n}=${f(n)}`)
      .join(',');
  return `exceeded quota: ${quotaName}, requested: ${list((n) => formatQuotaAmount(n, requested[n] ?? 0))}, used: ${list((n) => used[n])}, limited: ${list((n) => hard[n])}`;
}
