// ResourceQuota admission as upstream's plugin decides it (plugin/pkg/admission/resourcequota CheckRequest):
// which quotas of the namespace a create or update is charged to, the constraints they impose (compute
// quotas need every container to state the resource), and whether `used + requested` stays within `hard`.
// Pure: a function of the quotas (as read, with status), the object and the old object; the API server
// writes the returned `used` back with compare-and-swap and runs the decision again on a conflict.

import type { KubeObject, Pod, ResourceQuota } from '../types.js';
import {
  exceededResources,
  isTerminatingPod,
  formatQuotaAmount,
  matchingResources,
  objectUsage,
  parseQuotaAmount,
  type QuotaAmounts,
  quotaExceededMessage,
  quotaMatchesObject,
} from './usage.js';

export type QuotaOperation = 'create' | 'update';

export interface QuotaRequest {
  group: string;
  resource: string;
  operation: QuotaOperation;
  obj: KubeObject;
  /** The stored object, for updates. */
  old?: KubeObject;
  nowMs: number;
}

export type QuotaDecision =
  | {
      allowed: true /** New status.used of the quotas the request is charged to (by name). */;
      charged: Map<string, Record<string, string>>;
    }
  | { allowed: false; message: string };

/**
 * Evaluator.Handles: pods on create, and on an update that moves them in or out of the Terminating scope
 * (activeDeadlineSeconds set or cleared); services and claims on create and update (a type change, an
 * expansion); every other kind (the generic object-count evaluator) on create only.
 */
export function quotaHandles(req: Pick<QuotaRequest, 'group' | 'resource' | 'operation' | 'obj' | 'old'>): boolean {
  if (req.operation === 'create') return true;
  if (req.group !== '') return false;
  if (req.resource === 'pods')
    return !!req.old && isTerminatingPod(req.obj as Pod) !== isTerminatingPod(req.old as Pod);
  return req.resource === 'services' || req.resource === 'persistentvolumeclaims';
}

/** The resources a compute quota makes every container state (the pod evaluator's validationSet). */
const VALIDATION_SET = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

type ContainerView = {
  name?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
};

/** podComputeUsageHelper's resource names for one container (those a container's own requests/limits set). */
function containerComputeNames(c: ContainerView): Set<string> {
  const out = new Set<string>();
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  for (const r of ['cpu', 'memory']) {
    if (req[r] !== undefined) {
      out.add(r);
      out.add(`requests.${r}`);
    }
    if (lim[r] !== undefined) out.add(`limits.${r}`);
  }
  return out;
}

/** podEvaluator.Constraints: `must specify limits.cpu for: a,b; requests.memory for: a`, or undefined. */
export function podQuotaConstraints(required: readonly string[], pod: Pod): string | undefined {
  // With pod-level resources the containers need not state them (IsPodLevelResourcesSet).
  const podLevel = (pod.spec as { resources?: { requests?: object; limits?: object } } | undefined)?.resources;
  if (Object.keys(podLevel?.requests ?? {}).length > 0 || Object.keys(podLevel?.limits ?? {}).length > 0) {
    return undefined;
  }
  const requiredSet = required.filter((r) => VALIDATION_SET.includes(r));
  if (requiredSet.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as ContainerView[];
  for (const c of containers) {
    const has = containerComputeNames(c);
    for (const r of requiredSet) {
      if (has.has(r)) continue;
      const names = missing.get(r) ?? new Set<string>();
      names.add(c.name ?? '');
      missing.set(r, names);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** The quota as its admission sees it: matched on status.hard (what the controller has observed). */
function observed(quota: ResourceQuota): ResourceQuota {
  return { ...quota, spec: { ...quota.spec, hard: quota.status?.hard ?? {} } };
}

/**
 * CheckRequest. Quotas whose status.hard (set by the quota controller) touches the object and whose scopes
 * select it are pertinent: their constraints must hold (`failed quota: q: must specify ...`), their usage must
 * be known (`status unknown for quota: q, resources: <all it restricts>`), and `used + delta` within hard
 * (`exceeded quota: q, requested: ..., used: ..., limited: ...`). On update the delta is new minus old usage,
 * never negative (the whole usage for a quota whose scopes did not select the old object).
 */
export function checkQuotaRequest(quotas: readonly ResourceQuota[], req: QuotaRequest): QuotaDecision {
  const { group, resource, obj } = req;
  const allow: QuotaDecision = { allowed: true, charged: new Map() };
  if (!quotaHandles(req) || quotas.length === 0) return allow;
  const pertinent: ResourceQuota[] = [];
  for (const quota of quotas) {
    const seen = observed(quota);
    if (!quotaMatchesObject(seen, group, resource, obj)) continue;
    const hardNames = Object.keys(seen.spec?.hard ?? {});
    const restricted = matchingResources(group, resource, hardNames);
    if (group === '' && resource === 'pods') {
      const failed = podQuotaConstraints(restricted, obj as Pod);
      if (failed) return { allowed: false, message: `failed quota: ${quota.metadata.name}: ${failed}` };
    }
    const used = quota.status?.used ?? {};
    if (restricted.some((r) => used[r] === undefined)) {
      return {
        allowed: false,
        message: `status unknown for quota: ${quota.metadata.name}, resources: ${[...restricted].sort().join(',')}`,
      };
    }
    pertinent.push(quota);
  }
  const usage: QuotaAmounts = objectUsage(group, resource, obj, req.nowMs);
  const negative = Object.keys(usage)
    .filter((k) => usage[k]! < 0)
    .sort();
  if (negative.length > 0) {
    return { allowed: false, message: `quota usage is negative for resource(s): ${negative.join(',')}` };
  }
  const nonZero = (a: QuotaAmounts) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== 0));
  let delta = nonZero(usage);
  const prev = req.operation === 'update' && req.old?.metadata.resourceVersion ? req.old : undefined;
  if (prev) {
    const before = objectUsage(group, resource, prev, req.nowMs);
    delta = nonZero(Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Math.max(0, v - (before[k] ?? 0))])));
  }
  if (pertinent.length === 0) return allow;
  for (const quota of pertinent) {
    const hard = (quota.status?.hard ?? {}) as Record<string, string>;
    const used = (quota.status?.used ?? {}) as Record<string, string>;
    // An update that brings the object into a quota's scopes (a pod made Terminating) is its whole usage there.
    const charge = prev && !quotaMatchesObject(observed(quota), group, resource, prev) ? nonZero(usage) : delta;
    const requested: QuotaAmounts = {};
    for (const [k, v] of Object.entries(charge)) if (hard[k] !== undefined) requested[k] = v;
    const exceeded = exceededResources(hard, used, requested);
    if (exceeded.length > 0) {
      return {
        allowed: false,
        message: quotaExceededMessage(quota.metadata.name ?? '', exceeded, requested, used, hard),
      };
    }
    if (Object.keys(requested).length === 0) continue;
    const next: Record<string, string> = { ...used };
    for (const [k, v] of Object.entries(requested)) {
      next[k] = formatQuotaAmount(k, (used[k] !== undefined ? parseQuotaAmount(k, used[k]!) : 0) + v);
    }
    allow.charged.set(quota.metadata.name ?? '', next);
  }
  return allow;
}
