// Which iptables rules and chains belong to a set of pod sandboxes, from `iptables -t TABLE -S` output. The CNI
// plugins tag every rule they add with a comment naming the sandbox id (`name: "tutti" id: "<id>"`) and put
// per-sandbox rules in chains named `CNI-...`. Pure: killall runs the plan.

export interface IptablesPlan {
  /** Rules to delete by chain and 1-based position, highest position first within a chain. */
  deleteRules: { chain: string; index: number }[];
  /** Chains to flush and delete after those rules are gone. */
  deleteChains: string[];
}

interface Rule {
  chain: string;
  index: number;
  line: string;
  target?: string;
}

function parseRules(listing: string): { chains: Set<string>; rules: Rule[] } {
  const chains = new Set<string>();
  const rules: Rule[] = [];
  const count = new Map<string, number>();
  for (const line of listing.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === '-N' && parts[1]) chains.add(parts[1]);
    if (parts[0] !== '-A' || !parts[1]) continue;
    const chain = parts[1];
    const index = (count.get(chain) ?? 0) + 1;
    count.set(chain, index);
    const j = parts.findIndex((p) => p === '-j' || p === '-g');
    rules.push({ chain, index, line, target: j >= 0 ? parts[j + 1] : undefined });
  }
  return { chains, rules };
}

export function planIptablesCleanup(listing: string, sandboxIds: Iterable<string>): IptablesPlan {
  const ids = [...sandboxIds].filter((id) => id.length >= 12);
  const { chains, rules } = parseRules(listing);
  const ours = (r: Rule) => ids.some((id) => r.line.includes(id));
  const deleteChains = new Set<string>();
  for (const r of rules) {
    if (ours(r) && r.target?.startsWith('CNI-') && chains.has(r.target)) deleteChains.add(r.target);
  }
  // A chain stays when a rule that is not ours still jumps to it (another network shares it).
  for (const r of rules) {
    if (r.target && deleteChains.has(r.target) && !ours(r) && !deleteChains.has(r.chain)) {
      deleteChains.delete(r.target);
    }
  }
  const deleteRules = rules
    .filter((r) => ours(r) && !deleteChains.has(r.chain))
    .sort((a, b) => a.chain.localeCompare(b.chain) || b.index - a.index)
    .map((r) => ({ chain: r.chain, index: r.index }));
  return { deleteRules, deleteChains: [...deleteChains] };
}
