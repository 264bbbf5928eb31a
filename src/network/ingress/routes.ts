// The ingress route table: Ingresses (of our class) + Services + EndpointSlices → which endpoints serve a
// request for a host and a path, and which TLS secret serves a server name. Pure: plain objects in, plain
// data out; the proxy (`proxy.ts`) swaps whole tables, so a request sees one table from start to end.
//
// Semantics (networking.k8s.io/v1 Ingress, as the API documents them):
// - host: exact (case-insensitive, port stripped), or a wildcard `*.foo.com` matching exactly one more DNS
//   label (`bar.foo.com`, not `foo.com` nor `baz.bar.foo.com`); a rule without host matches every host.
//   Exact hosts are tried first, then wildcards (longest suffix first), then the host-less rules.
// - path: Exact compares the whole path (case-sensitive); Prefix matches element-wise on `/`-separated
//   elements (`/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`; a trailing `/` is ignored);
//   ImplementationSpecific is treated as Prefix. The longest matching path wins; Exact beats Prefix on ties.
// - several Ingresses merge; for the same host, path and type the oldest Ingress wins (creationTimestamp,
//   then namespace/name), as does its `spec.defaultBackend` when no rule matches.
import {
  type EndpointSlice,
  type HTTPIngressPath,
  type Ingress,
  type IngressBackend,
  type IngressClass,
  isTuttiIngress,
  type Service,
} from '../../core/index.js';
import { endpointsByPort, portKey, SERVICE_NAME_LABEL } from '../proxy/model/endpoints.js';

export interface RouteEndpoint {
  ip: string;
  port: number;
}

export interface RouteBackend {
  /** `namespace/name` of the Ingress the backend comes from. */
  ingress: string;
  /** `namespace/service:port` (the port as the Ingress names it); undefined for a resource backend. */
  service?: string;
  /** Endpoints to spread requests over (ready ones; serving-and-terminating ones when none is ready). */
  endpoints: RouteEndpoint[];
  /** Why there are no endpoints (for logs and the 503 body). */
  reason?: 'service-not-found' | 'port-not-found' | 'no-endpoints' | 'unsupported-backend';
}

export type MatchType = 'Exact' | 'Prefix';

export interface PathRoute {
  /** The path as written in the Ingress. */
  path: string;
  /** Exact, or Prefix (ImplementationSpecific reads as Prefix). */
  type: MatchType;
  backend: RouteBackend;
}

export interface TlsRoute {
  /** Host pattern (exact or `*.` wildcard); empty: the Ingress's default certificate for any name. */
  host: string;
  /** `namespace/name` of the kubernetes.io/tls Secret. */
  secret: string;
}

export interface RouteTable {
  /** Exact host → its paths, most specific first. */
  hosts: Map<string, PathRoute[]>;
  /** Wildcard suffix (`.foo.com` for `*.foo.com`) → its paths, most specific first. */
  wildcards: Map<string, PathRoute[]>;
  /** Paths of the rules without host. */
  anyHost: PathRoute[];
  defaultBackend?: RouteBackend;
  tls: TlsRoute[];
  /** `namespace/name` of the Ingresses served, oldest first. */
  ingresses: string[];
  /** `namespace/name` of every Service a served Ingress names (existing or not): changes to others do not matter. */
  services: Set<string>;
}

export interface RouteInputs {
  ingresses: readonly Ingress[];
  classes: readonly IngressClass[];
  services: readonly Service[];
  slices: readonly EndpointSlice[];
}

export interface RouteMatch {
  backend: RouteBackend;
  /** The rule's host pattern ('' for a host-less rule or the default backend). */
  host: string;
  /** The matched path; undefined for the default backend. */
  path?: string;
}

const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;

