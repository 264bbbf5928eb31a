// Legacy discovery documents (APIVersions, APIGroupList, APIGroup, APIResourceList) as kubectl 1.32 reads them.
import { createHash } from 'node:crypto';
import type { ResourceRegistry, ServedResource } from './resources.js';

/** Subresources that are served, with their discovery kind and verbs. */
const SUBRESOURCES: Record<string, { verbs: string[]; kind?: string; group?: string; version?: string }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: 'Scale', group: 'autoscaling', version: 'v1' },
  binding: { verbs: ['create'], kind: 'Binding' },
  eviction: { verbs: ['create'], kind: 'Eviction', group: 'policy', version: 'v1' },
  log: { verbs: ['get'] },
  exec: { verbs: ['create', 'get'], kind: 'PodExecOptions' },
  attach: { verbs: ['create', 'get'], kind: 'PodAttachOptions' },
  portforward: { verbs: ['create', 'get'], kind: 'PodPortForwardOptions' },
  finalize: { verbs: ['update'] },
};

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(registry: ResourceRegistry, group: string): unknown {
  const versions = registry.all.filter((r) => r.group === group);
  const ordered = [...new Set([...versions.filter((r) => r.preferred), ...versions].map((r) => r.version))];
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions: ordered.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${group}/${ordered[0]}`, version: ordered[0] },
  };
}

export function apiGroupList(registry: ResourceRegistry): unknown {
  const groups = [...new Set(registry.all.map((r) => r.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(registry, g)) };
}

export function apiGroupDoc(registry: ResourceRegistry, group: string): unknown | undefined {
  if (!registry.all.some((r) => r.group === group)) return undefined;
  return apiGroup(registry, group);
}

/**
 * discovery.StorageVersionHash: the first 8 bytes of the SHA-256 of `group/version/kind` of the storage
 * version, base64. Clients (the garbage collector, storage migration) compare it to see a storage change.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

function resourceEntries(r: ServedResource): unknown[] {
  const main = {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    // Create-only kinds (reviews) have no storage, and no hash.
    ...(r.verbs.includes('get')
      ? { storageVersionHash: storageVersionHash(r.storage.group, r.storage.version, r.kind) }
      : {}),
  };
  const subs = r.subresources
    .filter((s) => SUBRESOURCES[s])
    .map((s) => {
      const d = SUBRESOURCES[s];
      return {
        name: `${r.resource}/${s}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(d.group !== undefined ? { group: d.group, version: d.version } : {}),
        kind: d.kind ?? r.kind,
        verbs: d.verbs,
      };
    });
  return [main, ...subs];
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): unknown | undefined {
  const rs = registry.all.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: rs.flatMap(resourceEntries),
  };
}

export function isServedSubresource(name: string): boolean {
  return name in SUBRESOURCES;
}
