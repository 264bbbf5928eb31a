// LimitRange admission as upstream's LimitRanger plugin (plugin/pkg/admission/limitranger): default requests
// and limits of Container items merged into a new pod's containers (with the `kubernetes.io/limit-ranger`
// annotation), then min, max and maxLimitRequestRatio of Container and Pod items checked on pods, and min/max
// storage of PersistentVolumeClaim items on claims. Pure: the API server lists the LimitRanges and wraps a
// violation in a 403 (`pods "x" is forbidden: <message>`).

import { canonicalQuantity } from '../quantity/format.js';
import { parseCpuMillis } from '../quantity/parse.js';
import { podRequests } from '../quantity/pod-requests.js';
import type { KubeObject, LimitRange, PersistentVolumeClaim, Pod } from '../types.js';
import { formatQuotaAmount, podLimits } from './usage.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type ResourceList = Record<string, string>;

interface ContainerView {
  name: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
}

/** The defaults of a LimitRange's Container items (defaultContainerResourceRequirements). */
function containerDefaults(lr: LimitRange): { requests: ResourceList; limits: ResourceList } {
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    for (const [k, v] of Object.entries(item.defaultRequest ?? {})) requests[k] = String(v);
    for (const [k, v] of Object.entries(item.default ?? {})) limits[k] = String(v);
  }
  return { requests, limits };
}

/** mergeContainerResources: missing requests/limits from the defaults; the note for the annotation. */
function mergeContainer(c: ContainerView, defaults: { requests: ResourceList; limits: ResourceList }, what: string) {
  const notes: string[] = [];
  const fill = (kind: 'requests' | 'limits', from: ResourceList): string[] => {
    const set: string[] = [];
    const entries = Object.entries(from);
    if (entries.length === 0) return set;
    const resources = c.resources ?? {};
    const list: ResourceList = { ...(resources[kind] ?? {}) };
    for (const [k, v] of entries) {
      if (list[k] !== undefined) continue;
      list[k] = v;
      set.push(k);
    }
    if (set.length > 0) {
      resources[kind] = list;
      c.resources = resources;
    }
    return set.sort();
  };
  const setLimits = fill('limits', defaults.limits);
  const setRequests = fill('requests', defaults.requests);
  if (setRequests.length > 0) notes.push(`${setRequests.join(', ')} request for ${what} ${c.name}`);
  if (setLimits.length > 0) notes.push(`${setLimits.join(', ')} limit for ${what} ${c.name}`);
  return notes;
}

/**
 * PodMutateLimitFunc for each LimitRange in turn: the Container defaults fill what a container leaves out;
 * the pod is annotated `LimitRanger plugin set: cpu, memory request for container app; ...`.
 */
