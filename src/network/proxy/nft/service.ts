// One service port → its Fragment: dispatch elements, endpoint elements, and the few chains it needs.
//
//   service-ips[ClusterIP . proto . port]      → goto <internal target>         (or no-endpoint-services)
//   service-ips[ExternalIP|LB IP . proto . port] → goto external-<base>         (eTP handling, then a target)
//   service-nodeports[proto . NodePort]          → goto nodeport-<base>
//   target without affinity = goto pick-<policy>-<proto>-<N>, shared by every port with N endpoints, which
//   DNATs through @<policy>-endpoints-<proto>[daddr . dport . random mod N]; with ClientIP affinity =
//   goto service-<base> / local-<base>, upstream's per-endpoint chains with one affinity set each.
import type { Backend, ServicePortState } from '../model/types.js';
import { MARK_MASQ_CHAIN, REJECT_CHAIN, type RulesetConfig } from './base.js';
import { type ChainDef, type ElementDef, emptyFragment, type Fragment } from './fragment.js';
import {
  endpointBase,
  endpointsMap,
  nodePortEndpointsMap,
  type Policy,
  pickChain,
  pickNodePortChain,
  servicePortBase,
} from './names.js';

type Entry = { kind: 'address'; ip: string } | { kind: 'nodeport' };

