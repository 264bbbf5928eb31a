// Answers for the cluster zone from the record store, with the semantics of CoreDNS's kubernetes plugin
// (handler.go, kubernetes.go, plugin/backend_lookup.go): which names exist (NXDOMAIN) and which exist
// without records of the asked type (NODATA: NOERROR, empty answer, SOA in authority). Pure.
import { isIP } from 'node:net';
import type { Answer } from 'dns-packet';
import {
  addressFromReverse,
  endpointHostname,
  InvalidQueryName,
  inZone,
  labelsBelow,
  normalizeName,
  parseQueryName,
  podLabelAddress,
  type QueryParts,
} from './names.js';
import type { PortView, RecordStore, ServiceView } from './store.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
export type PodMode = 'insecure' | 'verified' | 'disabled';

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /**
   * An ExternalName whose target lies outside the zone: the server resolves `target` upstream and answers
   * `cname` followed by what it found; if that lookup fails, neither (and NODATA if nothing else is left).
   */
  chase?: { cname: Answer; target: string; type: 'A' | 'AAAA' };
}

export interface ClusterZoneOptions {
  /** The cluster domain. Default cluster.local. */
  zone?: string;
  /** TTL of every cluster answer, seconds. Default 5 (CoreDNS defaultTTL). */
  ttl?: number;
  /** Pod records `1-2-3-4.<ns>.pod.<zone>`: default 'insecure' (as the default Corefile). */
  pods?: PodMode;
  /** Addresses published for `ns.dns.<zone>` (the zone's NS). */
  nameservers?: string[];
}

/** The DNS schema version CoreDNS publishes in `dns-version.<zone>` TXT. */
export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;
const MAX_CNAME_CHAIN = 10;
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];

/** One candidate record, as CoreDNS's msg.Service: an address or a name, a port, the owner it stands for. */
interface Entry {
  host: string;
  port: number;
  /** The name an SRV record points at (and its additional address record's owner). */
  target: string;
}

// The name does not exist (CoreDNS errNoItems / errNsNotExposed / errInvalidRequest).
const NAME_ERROR = undefined;
type Entries = Entry[] | typeof NAME_ERROR;

const NO_PORT: PortView[] = [{ name: '', port: -1, protocol: '' }];

function portMatches(r: QueryParts, p: PortView): boolean {
  return (
    (r.port === '' || r.port === p.name.toLowerCase()) && (r.protocol === '' || r.protocol === p.protocol.toLowerCase())
  );
}

export class ClusterZone {
  readonly zone: string;
  readonly ttl: number;
  private readonly podMode: PodMode;
  private readonly nameservers: string[];
  /** Until the informers have listed once, a name error is SERVFAIL, not NXDOMAIN (CoreDNS HasSynced). */
  synced = false;

  constructor(
    private readonly store: RecordStore,
    opts: ClusterZoneOptions = {},
  ) {
    this.zone = normalizeName(opts.zone ?? 'cluster.local');
    this.ttl = opts.ttl ?? 5;
    this.podMode = opts.pods ?? 'insecure';
    this.nameservers = opts.nameservers ?? [];
  }

  /** True when the name belongs to the cluster zone (answered here, never forwarded). */
  owns(name: string): boolean {
    return inZone(normalizeName(name), this.zone);
  }

  /** The answer for a question, or undefined when the name is not ours (forward it). */
  lookup(qname: string, qtype: string): ZoneAnswer | undefined {
    const name = normalizeName(qname);
    if (inZone(name, this.zone)) return this.lookupInZone(qname, name, qtype);
    if (qtype === 'PTR' && REVERSE_ZONES.some((z) => inZone(name, z))) return this.lookupReverse(qname, name);
    return undefined;
  }

