// Parses a request path into what it addresses, as upstream's RequestInfoFactory does.

export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Path used the deprecated /watch/ prefix. */
  watchPrefix: boolean;
}

export interface OtherRequest {
  kind: 'other';
  path: string;
}

export type RequestInfo = ResourceRequest | OtherRequest;

/** `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments`, `/api/v1/watch/pods` ... */
export function parseRequestPath(pathname: string): RequestInfo {
  const parts = pathname.split('/').filter((p) => p.length > 0);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: 'other', path: pathname };
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  const decoded = rest.map((p) => decodeURIComponent(p));
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... addresses a namespaced resource; /namespaces/{name}[/sub] the namespace itself.
  // /namespaces/{name}/status and /finalize are subresources of the namespace itself.
  if (decoded[0] === 'namespaces' && decoded.length === 3 && (decoded[2] === 'status' || decoded[2] === 'finalize')) {
    return {
      kind: 'resource',
      group,
      version,
      resource: 'namespaces',
      name: decoded[1],
      subresource: decoded[2],
      watchPrefix,
    };
  }
  if (decoded[0] === 'namespaces' && decoded.length >= 3) {
    namespace = decoded[1];
    const [resource, name, subresource, ...extra] = decoded.slice(2);
    if (extra.length > 0) return { kind: 'other', path: pathname };
    return { kind: 'resource', group, version, resource, namespace, name, subresource, watchPrefix };
  }
  const [resource, name, subresource, ...extra] = decoded;
  if (!resource || extra.length > 0) return { kind: 'other', path: pathname };
  return { kind: 'resource', group, version, resource, name, subresource, watchPrefix };
}
