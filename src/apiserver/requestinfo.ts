// Parses a request path into what it addresses, as upstream's RequestInfoFactory does.
import { errors } from '../core/status.js';

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

// Upstream's path.IsValidPathSegmentName: a name or namespace that would change what a storage key or URL
// addresses (`..` folding into the parent, `/` crossing into another namespace) is a 400.
const NAME_MAY_NOT_BE = ['.', '..'];
const NAME_MAY_NOT_CONTAIN = ['/', '%'];

export function pathSegmentNameErrors(name: string): string[] {
  if (NAME_MAY_NOT_BE.includes(name)) return [`may not be '${name}'`];
  return NAME_MAY_NOT_CONTAIN.filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

function checkSegmentName(what: 'Name' | 'Namespace', value: string | undefined): void {
  if (value === undefined) return;
  const msgs = pathSegmentNameErrors(value);
  if (msgs.length > 0)
    throw errors.badRequest(`${what} parameter invalid: ${JSON.stringify(value)}: ${msgs.join(';')}`);
}

/** Percent-decoding of one path segment; an escape that is not UTF-8 is a 400, as Go's URL parser refuses it. */
export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.badRequest(`invalid URL escape in path segment ${JSON.stringify(segment)}`);
  }
}

/** The path of a request target (`/p?q` or an absolute URL), raw: nothing decoded or folded. */
export function splitTarget(target: string): { rawPath: string; rawQuery: string } {
  let t = target;
  if (!t.startsWith('/')) {
    // Absolute form (`GET https://host/path`): keep the path part only.
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
    t = m ? t.slice(m[0].length) || '/' : `/${t}`;
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  return q >= 0 ? { rawPath: t.slice(0, q), rawQuery: t.slice(q + 1) } : { rawPath: t, rawQuery: '' };
}

/**
 * `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments`, `/api/v1/watch/pods` ...
 * Works on the raw path, segment by segment, as upstream's RequestInfoFactory does: segments are decoded
 * one at a time (an encoded `/` stays inside its segment), dot segments never fold into the parent, and an
 * empty segment where a resource, name or subresource belongs is a 404. Throws the StatusError upstream
 * answers (400 for an invalid name, namespace or escape; 404 for an empty segment).
 */
export function parseRequestPath(rawPath: string): RequestInfo {
  const parts = rawPath.split('/').slice(1);
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
    return { kind: 'other', path: rawPath };
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (group === '' && parts[0] === 'apis') throw errors.notFoundPath();
  if (version === '' || rest.length === 0 || rest.some((p) => p === '')) throw errors.notFoundPath();
  const decoded = rest.map(decodeSegment);
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... addresses a namespaced resource; /namespaces/{name}[/sub] the namespace itself.
  // /namespaces/{name}/status and /finalize are subresources of the namespace itself.
  if (decoded[0] === 'namespaces' && decoded.length === 3 && (decoded[2] === 'status' || decoded[2] === 'finalize')) {
    checkSegmentName('Name', decoded[1]);
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
    if (extra.length > 0) return { kind: 'other', path: rawPath };
    checkSegmentName('Namespace', namespace);
    checkSegmentName('Name', name);
    return { kind: 'resource', group, version, resource, namespace, name, subresource, watchPrefix };
  }
  const [resource, name, subresource, ...extra] = decoded;
  if (!resource || extra.length > 0) return { kind: 'other', path: rawPath };
  checkSegmentName('Name', name);
  return { kind: 'resource', group, version, resource, name, subresource, watchPrefix };
}