export function servicePortFragment(sp: ServicePortState, cfg: RulesetConfig): Fragment {
  const f = emptyFragment();
  const base = servicePortBase(sp.id);
  const proto = sp.protocol;
  const comment = JSON.stringify(sp.key);
  const noEndpointsVerdict = (has: boolean) => (has ? undefined : sp.hasEndpoints ? 'drop' : `goto ${REJECT_CHAIN}`);
  const chains = new Map<string, ChainDef>();
  const addChain = (c: ChainDef) => {
    if (!chains.has(c.name)) chains.set(c.name, c);
  };
  const el = (e: ElementDef) => f.elements.push(e);

  const endpointsOf = (policy: Policy): Backend[] => (policy === 'local' ? sp.localEndpoints : sp.clusterEndpoints);

  // Affinity: upstream's per-endpoint chains remember each client in a timed set per endpoint.
  const affinityChain = (policy: Policy): string => {
    const name = `${policy === 'local' ? 'local' : 'service'}-${base}`;
    if (chains.has(name)) return name;
    const eps = endpointsOf(policy);
    const rules: string[] = [];
    const picks: string[] = [];
    eps.forEach((ep, i) => {
      const epBase = endpointBase(sp.id, ep);
      const chain = `endpoint-${epBase}`;
      // The timeout is part of the set's name: changing it makes a new set instead of a conflicting one.
      const set = `affinity-${epBase}-${sp.affinityTimeoutSeconds}`;
      if (!f.sets.some((s) => s.name === set)) {
        f.sets.push({
          name: set,
          kind: 'set',
          spec: `type ipv4_addr ; flags dynamic,timeout ; timeout ${sp.affinityTimeoutSeconds}s ;`,
          dynamic: true,
        });
      }
      addChain({
        name: chain,
        rules: [`update @${set} { ip saddr }`, `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`],
      });
      rules.push(`ip saddr @${set} goto ${chain}`);
      picks.push(`${i} : goto ${chain}`);
    });
    rules.push(`numgen random mod ${eps.length} vmap { ${picks.join(', ')} }`);
    addChain({ name, rules });
    return name;
  };

  /** The verdict that sends traffic arriving by `entry` to one of the policy's endpoints. */
  const target = (policy: Policy, entry: Entry): string => {
    if (sp.affinityTimeoutSeconds !== undefined) return `goto ${affinityChain(policy)}`;
    const eps = endpointsOf(policy);
    const n = eps.length;
    if (entry.kind === 'address') {
      const chain = pickChain(policy, proto, n);
      addChain({
        name: chain,
        rules: [
          `meta l4proto ${proto} dnat ip to ip daddr . ${proto} dport . numgen random mod ${n} map @${endpointsMap(policy, proto)}`,
        ],
      });
      eps.forEach((ep, i) => {
        el({
          set: endpointsMap(policy, proto),
          key: `${entry.ip} . ${sp.port} . ${i}`,
          value: `${ep.ip} . ${ep.port}`,
        });
      });
      return `goto ${chain}`;
    }
    const chain = pickNodePortChain(policy, proto, n);
    addChain({
      name: chain,
      rules: [
        `meta l4proto ${proto} dnat ip to ${proto} dport . numgen random mod ${n} map @${nodePortEndpointsMap(policy, proto)}`,
      ],
    });
    eps.forEach((ep, i) => {
      el({ set: nodePortEndpointsMap(policy, proto), key: `${sp.nodePort} . ${i}`, value: `${ep.ip} . ${ep.port}` });
    });
    return `goto ${chain}`;
  };

  /** external-/nodeport- chain: upstream's external-traffic chain for one way in. */
  const externalChain = (name: string, entries: Entry[]): void => {
    const rules: string[] = [];
    // Every way in reaches the same endpoints; the elements are per address, the verdict text is shared.
    const clusterTarget = entries.map((e) => target('cluster', e))[0];
    if (!sp.externalPolicyLocal) {
      // Cluster policy may cross nodes: masquerade so replies come back through this node.
      rules.push(`jump ${MARK_MASQ_CHAIN}`, clusterTarget);
    } else {
      // Pods reaching an external address behave as if they went out and came back: any endpoint.
      if (cfg.clusterCidr) rules.push(`ip saddr ${cfg.clusterCidr} ${clusterTarget}`);
      // The node itself: its source address is local, so it must be masqueraded to get replies.
      rules.push(`fib saddr type local jump ${MARK_MASQ_CHAIN}`, `fib saddr type local ${clusterTarget}`);
      if (sp.localEndpoints.length > 0) {
        const localTarget = entries.map((e) => target('local', e))[0];
        rules.push(localTarget);
      }
    }
    addChain({ name, rules });
  };

  // ClusterIP.
  el({ set: 'cluster-ips', key: sp.clusterIP });
  const internalPolicy: Policy = sp.internalPolicyLocal ? 'local' : 'cluster';
  const vip = `${sp.clusterIP} . ${proto} . ${sp.port}`;
  if (sp.hasInternalEndpoints) {
    el({ set: 'service-ips', key: vip, value: target(internalPolicy, { kind: 'address', ip: sp.clusterIP }), comment });
  } else {
    el({ set: 'no-endpoint-services', key: vip, value: noEndpointsVerdict(false), comment });
  }

  // ExternalIPs and LoadBalancer ingress IPs.
  const external = [...new Set([...sp.externalIPs, ...sp.loadBalancerIPs])];
  if (external.length > 0) {
    if (sp.hasEndpoints) {
      const name = `external-${base}`;
      externalChain(
        name,
        external.map((ip) => ({ kind: 'address', ip })),
      );
      for (const ip of external)
        el({ set: 'service-ips', key: `${ip} . ${proto} . ${sp.port}`, value: `goto ${name}`, comment });
    }
    const v = noEndpointsVerdict(sp.hasExternalEndpoints);
    if (v)
      for (const ip of external)
        el({ set: 'no-endpoint-services', key: `${ip} . ${proto} . ${sp.port}`, value: v, comment });
  }

  // NodePort.
  if (sp.nodePort !== 0) {
    if (sp.hasEndpoints) {
      const name = `nodeport-${base}`;
      externalChain(name, [{ kind: 'nodeport' }]);
      el({ set: 'service-nodeports', key: `${proto} . ${sp.nodePort}`, value: `goto ${name}`, comment });
    }
    const v = noEndpointsVerdict(sp.hasExternalEndpoints);
    if (v) el({ set: 'no-endpoint-nodeports', key: `${proto} . ${sp.nodePort}`, value: v, comment });
  }

  // Hairpin: an endpoint reaching itself through any of the service's addresses is masqueraded.
  for (const ip of sp.hairpinIPs) el({ set: 'hairpin', key: `${ip} . ${ip}` });

  f.chains = [...chains.values()];
  return f;
}
