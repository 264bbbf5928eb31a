// The fixed part of the proxy's table, after upstream kube-proxy's nftables mode (KEP-3866): hooks at
// upstream's priorities, one verdict map from (address . protocol . port) and one from (protocol . NodePort)
// into the service chains, "no endpoints" maps checked by filter chains (reject is only valid in
// input/forward/output), a reject for ports a ClusterIP does not serve and for service-CIDR addresses no
// Service owns, and the mark-then-masquerade pair (plus hairpin pairs) in postrouting.
import type { ChainDef, Fragment, SetDef } from './fragment.js';
import { endpointsMap, nodePortEndpointsMap } from './names.js';

export interface RulesetConfig {
  serviceCidr: string;
  /** Pod network; traffic from outside it to a ClusterIP is masqueraded. Without it, none is. */
  clusterCidr?: string;
  /** Bit of the packet mark that asks for masquerading (upstream: 0x4000). */
  masqueradeMark: number;
}

export const DEFAULT_MASQUERADE_MARK = 0x4000;

export const REJECT_CHAIN = 'reject-chain';
export const MARK_MASQ_CHAIN = 'mark-for-masquerade';

const hex = (n: number) => `0x${n.toString(16)}`;

export function baseFragment(cfg: RulesetConfig): Fragment {
  const mark = hex(cfg.masqueradeMark);
  const sets: SetDef[] = [
    { name: 'cluster-ips', kind: 'set', spec: 'type ipv4_addr ; comment "active ClusterIPs" ;' },
    {
      name: 'hairpin',
      kind: 'set',
      spec: 'type ipv4_addr . ipv4_addr ; comment "endpoint . endpoint: a pod reaching itself through a VIP" ;',
    },
    {
      name: 'service-ips',
      kind: 'map',
      spec: 'type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ;',
    },
    {
      name: 'service-nodeports',
      kind: 'map',
      spec: 'type inet_proto . inet_service : verdict ; comment "NodePort traffic" ;',
    },
    {
      name: 'no-endpoint-services',
      kind: 'map',
      spec: 'type ipv4_addr . inet_proto . inet_service : verdict ; comment "drop or reject: services without endpoints" ;',
    },
    {
      name: 'no-endpoint-nodeports',
      kind: 'map',
      spec: 'type inet_proto . inet_service : verdict ; comment "drop or reject: NodePorts without endpoints" ;',
    },
  ];
  // Endpoint choice: maps keyed by the packet's own address and port and a random index, so a
  // change of endpoints is a change of elements, and the kernel never holds one anonymous set per service.
  for (const policy of ['cluster', 'local'] as const) {
    for (const p of ['tcp', 'udp', 'sctp'] as const) {
      sets.push({
        name: endpointsMap(policy, p),
        kind: 'map',
        spec: `typeof ip daddr . ${p} dport . numgen random mod 1 : ip daddr . ${p} dport ; comment "${policy} policy, ${p}: address . port . index to endpoint" ;`,
      });
      sets.push({
        name: nodePortEndpointsMap(policy, p),
        kind: 'map',
        spec: `typeof ${p} dport . numgen random mod 1 : ip daddr . ${p} dport ; comment "${policy} policy, ${p}: NodePort . index to endpoint" ;`,
      });
    }
  }
  const masqueradeFromOutside = cfg.clusterCidr
    ? [`ip daddr @cluster-ips ip saddr != ${cfg.clusterCidr} jump ${MARK_MASQ_CHAIN}`]
    : [];
  const chains: ChainDef[] = [
    // Filter chains run before DNAT (priority dstnat - 10) so they see the service address.
    {
      name: 'filter-input',
      hook: 'type filter hook input priority -110 ; policy accept ;',
      rules: ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'],
    },
    {
      name: 'filter-forward',
      hook: 'type filter hook forward priority -110 ; policy accept ;',
      rules: ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'],
    },
    {
      name: 'filter-output',
      hook: 'type filter hook output priority -110 ; policy accept ;',
      rules: ['ct state new jump service-endpoints-check'],
    },
    {
      name: 'filter-output-post-dnat',
      hook: 'type filter hook output priority -90 ; policy accept ;',
      rules: ['ct state new jump cluster-ips-check'],
    },
    {
      name: 'nat-prerouting',
      hook: 'type nat hook prerouting priority -100 ; policy accept ;',
      rules: ['jump services'],
    },
    { name: 'nat-output', hook: 'type nat hook output priority -100 ; policy accept ;', rules: ['jump services'] },
    {
      name: 'nat-postrouting',
      hook: 'type nat hook postrouting priority 100 ; policy accept ;',
      rules: ['jump masquerading'],
    },
    { name: REJECT_CHAIN, rules: ['reject'] },
    {
      name: 'service-endpoints-check',
      rules: ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'],
    },
    {
      name: 'nodeport-endpoints-check',
      rules: ['ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports'],
    },
    {
      name: 'cluster-ips-check',
      rules: [
        'ip daddr @cluster-ips reject comment "port not served by this ClusterIP"',
        `ip daddr ${cfg.serviceCidr} reject comment "no Service owns this address"`,
      ],
    },
    { name: MARK_MASQ_CHAIN, rules: [`meta mark set meta mark | ${mark}`] },
    {
      name: 'masquerading',
      rules: [
        `ct status dnat ip saddr . ip daddr @hairpin jump ${MARK_MASQ_CHAIN}`,
        `meta mark & ${mark} == 0 return`,
        `meta mark set meta mark ^ ${mark}`,
        'masquerade fully-random',
      ],
    },
    {
      name: 'services',
      rules: [
        ...masqueradeFromOutside,
        'ip daddr . meta l4proto . th dport vmap @service-ips',
        'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
      ],
    },
  ];
  return { chains, sets, elements: [] };
}
