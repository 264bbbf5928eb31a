// Query-name grammar of the cluster zone, as CoreDNS's kubernetes plugin parses it (parse.go), and the
// helpers around it: zone matching, reverse names, endpoint hostnames. Names are compared lower-cased
// (the specification makes every comparison case-insensitive).
import { isIP } from 'node:net';

/** The parts of `[endpoint|_port._proto.]service.namespace.(svc|pod).<zone>`. Empty string = absent. */
export interface QueryParts {
  port: string;
  protocol: string;
  endpoint: string;
  service: string;
  namespace: string;
  /** 'svc', 'pod', or '' for the apex, `svc.<zone>` and `pod.<zone>` (NODATA names). */
  podOrSvc: '' | 'svc' | 'pod';
}

/** A name in the cluster zone that has no records and never can (CoreDNS errInvalidRequest). */
export class InvalidQueryName extends Error {}

/** Lower-cased, without the trailing dot. */
export function normalizeName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}

/** True when `name` is `zone` or below it (both normalized). */
export function inZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || name.endsWith(`.${zone}`);
}

/** The labels of `name` left of `zone` (both normalized, `name` in the zone). */
export function labelsBelow(name: string, zone: string): string[] {
  if (name === zone) return [];
  const base = name.slice(0, name.length - zone.length - 1);
  return base.split('.');
}

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}

/** Parses a normalized name below the cluster zone; throws InvalidQueryName for names that cannot exist. */
export function parseQueryName(name: string, zone: string): QueryParts {
  const r: QueryParts = { port: '', protocol: '', endpoint: '', service: '', namespace: '', podOrSvc: '' };
  const segs = labelsBelow(name, zone);
  if (segs.length === 0) return r;
  if (segs.length === 1 && (segs[0] === 'svc' || segs[0] === 'pod')) return r;
  let last = segs.length - 1;
  const kind = segs[last]!;
  if (kind !== 'svc' && kind !== 'pod') throw new InvalidQueryName(name);
  r.podOrSvc = kind;
  if (--last < 0) return r;
  r.namespace = segs[last]!;
  if (--last < 0) return r;
  r.service = segs[last]!;
  if (--last < 0) return r;
  if (last === 0) {
    r.endpoint = segs[0]!;
  } else if (last === 1) {
    // Two labels left: port and protocol (the multicluster endpoint.clusterid form is not served).
    r.protocol = stripUnderscore(segs[1]!);
    r.port = stripUnderscore(segs[0]!);
  } else {
    throw new InvalidQueryName(name);
  }
  return r;
}

/** An IPv6 address in its canonical (RFC 5952) text form; IPv4 and non-addresses unchanged. */
export function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const host = new URL(`http://[${ip}]/`).hostname;
  return host.slice(1, -1);
}

/**
 * The address a reverse name stands for (`4.3.2.1.in-addr.arpa` → 1.2.3.4, nibble form for ip6.arpa),
 * or '' when the name is not a complete reverse name (dnsutil.ExtractAddressFromReverse).
 */
export function addressFromReverse(name: string): string {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.').reverse();
    const ip = parts.join('.');
    return isIP(ip) === 4 ? ip : '';
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return '';
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(nibbles.slice(i, i + 4).join(''));
    return canonicalIp(groups.join(':'));
  }
  return '';
}

/** `1.2.3.4` → `4.3.2.1.in-addr.arpa`; IPv6 in nibble form under ip6.arpa. */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const groups = expandIpv6(ip);
  return `${groups.join('').split('').reverse().join('.')}.ip6.arpa`;
}

function expandIpv6(ip: string): string[] {
  const [head, tail] = canonicalIp(ip).split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0'));
}

/**
 * The label an endpoint answers to below its service: its hostname, else its address with dashes
 * (kubernetes.go endpointHostname, endpoint_pod_names off).
 */
export function endpointHostname(ip: string, hostname: string | undefined): string {
  if (hostname) return hostname;
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  if (ip.includes(':')) {
    const h = ip.replaceAll(':', '-');
    return h.endsWith('-') ? `${h}0` : h;
  }
  return '';
}

/** The address a pod-record label names: `1-2-3-4` → 1.2.3.4, dashes for colons in IPv6; '' if none. */
export function podLabelAddress(label: string): string {
  const dashes = label.split('-').length - 1;
  const ip = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIP(ip) ? canonicalIp(ip) : '';
}
