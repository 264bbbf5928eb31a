// Which resources the garbage collector watches, and how an ownerReference maps to a resource.

import { CATALOG, type ResourceInfo } from '../../api/catalog.js';

/** Every preferred-version resource that can be listed, watched and deleted, except Events (too many, never owners). */
export function gcResources(catalog: ResourceInfo[] = CATALOG): ResourceInfo[] {
  return catalog.filter(
    (r) => r.preferred && r.kind !== 'Event' && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)),
  );
}

/** The served resource for an ownerReference's apiVersion/kind (any version of the group as a fallback). */
export function resourceForRef(
  apiVersion: string,
  kind: string,
  catalog: ResourceInfo[] = CATALOG,
): ResourceInfo | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return (
    catalog.find((r) => r.group === group && r.version === version && r.kind === kind) ??
    catalog.find((r) => r.group === group && r.kind === kind && r.preferred)
  );
}