  soa(): Answer {
    const ttl = Math.min(this.ttl, 300);
    return {
      type: 'SOA',
      name: this.zone,
      ttl,
      class: 'IN',
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.store.modified >>> 0,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  // Reverse zones fall through to the upstream resolvers unless a ClusterIP or endpoint has the address
  // (the default Corefile: `fallthrough in-addr.arpa ip6.arpa`).
  private lookupReverse(qname: string, name: string): ZoneAnswer | undefined {
    const ip = addressFromReverse(name);
    if (!ip) return undefined;
    const targets: string[] = [];
    for (const svc of this.store.servicesWithClusterIp(ip)) {
      targets.push(`${svc.name}.${svc.namespace}.svc.${this.zone}`);
      break; // the first Service with the address, as CoreDNS
    }
    if (targets.length === 0) {
      for (const slice of this.store.slicesWithIp(ip)) {
        const svc = this.store.service(slice.namespace, slice.service);
        for (const ep of slice.endpoints) {
          if (ep.ip !== ip || !this.endpointServes(svc, ep.ready)) continue;
          const host = endpointHostname(ep.ip, this.hostnameOf(svc, slice.namespace, ep));
          targets.push(`${host}.${slice.service}.${slice.namespace}.svc.${this.zone}`);
        }
      }
    }
    const unique = [...new Set(targets)];
    if (unique.length === 0) return undefined;
    return this.success(unique.map((t) => ({ type: 'PTR', name: qname, ttl: this.ttl, class: 'IN', data: t })));
  }

  private lookupInZone(qname: string, name: string, qtype: string): ZoneAnswer {
    let records: Answer[] | undefined;
    let extra: Answer[] = [];
    let chase: ZoneAnswer['chase'];
    switch (qtype) {
      case 'A':
      case 'AAAA': {
        const r = this.address(qname, name, qtype, []);
        records = r?.records;
        chase = r?.chase;
        break;
      }
      case 'TXT':
        records = this.txt(qname, name);
        break;
      case 'CNAME': {
        const entries = this.services(name, qtype);
        if (entries === NAME_ERROR) break;
        const first = entries[0];
        records = first && isIP(first.host) === 0 ? [this.cname(qname, first.host)] : [];
        break;
      }
      case 'SRV': {
        const r = this.srv(qname, name);
        records = r?.records;
        extra = r?.extra ?? [];
        break;
      }
      case 'SOA':
        records = name === this.zone ? [this.soa()] : [];
        break;
      case 'AXFR':
      case 'IXFR':
        return { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };
      case 'PTR':
      case 'MX':
        // No PTR names below the forward zone, no mail: either the name exists (NODATA) or not.
        records = this.services(name, qtype) === NAME_ERROR ? undefined : [];
        break;
      case 'NS':
        if (name === this.zone) {
          records = [{ type: 'NS', name: qname, ttl: this.ttl, class: 'IN', data: `ns.dns.${this.zone}` }];
          extra = this.nameserverEntries('A')
            .concat(this.nameserverEntries('AAAA'))
            .map((e) => this.addressRecord(`ns.dns.${this.zone}`, e.host));
          break;
        }
        records = this.address(qname, name, 'A', []) === undefined ? undefined : [];
        break;
      default:
        // A fake A lookup tells NODATA from NXDOMAIN for every other type.
        records = this.address(qname, name, 'A', []) === undefined ? undefined : [];
    }
    if (records === undefined) return this.failure(this.synced ? 'NXDOMAIN' : 'SERVFAIL');
    if (records.length === 0 && !chase) return this.failure('NOERROR');
    const answer = this.success(records, extra);
    if (chase) answer.chase = chase;
    return answer;
  }

  private success(answers: Answer[], additionals: Answer[] = []): ZoneAnswer {
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  private failure(rcode: Rcode): ZoneAnswer {
    return { rcode, answers: [], authorities: [this.soa()], additionals: [] };
  }

  private cname(owner: string, target: string): Answer {
    return { type: 'CNAME', name: owner, ttl: this.ttl, class: 'IN', data: normalizeName(target) };
  }

  private addressRecord(owner: string, ip: string): Answer {
    return { type: isIP(ip) === 6 ? 'AAAA' : 'A', name: owner, ttl: this.ttl, class: 'IN', data: ip };
  }

  private txt(qname: string, name: string): Answer[] {
    const labels = labelsBelow(name, this.zone);
    if (labels.length !== 1 || labels[0] !== 'dns-version') return [];
    return [{ type: 'TXT', name: qname, ttl: DNS_VERSION_TTL, class: 'IN', data: DNS_SCHEMA_VERSION }];
  }

  /** A or AAAA records (following ExternalName CNAMEs), or undefined for a name error. */
  private address(
    qname: string,
    name: string,
    type: 'A' | 'AAAA',
    previous: Answer[],
  ): { records: Answer[]; chase?: ZoneAnswer['chase'] } | undefined {
    // The apex has no addresses (CoreDNS's apex.dns entry never exists here).
    const entries = name === this.zone ? [] : this.services(name, type);
    if (entries === NAME_ERROR) return undefined;
    const family = type === 'A' ? 4 : 6;
    const records: Answer[] = [];
    const seen = new Set<string>();
    let chase: ZoneAnswer['chase'];
    for (const e of entries) {
      const kind = isIP(e.host);
      if (kind === family) {
        if (!seen.has(e.host)) {
          seen.add(e.host);
          records.push({ type, name: qname, ttl: this.ttl, class: 'IN', data: e.host });
        }
        continue;
      }
      if (kind !== 0) continue;
      const target = normalizeName(e.host);
      if (inZone(target, name)) continue; // x CNAME x (or below x) is a loop
      if (previous.length > MAX_CNAME_CHAIN) continue;
      const cname = this.cname(qname, target);
      if (previous.some((p) => p.type === 'CNAME' && p.name.toLowerCase() === qname.toLowerCase() && p.data === target))
        continue;
      if (inZone(target, this.zone)) {
        const next = this.address(target, target, type, [...previous, cname]);
        if (next && next.records.length > 0) records.push(cname, ...next.records);
        if (next?.chase) chase = next.chase;
        continue;
      }
      chase = { cname, target, type };
    }
    return chase ? { records, chase } : { records };
  }

  private srv(qname: string, name: string): { records: Answer[]; extra: Answer[] } | undefined {
    const entries = this.services(name, 'SRV');
    if (entries === NAME_ERROR) return undefined;
    // Every record has priority 0; weights share 100 among them (backend_lookup.go SRV).
    const weight = Math.max(1, Math.floor(100 / Math.max(1, entries.length)));
    const records: Answer[] = [];
    const extra: Answer[] = [];
    const seenSrv = new Set<string>();
    const seenAddr = new Set<string>();
    for (const e of entries) {
      if (e.port === -1 || isIP(e.host) === 0) continue;
      const srvKey = `${e.target}|${e.port}`;
      if (!seenSrv.has(srvKey)) {
        seenSrv.add(srvKey);
        records.push({
          type: 'SRV',
          name: qname,
          ttl: this.ttl,
          class: 'IN',
          data: { priority: 0, weight, port: e.port, target: e.target },
        });
      }
      const addrKey = `${e.target}|${e.host}`;
      if (!seenAddr.has(addrKey)) {
        seenAddr.add(addrKey);
        extra.push(this.addressRecord(e.target, e.host));
      }
    }
    return { records, extra };
  }

  private nameserverEntries(type: 'A' | 'AAAA'): Entry[] {
    const family = type === 'A' ? 4 : 6;
    const target = `ns.dns.${this.zone}`;
    return this.nameservers.filter((ip) => isIP(ip) === family).map((host) => ({ host, port: -1, target }));
  }

  /** CoreDNS Kubernetes.Services: the candidate records of a name, for a question type. */
  private services(name: string, qtype: string): Entries {
    if (name === `ns.dns.${this.zone}`) {
      return qtype === 'A' || qtype === 'AAAA' ? this.nameserverEntries(qtype) : [];
    }
    const entries = this.records(name);
    if (entries === NAME_ERROR || qtype !== 'SRV') return entries;
    // ExternalName services have no SRV records.
    return entries.filter((e) => isIP(e.host) !== 0);
  }

  /** CoreDNS Kubernetes.Records. */
  private records(name: string): Entries {
    let r: QueryParts;
    try {
      r = parseQueryName(name, this.zone);
    } catch (err) {
      if (err instanceof InvalidQueryName) return NAME_ERROR;
      throw err;
    }
    if (r.podOrSvc === '') return [];
    if (!this.store.namespaceExists(r.namespace)) return NAME_ERROR;
    return r.podOrSvc === 'pod' ? this.podRecords(r) : this.serviceRecords(r);
  }

  private podRecords(r: QueryParts): Entries {
    if (this.podMode === 'disabled') return NAME_ERROR;
    if (r.service === '') return [];
    const ip = podLabelAddress(r.service);
    if (!ip) return NAME_ERROR;
    const target = `${r.service}.${r.namespace}.pod.${this.zone}`;
    if (this.podMode === 'insecure') return [{ host: ip, port: -1, target }];
    const found = this.store.podsWithIp(ip).filter((p) => p.namespace === r.namespace);
    return found.length > 0 ? found.map(() => ({ host: ip, port: -1, target })) : NAME_ERROR;
  }

  private endpointServes(svc: ServiceView | undefined, ready: boolean | undefined): boolean {
    return ready !== false || svc?.publishNotReadyAddresses === true;
  }

  /**
   * The endpoint's hostname: the slice's, else the pod's `hostname` when its `subdomain` names the
   * service (what the upstream EndpointSlice controller writes into the slice).
   */
  private hostnameOf(
    svc: ServiceView | undefined,
    namespace: string,
    ep: { hostname?: string; podName?: string },
  ): string | undefined {
    if (ep.hostname) return ep.hostname;
    if (!svc || !ep.podName) return undefined;
    const pod = this.store.pod(namespace, ep.podName);
    return pod?.hostname && pod.subdomain === svc.name ? pod.hostname : undefined;
  }

  private serviceRecords(r: QueryParts): Entries {
    if (r.service === '') return [];
    const svc = this.store.service(r.namespace, r.service);
    if (!svc) return NAME_ERROR;
    const base = `${svc.name}.${svc.namespace}.svc.${this.zone}`;
    if (svc.externalName !== undefined) {
      // No endpoints and no port names below an ExternalName; an address is not a CNAME target.
      if (r.endpoint || r.port || r.protocol) return NAME_ERROR;
      if (!svc.externalName || isIP(svc.externalName) !== 0) return NAME_ERROR;
      return [{ host: svc.externalName, port: -1, target: base }];
    }
    const out: Entry[] = [];
    if (svc.headless || r.endpoint) {
      for (const slice of this.store.slicesOf(svc)) {
        const ports = slice.ports.length > 0 ? slice.ports : NO_PORT;
        for (const ep of slice.endpoints) {
          if (!this.endpointServes(svc, ep.ready)) continue;
          const host = endpointHostname(ep.ip, this.hostnameOf(svc, slice.namespace, ep));
          if (r.endpoint && r.endpoint !== host.toLowerCase()) continue;
          for (const p of ports) {
            if (!portMatches(r, p)) continue;
            out.push({ host: ep.ip, port: p.port, target: `${host}.${base}` });
          }
        }
      }
      return out.length > 0 ? out : NAME_ERROR;
    }
    let matched = false;
    for (const p of svc.ports.length > 0 ? svc.ports : NO_PORT) {
      if (!portMatches(r, p)) continue;
      matched = true;
      for (const ip of svc.clusterIPs) out.push({ host: ip, port: p.port, target: base });
    }
    return matched ? out : NAME_ERROR;
  }
}
