// URL paths for resources, built from a descriptor the same way client-go's REST client does:
// /api/v1 for the core group, /apis/<group>/<version> otherwise, then namespaces/<ns> when namespaced.
import type { ResourceDescriptor } from '../core/resources.js';

export type { ResourceDescriptor };

export interface PathParts {
  /** Omit for cluster-scoped resources, or to address all namespaces of a namespaced one. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function groupVersionPath(r: { group: string; version: string }): string {
  return r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
}

export function resourcePath(r: ResourceDescriptor, parts: PathParts = {}): string {
  let p = groupVersionPath(r);
  if (r.namespaced && parts.namespace) p += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  p += `/${r.resource}`;
  if (parts.name !== undefined) {
    if (parts.name === '') throw new Error(`resourcePath: empty name for ${r.resource}`);
    p += `/${encodeURIComponent(parts.name)}`;
    if (parts.subresource) p += `/${parts.subresource}`;
  } else if (parts.subresource) {
    throw new Error(`resourcePath: subresource ${parts.subresource} needs a name`);
  }
  return p;
}

export type QueryValue = string | number | boolean | undefined;
export type Query = Record<string, QueryValue>;

/** Encodes query parameters, skipping undefined and empty-string values. Returns '' or '?a=b&...'. */
export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The cache key client-go uses: namespace/name, or name for cluster-scoped objects. */
export function objectKey(meta: { namespace?: string; name?: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ''}` : (meta.name ?? '');
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
