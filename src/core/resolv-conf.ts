// A pod's resolver configuration from its dnsPolicy and dnsConfig, as the kubelet computes it
// (pkg/kubelet/network/dns/dns.go, with ExpandedDNSConfig, GA since 1.28): the agent puts it into the
// CRI sandbox's DNS config. Pure.
import type { Pod } from './types.js';

/** Upstream validation limits (MaxDNSNameservers, MaxDNSSearchPaths, MaxDNSSearchListChars). */
export const MAX_NAMESERVERS = 3;
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_LIST_CHARS = 2048;
const MAX_SEARCH_PATH_LENGTH = 253;
const DEFAULT_OPTIONS = ['ndots:5'];

export interface ResolverConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PodDnsInputs {
  /** The cluster DNS addresses (the kube-dns Service's ClusterIP); empty when none is configured. */
  clusterDns: string[];
  /** The cluster domain, e.g. cluster.local; '' for none. */
  clusterDomain: string;
  /** The node's resolv.conf text; undefined when the agent was given none (`--resolv-conf=""`). */
  hostResolvConf: string | undefined;
  /** The node's addresses: their families choose the loopback fallback when there is no host resolv.conf. */
  nodeIPs?: string[];
}

export interface PodDnsResult {
  config: ResolverConfig;
  /** Warning events upstream records (reason DNSConfigForming / MissingClusterDNS). */
  warnings: { reason: string; message: string }[];
}

/** resolv.conf's nameserver lines accumulate; the last search and options lines win (parseResolvConf). */
export function parseResolvConf(text: string): ResolverConfig {
  const out: ResolverConfig = { servers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter((f) => f);
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver' && fields.length >= 2) out.servers.push(fields[1]!);
    if (fields[0] === 'search') out.searches = fields.slice(1).map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    if (fields[0] === 'options') out.options = fields.slice(1);
  }
  return out;
}

function omitDuplicates(list: string[]): string[] {
  return [...new Set(list)];
}

/** Options from dnsConfig override same-named ones; order is first appearance. */
export function mergeOptions(existing: string[], extra: { name?: string; value?: string }[]): string[] {
  const merged = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i !== -1) merged.set(op.slice(0, i), op.slice(i + 1));
    else merged.set(op, '');
  }
  for (const op of extra) merged.set(op.name ?? '', op.value ?? '');
  return [...merged].map(([name, value]) => (value !== '' ? `${name}:${value}` : name));
}

function fitSearches(searches: string[], warnings: PodDnsResult['warnings']): string[] {
  let exceeded = false;
  let list = searches;
  if (list.length > MAX_SEARCH_PATHS) {
    list = list.slice(0, MAX_SEARCH_PATHS);
    exceeded = true;
  }
  // Some resolvers (glibc 2.28) abort on a search path over 255 characters: drop those.
  const kept = list.filter((s) => s.length <= MAX_SEARCH_PATH_LENGTH);
  if (kept.length !== list.length) exceeded = true;
  list = kept;
  const lineLength = list.join(' ').length;
  if (lineLength > MAX_SEARCH_LIST_CHARS) {
    let cut = 0;
    let cutLength = 0;
    for (let i = list.length - 1; i >= 0; i--) {
      cutLength += list[i]!.length + 1;
      cut++;
      if (lineLength - cutLength <= MAX_SEARCH_LIST_CHARS) break;
    }
    list = list.slice(0, list.length - cut);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${list.join(' ')}`,
    });
  }
  return list;
}

function fitServers(servers: string[], warnings: PodDnsResult['warnings']): string[] {
  if (servers.length <= MAX_NAMESERVERS) return servers;
  const kept = servers.slice(0, MAX_NAMESERVERS);
  warnings.push({
    reason: 'DNSConfigForming',
    message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${kept.join(' ')}`,
  });
  return kept;
}

type DnsType = 'cluster' | 'host' | 'none';

function dnsType(pod: Pod): DnsType {
  switch (pod.spec?.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    case 'ClusterFirst':
      // A host-network pod with ClusterFirst uses the node's resolvers.
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
    default:
      // The API server rejects other values; the kubelet falls back to ClusterFirst.
      return 'cluster';
  }
}

/** GetPodDNS: the resolver configuration for a pod. */
export function podDnsConfig(pod: Pod, inputs: PodDnsInputs): PodDnsResult {
  const warnings: PodDnsResult['warnings'] = [];
  const host: ResolverConfig =
    inputs.hostResolvConf === undefined
      ? { servers: [], searches: [], options: [] }
      : parseResolvConf(inputs.hostResolvConf);
  let config: ResolverConfig = host;
  let type = dnsType(pod);
  if (type === 'none') config = { servers: [], searches: [], options: [] };
  if (type === 'cluster') {
    if (inputs.clusterDns.length > 0) {
      const ns = pod.metadata.namespace ?? 'default';
      const domain = inputs.clusterDomain;
      const clusterSearch = domain ? [`${ns}.svc.${domain}`, `svc.${domain}`, domain] : [];
      config = {
        servers: [...inputs.clusterDns],
        searches: domain ? omitDuplicates([...clusterSearch, ...host.searches]) : host.searches,
        options: [...DEFAULT_OPTIONS],
      };
    } else {
      const message = `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`;
      warnings.push({
        reason: 'MissingClusterDNS',
        message: `pod: "${pod.metadata.name}_${pod.metadata.namespace}". ${message}`,
      });
      type = 'host';
    }
  }
  if (type === 'host' && inputs.hostResolvConf === undefined) {
    // No resolv.conf for the node: "the nameserver on the local machine", as the bind docs say.
    const servers = (inputs.nodeIPs ?? []).map((ip) => (ip.includes(':') ? '::1' : '127.0.0.1'));
    config = { servers: servers.length > 0 ? servers : ['127.0.0.1'], searches: ['.'], options: config.options };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    config = {
      servers: omitDuplicates([...config.servers, ...(extra.nameservers ?? [])]),
      searches: omitDuplicates([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options ?? []),
    };
  }
  return {
    config: {
      ...config,
      servers: fitServers(config.servers, warnings),
      searches: fitSearches(config.searches, warnings),
    },
    warnings,
  };
}

/** The resolv.conf text for a resolver configuration. */
export function formatResolvConf(config: ResolverConfig): string {
  const lines: string[] = [];
  if (config.searches.length > 0) lines.push(`search ${config.searches.join(' ')}`);
  for (const s of config.servers) lines.push(`nameserver ${s}`);
  if (config.options.length > 0) lines.push(`options ${config.options.join(' ')}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