/** A request host as rules compare it: lower case, without port or a trailing dot. */
export function normalizeHost(host: string | undefined): string {
  let h = (host ?? '').trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** Whether a request path matches an Ingress path (upstream's Exact and element-wise Prefix). */
export function pathMatches(type: MatchType, rulePath: string, requestPath: string): boolean {
  if (type === 'Exact') return rulePath === requestPath;
  const prefix = trimSlashes(rulePath);
  if (prefix === '') return true;
  const req = trimSlashes(requestPath);
  return req === prefix || req.startsWith(`${prefix}/`);
}

function trimSlashes(p: string): string {
  let end = p.length;
  while (end > 0 && p[end - 1] === '/') end--;
  return p.slice(0, end);
}

/** Precedence: the longer path first; Exact before Prefix on the same length. */
function byPrecedence(a: PathRoute, b: PathRoute): number {
  const la = a.type === 'Prefix' ? trimSlashes(a.path).length : a.path.length;
  const lb = b.type === 'Prefix' ? trimSlashes(b.path).length : b.path.length;
  if (la !== lb) return lb - la;
  if (a.type !== b.type) return a.type === 'Exact' ? -1 : 1;
  return 0;
}

function oldestFirst(a: Ingress, b: Ingress): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = key(a.metadata.namespace, a.metadata.name);
  const kb = key(b.metadata.namespace, b.metadata.name);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

class BackendResolver {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice[]>();

  /** Indexes only the Services in `wanted` and their slices (the cluster may have many more). */
  constructor(services: readonly Service[], slices: readonly EndpointSlice[], wanted: ReadonlySet<string>) {
    for (const s of services) {
      const k = key(s.metadata.namespace, s.metadata.name);
      if (wanted.has(k)) this.services.set(k, s);
    }
    for (const sl of slices) {
      const svc = sl.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      const k = key(sl.metadata.namespace, svc);
      if (!wanted.has(k)) continue;
      const list = this.slices.get(k);
      if (list) list.push(sl);
      else this.slices.set(k, [sl]);
    }
  }

  resolve(ingress: string, namespace: string, b: IngressBackend | undefined): RouteBackend {
    const ref = b?.service;
    if (!ref?.name || !ref.port) return { ingress, endpoints: [], reason: 'unsupported-backend' };
    const portRef = ref.port.name || ref.port.number;
    const id = `${namespace}/${ref.name}:${portRef ?? ''}`;
    const svc = this.services.get(key(namespace, ref.name));
    if (!svc) return { ingress, service: id, endpoints: [], reason: 'service-not-found' };
    const sp = (svc.spec?.ports ?? []).find((p) =>
      ref.port?.name ? p.name === ref.port.name : p.port === ref.port?.number,
    );
    if (!sp || (sp.protocol ?? 'TCP') !== 'TCP') {
      return { ingress, service: id, endpoints: [], reason: 'port-not-found' };
    }
    const eps = endpointsByPort(this.slices.get(key(namespace, ref.name)) ?? [], '').get(portKey(sp.name ?? '', 'tcp'));
    const ready = (eps ?? []).filter((e) => e.ready);
    const chosen = ready.length > 0 ? ready : (eps ?? []).filter((e) => e.serving && e.terminating);
    const endpoints = chosen.map((e) => ({ ip: e.ip, port: e.port }));
    return endpoints.length > 0
      ? { ingress, service: id, endpoints }
      : { ingress, service: id, endpoints, reason: 'no-endpoints' };
  }
}

function pathType(p: HTTPIngressPath): MatchType | undefined {
  switch (p.pathType) {
    case 'Exact':
      return 'Exact';
    case 'Prefix':
    case 'ImplementationSpecific':
      return 'Prefix';
    default:
      return undefined; // required by the API; an unknown type is not served
  }
}

/** Builds the route table of the Ingresses of our class. */
export function buildRouteTable(inputs: RouteInputs): RouteTable {
  const ingresses = inputs.ingresses
    .filter((i) => !i.metadata.deletionTimestamp && isTuttiIngress(i, inputs.classes))
    .sort(oldestFirst);
  const services = new Set<string>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const refs = [
      ing.spec?.defaultBackend,
      ...(ing.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []).map((p) => p.backend),
    ];
    for (const b of refs) if (b?.service?.name) services.add(key(ns, b.service.name));
  }
  const resolver = new BackendResolver(inputs.services, inputs.slices, services);
  const table: RouteTable = { hosts: new Map(), wildcards: new Map(), anyHost: [], tls: [], ingresses: [], services };
  const seen = new Set<string>();
  const tlsSeen = new Set<string>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const id = key(ns, ing.metadata.name);
    table.ingresses.push(id);
    const spec = ing.spec ?? {};
    if (spec.defaultBackend && !table.defaultBackend) {
      table.defaultBackend = resolver.resolve(id, ns, spec.defaultBackend);
    }
    for (const rule of spec.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      for (const p of rule.http?.paths ?? []) {
        const type = pathType(p);
        const path = p.path || '/';
        if (!type || !path.startsWith('/')) continue;
        const k = `${host} ${type} ${type === 'Prefix' ? trimSlashes(path) : path}`;
        if (seen.has(k)) continue; // an older Ingress has it
        seen.add(k);
        const route: PathRoute = { path, type, backend: resolver.resolve(id, ns, p.backend) };
        if (host === '') table.anyHost.push(route);
        else {
          const [map, mk] = host.startsWith('*.') ? [table.wildcards, host.slice(1)] : [table.hosts, host];
          const list = map.get(mk);
          if (list) list.push(route);
          else map.set(mk, [route]);
        }
      }
    }
    for (const t of spec.tls ?? []) {
      if (!t.secretName) continue;
      for (const h of t.hosts?.length ? t.hosts : ['']) {
        const host = h.toLowerCase();
        if (tlsSeen.has(host)) continue;
        tlsSeen.add(host);
        table.tls.push({ host, secret: key(ns, t.secretName) });
      }
    }
  }
  for (const list of [...table.hosts.values(), ...table.wildcards.values(), table.anyHost]) {
    list.sort(byPrecedence); // stable: equal precedence keeps the oldest first
  }
  return table;
}

/** The wildcard suffixes that may match a host, longest first (`a.b.c` → `.b.c`; one label only). */
function wildcardSuffix(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 ? host.slice(dot) : undefined;
}

function firstMatch(routes: readonly PathRoute[] | undefined, path: string): PathRoute | undefined {
  return routes?.find((r) => pathMatches(r.type, r.path, path));
}

/** Where a request goes: the most specific host's longest matching path, else the default backend. */
export function matchRoute(table: RouteTable, rawHost: string | undefined, path: string): RouteMatch | undefined {
  const host = normalizeHost(rawHost);
  const exact = firstMatch(table.hosts.get(host), path);
  if (exact) return { backend: exact.backend, host, path: exact.path };
  const suffix = wildcardSuffix(host);
  if (suffix) {
    const wild = firstMatch(table.wildcards.get(suffix), path);
    if (wild) return { backend: wild.backend, host: `*${suffix}`, path: wild.path };
  }
  const any = firstMatch(table.anyHost, path);
  if (any) return { backend: any.backend, host: '', path: any.path };
  return table.defaultBackend ? { backend: table.defaultBackend, host: '' } : undefined;
}

/** The TLS Secret (`namespace/name`) for a TLS server name: exact host, else wildcard, else a host-less entry. */
export function tlsSecretFor(table: RouteTable, serverName: string | undefined): string | undefined {
  const host = normalizeHost(serverName);
  const suffix = wildcardSuffix(host);
  return (
    table.tls.find((t) => t.host === host) ??
    (suffix ? table.tls.find((t) => t.host === `*${suffix}`) : undefined) ??
    table.tls.find((t) => t.host === '')
  )?.secret;
}
