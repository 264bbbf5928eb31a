// Pod resource requests as upstream computes them (k8s.io/component-helpers/resource.PodRequests):
// sum of app containers and sidecars (restartable init containers), max with each regular init container
// (plus the sidecars started before it), plus pod overhead. A container's requests default to its limits.

import { parseCpuMillis, parseIntegerQuantity } from './parse.js';

/** Amounts by resource name: `cpu` in millicores, every other resource in integer base units (bytes, items). */
export type ResourceAmounts = Record<string, number>;

export interface ContainerResourcesView {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodRequestsView {
  spec?: {
    containers?: ContainerResourcesView[];
    initContainers?: ContainerResourcesView[];
    overhead?: Record<string, string>;
  };
}

/** Upstream's defaults for containers without a request, used when scoring (never when filtering). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface PodRequestsOptions {
  /** Substitute 100m cpu / 200Mi memory for containers that request none (scheduler scoring). */
  nonMissingContainerRequests?: boolean;
  excludeOverhead?: boolean;
}

/** Parses one resource amount in the unit the scheduler counts it in. */
export function parseResourceAmount(resource: string, quantity: string): number {
  return resource === 'cpu' ? parseCpuMillis(quantity) : parseIntegerQuantity(quantity);
}

export function resourceListAmounts(list: Record<string, string> | undefined): ResourceAmounts {
  const out: ResourceAmounts = {};
  if (!list) return out;
  for (const [name, q] of Object.entries(list)) out[name] = parseResourceAmount(name, q);
  return out;
}

/** A container's effective requests: explicit requests, else limits (API defaulting). */
export function containerRequests(c: ContainerResourcesView, opts: PodRequestsOptions = {}): ResourceAmounts {
  const out = resourceListAmounts(c.resources?.limits);
  Object.assign(out, resourceListAmounts(c.resources?.requests));
  if (opts.nonMissingContainerRequests) {
    if (out['cpu'] === undefined || out['cpu'] === 0) out['cpu'] = DEFAULT_MILLI_CPU_REQUEST;
    if (out['memory'] === undefined || out['memory'] === 0) out['memory'] = DEFAULT_MEMORY_REQUEST;
  }
  return out;
}

function addInto(target: ResourceAmounts, add: ResourceAmounts): void {
  for (const [k, v] of Object.entries(add)) target[k] = (target[k] ?? 0) + v;
}

function maxInto(target: ResourceAmounts, other: ResourceAmounts): void {
  for (const [k, v] of Object.entries(other)) if (v > (target[k] ?? 0)) target[k] = v;
}

export function podRequests(pod: PodRequestsView, opts: PodRequestsOptions = {}): ResourceAmounts {
  const reqs: ResourceAmounts = {};
  for (const c of pod.spec?.containers ?? []) addInto(reqs, containerRequests(c, opts));
  const sidecars: ResourceAmounts = {};
  const initMax: ResourceAmounts = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, opts);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running beside the app containers and beside every later init container.
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      const withSidecars = { ...r };
      addInto(withSidecars, sidecars);
      maxInto(initMax, withSidecars);
    }
  }
  maxInto(reqs, initMax);
  if (!opts.excludeOverhead) addInto(reqs, resourceListAmounts(pod.spec?.overhead));
  return reqs;
}
