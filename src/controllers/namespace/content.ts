// Which resources a terminating namespace must be emptied of, and how to tell when it is.

import { CATALOG, type ResourceInfo } from '../../api/catalog.js';
import type { Namespace } from '../../core/index.js';

/**
 * Every namespaced resource that can be deleted, once per storage (HPA v1/v2 and the two Event groups
 * share one store; deleting through one version is enough).
 */
export function namespacedResources(catalog: ResourceInfo[] = CATALOG): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of [...catalog].sort((a, b) => Number(b.preferred) - Number(a.preferred))) {
    if (!r.namespaced || !r.verbs.includes('delete') || !r.verbs.includes('list')) continue;
    const key = `${r.storage.group}/${r.storage.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

export const KUBERNETES_FINALIZER = 'kubernetes';

/** A namespace this controller must act on: being deleted and still holding the kubernetes finalizer. */
export function needsFinalizing(ns: Namespace): boolean {
  return !!ns.metadata.deletionTimestamp && (ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER);
}

/** The body for PUT .../namespaces/NAME/finalize: the namespace without the kubernetes finalizer. */
export function finalizedNamespace<T extends Namespace>(ns: T): T {
  return {
    ...ns,
    spec: { ...(ns.spec ?? {}), finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) },
  };
}