export function applyLimitRangeDefaults(limitRanges: readonly LimitRange[], pod: Pod): void {
  for (const lr of limitRanges) {
    const defaults = containerDefaults(lr);
    const notes: string[] = [];
    for (const c of (pod.spec?.containers ?? []) as ContainerView[])
      notes.push(...mergeContainer(c, defaults, 'container'));
    for (const c of (pod.spec?.initContainers ?? []) as ContainerView[]) {
      notes.push(...mergeContainer(c, defaults, 'init container'));
    }
    if (notes.length > 0) {
      pod.metadata.annotations = {
        ...(pod.metadata.annotations ?? {}),
        [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
      };
    }
  }
}

/** Quantity.MilliValue (requestLimitEnforcedValues compares milli-values when they fit, as ours do). */
function milli(q: string): number {
  try {
    return parseCpuMillis(q);
  } catch {
    return Number.NaN;
  }
}

function minConstraint(type: string, name: string, enforced: string, req: ResourceList, lim: ResourceList) {
  const e = canonicalQuantity(enforced);
  if (req[name] === undefined) return `minimum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (milli(req[name]!) < milli(enforced)) {
    return `minimum ${name} usage per ${type} is ${e}, but request is ${canonicalQuantity(req[name]!)}`;
  }
  if (lim[name] !== undefined && milli(lim[name]!) < milli(enforced)) {
    return `minimum ${name} usage per ${type} is ${e}, but limit is ${canonicalQuantity(lim[name]!)}`;
  }
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string, req: ResourceList, lim: ResourceList) {
  const e = canonicalQuantity(enforced);
  if (lim[name] === undefined) return `maximum ${name} usage per ${type} is ${e}.  No limit is specified`;
  if (milli(lim[name]!) > milli(enforced)) {
    return `maximum ${name} usage per ${type} is ${e}, but limit is ${canonicalQuantity(lim[name]!)}`;
  }
  if (req[name] !== undefined && milli(req[name]!) > milli(enforced)) {
    return `maximum ${name} usage per ${type} is ${e}, but request is ${canonicalQuantity(req[name]!)}`;
  }
  return undefined;
}

/** maxRequestConstraint: claims are held to max by their request (limits are not user input there). */
function maxRequestConstraint(type: string, name: string, enforced: string, req: ResourceList) {
  const e = canonicalQuantity(enforced);
  if (req[name] === undefined) return `maximum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (milli(req[name]!) > milli(enforced)) {
    return `maximum ${name} usage per ${type} is ${e}, but request is ${canonicalQuantity(req[name]!)}`;
  }
  return undefined;
}

/** Go's %f: six decimals. */
const goFloat = (n: number) => n.toFixed(6);

function ratioConstraint(type: string, name: string, enforced: string, req: ResourceList, lim: ResourceList) {
  const e = canonicalQuantity(enforced);
  const r = req[name] !== undefined ? milli(req[name]!) : 0;
  const l = lim[name] !== undefined ? milli(lim[name]!) : 0;
  if (r === 0)
    return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (l === 0) return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const ratio = l / r;
  if (ratio * 1000 > milli(enforced)) {
    return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${goFloat(ratio)}`;
  }
  return undefined;
}

const sortedEntries = (list: Record<string, unknown> | undefined): [string, string][] =>
  Object.entries(list ?? {})
    .map(([k, v]): [string, string] => [k, String(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

type LimitItem = NonNullable<NonNullable<LimitRange['spec']>['limits']>[number];

function checkItem(item: LimitItem, req: ResourceList, lim: ResourceList, out: string[]): void {
  const type = item.type;
  const push = (m: string | undefined) => {
    if (m !== undefined) out.push(m);
  };
  for (const [k, v] of sortedEntries(item.min)) push(minConstraint(type, k, v, req, lim));
  for (const [k, v] of sortedEntries(item.max)) push(maxConstraint(type, k, v, req, lim));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio)) push(ratioConstraint(type, k, v, req, lim));
}

const amountsToList = (amounts: Record<string, number>): ResourceList =>
  Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, formatQuotaAmount(k, v)]));

/** PodValidateLimitFunc: every container against Container items, the pod's totals against Pod items. */
export function podLimitRangeErrors(lr: LimitRange, pod: Pod): string[] {
  const out: string[] = [];
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as ContainerView[];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of containers) checkItem(item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, out);
    }
    if (item.type === 'Pod') {
      // The LimitRanger's own podRequests/podLimits: containers and init containers, no overhead.
      const bare = { ...pod, spec: { ...pod.spec!, overhead: undefined } } as Pod;
      checkItem(item, amountsToList(podRequests(bare, { excludeOverhead: true })), amountsToList(podLimits(bare)), out);
    }
  }
  return out;
}

/** PersistentVolumeClaimValidateLimitFunc: the claim's requests against min and max. */
export function claimLimitRangeErrors(lr: LimitRange, pvc: PersistentVolumeClaim): string[] {
  const out: string[] = [];
  const req = Object.fromEntries(sortedEntries(pvc.spec?.resources?.requests));
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of sortedEntries(item.min)) {
      const m = minConstraint(item.type, k, v, req, {});
      if (m !== undefined) out.push(m);
    }
    for (const [k, v] of sortedEntries(item.max)) {
      const m = maxRequestConstraint(item.type, k, v, req);
      if (m !== undefined) out.push(m);
    }
  }
  return out;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets, repeats once. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

/**
 * The LimitRanger's validation of a pod or claim: the message of the first LimitRange it violates (the
 * caller answers 403 `<resource> "<name>" is forbidden: <message>`), or undefined.
 */
export function limitRangeViolation(
  limitRanges: readonly LimitRange[],
  resource: string,
  obj: KubeObject,
): string | undefined {
  for (const lr of limitRanges) {
    let errs: string[] = [];
    if (resource === 'pods') errs = podLimitRangeErrors(lr, obj as Pod);
    else if (resource === 'persistentvolumeclaims') errs = claimLimitRangeErrors(lr, obj as PersistentVolumeClaim);
    if (errs.length > 0) return aggregate(errs);
  }
  return undefined;
}
