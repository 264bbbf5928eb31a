// Expanders choose which node group grows when several could host the pending pods (upstream
// expander/): least-waste (the least idle cpu + memory on the new nodes, the default), priority (the
// group's declared priority, highest wins) and random. Each narrows the options; ties go to random.

import { podRequests } from '../../core/quantity/index.js';
import type { Pod } from '../../core/types.js';
import type { NodeGroup, NodeTemplate } from '../node-groups.js';
import { resourceListAmounts } from '../../core/quantity/index.js';

export const EXPANDERS = ['least-waste', 'random', 'priority'] as const;
export type ExpanderName = (typeof EXPANDERS)[number];

/** One way to scale up: add nodeCount nodes of group, which would host pods. */
export interface ExpansionOption {
  group: NodeGroup;
  template: NodeTemplate;
  nodeCount: number;
  pods: Pod[];
}

export type Expander = (options: readonly ExpansionOption[]) => ExpansionOption | undefined;
type Strategy = (options: readonly ExpansionOption[]) => ExpansionOption[];

/** Upstream leastwaste: wasted = (available - requested) / available, cpu and memory summed. */
export function wastedScore(o: ExpansionOption): number {
  let cpu = 0;
  let mem = 0;
  for (const p of o.pods) {
    const r = podRequests(p);
    cpu += r['cpu'] ?? 0;
    mem += r['memory'] ?? 0;
  }
  const node = resourceListAmounts(o.template.capacity);
  const availCpu = (node['cpu'] ?? 0) * o.nodeCount;
  const availMem = (node['memory'] ?? 0) * o.nodeCount;
  const waste = (avail: number, used: number) => (avail > 0 ? (avail - used) / avail : 0);
  return waste(availCpu, cpu) + waste(availMem, mem);
}

const leastWaste: Strategy = (options) => {
  let best: ExpansionOption[] = [];
  let bestScore = Number.POSITIVE_INFINITY;
  for (const o of options) {
    const s = wastedScore(o);
    // Scores from float division: treat near-equal as a tie, as equal options should be.
    if (Math.abs(s - bestScore) < 1e-9) best.push(o);
    else if (s < bestScore) {
      best = [o];
      bestScore = s;
    }
  }
  return best;
};

const highestPriority: Strategy = (options) => {
  const top = Math.max(...options.map((o) => o.group.priority));
  return options.filter((o) => o.group.priority === top);
};

export function newExpander(name: ExpanderName, random: () => number = Math.random): Expander {
  const narrow: Strategy = name === 'least-waste' ? leastWaste : name === 'priority' ? highestPriority : (o) => [...o];
  return (options) => {
    if (options.length === 0) return undefined;
    const left = narrow(options);
    return left[Math.floor(random() * left.length)] ?? left[0];
  };
}
