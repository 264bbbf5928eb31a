// The resource behind an HPA's scaleTargetRef (upstream: the RESTMapper's mappings for the group and kind,
// then the first one whose scale subresource answers). The served kinds are the API's catalog; a kind it
// does not serve is upstream's "no matches for kind" error.
import { CATALOG } from '../../api/catalog.js';
import type { ResourceDescriptor } from '../../core/resources.js';

export interface TargetRef {
  apiVersion?: string;
  kind: string;
  name: string;
}

/** schema.ParseGroupVersion: '' is core, 'v1' core/v1, 'apps/v1' apps/v1; anything else is an error. */
export function parseGroupVersion(apiVersion: string | undefined): { group: string; version: string } {
  const gv = apiVersion ?? '';
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const parts = gv.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  throw new Error(`unexpected GroupVersion string: ${gv}`);
}

/**
 * Every served resource of the ref's group and kind that has a scale subresource, the ref's own version
 * first (RESTMappings order: the requested version, then the group's preferred). Throws when there is none.
 */
export function scaleTargetResources(ref: TargetRef): ResourceDescriptor[] {
  const { group, version } = parseGroupVersion(ref.apiVersion);
  const matches = CATALOG.filter((r) => r.group === group && r.kind === ref.kind);
  if (matches.length === 0) {
    throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
  }
  const ordered = [
    ...matches.filter((r) => r.version === version),
    ...matches.filter((r) => r.version !== version && r.preferred),
    ...matches.filter((r) => r.version !== version && !r.preferred),
  ];
  return ordered.map((r) => ({ group: r.group, version: r.version, resource: r.resource, namespaced: r.namespaced }));
}
