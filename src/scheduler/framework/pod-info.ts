// Everything the plugins derive from a pod, computed once per pod object and reused across cycles.

import { podRequests, type ResourceAmounts } from '../../core/quantity/index.js';
import { type NodeMatcher, requiredNodeMatcher } from '../../core/scheduling/node-affinity.js';
import { type Labels, type LabelSelector, selectorOrNothing } from '../../core/selectors/index.js';
import type { Pod, PodAffinityTerm, TopologySpreadConstraint } from '../../core/types.js';
import { podUid } from './pod-key.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term with its selector compiled and namespaces resolved. */
export interface AffinityTerm {
  topologyKey: string;
  selector: LabelSelector;
  /** Namespaces the term applies to; `null` means all (empty namespaceSelector). */
  namespaces: ReadonlySet<string> | null;
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  uid: string;
  namespace: string;
  labels: Labels;
  priority: number;
  /** Requests used for fitting (cpu in millicores). */
  requests: ResourceAmounts;
  /** Requests with 100m/200Mi defaults for empty containers, used by scoring. */
  nonZeroCpu: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  controllerUid: string | undefined;
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
  spreadConstraints: TopologySpreadConstraint[];
  /** spec.nodeSelector AND required node affinity; undefined when the pod has neither. */
  requiredNodeMatch: NodeMatcher | undefined;
}

const cache = new WeakMap<Pod, PodInfo>();

function compileTerm(pod: Pod, term: PodAffinityTerm, weight: number): AffinityTerm {
  let namespaces: ReadonlySet<string> | null;
  const sel = term.namespaceSelector;
  // `{}` and `{matchLabels: {}}` alike select every namespace; null (or absent) selects none.
  const selectorIsEmpty = sel != null && selectorOrNothing(sel).empty();
  // Upstream: namespaces ∪ namespaceSelector; an empty selector means all namespaces. A non-empty
  // namespaceSelector needs namespace labels the scheduler does not watch, so only the list is honoured.
  if (selectorIsEmpty) namespaces = null;
  else if (term.namespaces?.length) namespaces = new Set(term.namespaces);
  else namespaces = new Set([pod.metadata.namespace ?? 'default']);
  return { topologyKey: term.topologyKey, selector: selectorOrNothing(term.labelSelector), namespaces, weight };
}

export function termMatchesPod(term: AffinityTerm, other: PodInfo): boolean {
  return (term.namespaces === null || term.namespaces.has(other.namespace)) && term.selector.matches(other.labels);
}

export function podInfoOf(pod: Pod): PodInfo {
  const hit = cache.get(pod);
  if (hit) return hit;
  const spec = pod.spec;
  const nonZero = podRequests(pod, { nonMissingContainerRequests: true });
  const hostPorts: HostPort[] = [];
  for (const c of spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) {
        hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
      }
    }
  }
  const aff = spec?.affinity;
  const info: PodInfo = {
    pod,
    uid: podUid(pod),
    namespace: pod.metadata.namespace ?? 'default',
    labels: pod.metadata.labels ?? {},
    priority: spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroCpu: nonZero['cpu'] ?? 0,
    nonZeroMemory: nonZero['memory'] ?? 0,
    hostPorts,
    controllerUid: pod.metadata.ownerReferences?.find((o) => o.controller)?.uid,
    requiredAffinity: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      compileTerm(pod, t, 1),
    ),
    requiredAntiAffinity: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      compileTerm(pod, t, 1),
    ),
    preferredAffinity: (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      compileTerm(pod, t.podAffinityTerm, t.weight),
    ),
    preferredAntiAffinity: (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      compileTerm(pod, t.podAffinityTerm, t.weight),
    ),
    spreadConstraints: spec?.topologySpreadConstraints ?? [],
    requiredNodeMatch: requiredNodeMatcher(spec),
  };
  cache.set(pod, info);
  return info;
}

export function hasAffinityTerms(p: PodInfo): boolean {
  return (
    p.requiredAffinity.length > 0 ||
    p.requiredAntiAffinity.length > 0 ||
    p.preferredAffinity.length > 0 ||
    p.preferredAntiAffinity.length > 0
  );
}
