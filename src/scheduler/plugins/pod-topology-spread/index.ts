// PodTopologySpread: keep matching pods evenly spread over topology domains (zones, hosts...).
// DoNotSchedule constraints filter: count(domain) + self - min(count over domains) must be <= maxSkew.
// ScheduleAnyway constraints score: fewer matching pods in the node's domains scores higher.
// Only nodes that pass the pod's nodeSelector/required affinity (nodeAffinityPolicy Honor) and carry
// every constraint's topology key are counted as domains, as upstream.

import type { NodeMatcher } from '../../../core/scheduling/node-affinity.js';
import { isTolerated } from '../../../core/scheduling/taints.js';
import { type LabelSelector, type LabelSelectorObject, selectorOrNothing } from '../../../core/selectors/index.js';
import type { TopologySpreadConstraint } from '../../../core/types.js';
import { stateKey } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import {
  type FilterPlugin,
  MAX_NODE_SCORE,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/plugin.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { SKIP, unresolvable, unschedulable } from '../../framework/status.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  selector: LabelSelector;
  /** 1 if the incoming pod matches its own selector. */
  selfMatch: number;
}

interface SpreadCounts {
  constraints: Constraint[];
  /** Per constraint: domain value -> matching pods. */
  counts: Array<Map<string, number>>;
  /** Per constraint: smallest count over domains (0 when fewer than minDomains domains). */
  minCounts: number[];
}

const filterKey = stateKey<SpreadCounts>('PodTopologySpread/filter');
const scoreKey = stateKey<SpreadCounts & { weights: number[]; maxSkews: number[] }>('PodTopologySpread/score');

function compile(pod: PodInfo, c: TopologySpreadConstraint): Constraint {
  let selector: LabelSelectorObject | undefined = c.labelSelector;
  // matchLabelKeys: the pod's own values for these keys join the selector.
  if (selector && c.matchLabelKeys?.length) {
    const extra = c.matchLabelKeys
      .filter((k) => pod.labels[k] !== undefined)
      .map((k) => ({ key: k, operator: 'In' as const, values: [pod.labels[k]!] }));
    selector = { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
  }
  const compiled = selectorOrNothing(selector);
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    selector: compiled,
    selfMatch: compiled.matches(pod.labels) ? 1 : 0,
  };
}

/** Which node filters decide whether a node counts as a domain (any constraint honouring them). */
interface Eligibility {
  affinity: NodeMatcher | undefined;
  taints: boolean;
}

function eligibilityOf(pod: PodInfo, policies: TopologySpreadConstraint[]): Eligibility {
  const honorAffinity = policies.some((c) => (c.nodeAffinityPolicy ?? 'Honor') === 'Honor');
  return {
    affinity: honorAffinity ? pod.requiredNodeMatch : undefined,
    taints: policies.some((c) => c.nodeTaintsPolicy === 'Honor'),
  };
}

// The node checks do not depend on the constraint, so each runs once per node, not once per constraint.
function eligibleNode(pod: PodInfo, node: NodeInfo, e: Eligibility): boolean {
  if (e.affinity && !e.affinity(node.name, node.labels)) return false;
  if (e.taints) {
    const tolerations = pod.pod.spec?.tolerations;
    for (const t of node.node?.spec?.taints ?? []) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !isTolerated(tolerations, t)) return false;
    }
  }
  return true;
}

function countMatching(pod: PodInfo, node: NodeInfo, c: Constraint): number {
  let n = 0;
  for (const p of node.pods) {
    if (p.namespace === pod.namespace && !p.pod.metadata.deletionTimestamp && c.selector.matches(p.labels)) n++;
  }
  return n;
}

function buildCounts(pod: PodInfo, raw: TopologySpreadConstraint[], nodes: readonly NodeInfo[]): SpreadCounts {
  const constraints = raw.map((c) => compile(pod, c));
  const counts = constraints.map(() => new Map<string, number>());
  const eligibility = eligibilityOf(pod, raw);
  for (const node of nodes) {
    const labels = node.labels;
    if (!constraints.every((c) => labels[c.topologyKey] !== undefined)) continue;
    if (!eligibleNode(pod, node, eligibility)) continue;
    constraints.forEach((c, i) => {
      const domain = labels[c.topologyKey]!;
      counts[i]!.set(domain, (counts[i]!.get(domain) ?? 0) + countMatching(pod, node, c));
    });
  }
  const minCounts = constraints.map((c, i) => {
    const m = counts[i]!;
    if (m.size < c.minDomains) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (const v of m.values()) if (v < min) min = v;
    return Number.isFinite(min) ? min : 0;
  });
  return { constraints, counts, minCounts };
}

function constraintsOf(pod: PodInfo, when: TopologySpreadConstraint['whenUnsatisfiable']): TopologySpreadConstraint[] {
  return pod.spreadConstraints.filter((c) => c.whenUnsatisfiable === when);
}

export const podTopologySpread: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'PodTopologySpread',
  preFilter(state, pod, snapshot: Snapshot) {
    const raw = constraintsOf(pod, 'DoNotSchedule');
    if (raw.length === 0) return SKIP;
    state.write(filterKey, buildCounts(pod, raw, snapshot.nodes));
    return null;
  },
  filter(state, _pod, node) {
    const s = state.read(filterKey);
    if (!s) return null;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const domain = node.labels[c.topologyKey];
      if (domain === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const skew = (s.counts[i]!.get(domain) ?? 0) + c.selfMatch - s.minCounts[i]!;
      if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return null;
  },
  preScore(state, pod, _nodes, snapshot) {
    const raw = constraintsOf(pod, 'ScheduleAnyway');
    if (raw.length === 0) return SKIP;
    const counts = buildCounts(pod, raw, snapshot.nodes);
    // Upstream weighs each constraint by log(domains + 2) so keys with many domains do not dominate.
    const weights = counts.counts.map((m) => Math.log(m.size + 2));
    state.write(scoreKey, { ...counts, weights, maxSkews: raw.map((c) => c.maxSkew) });
    return null;
  },
  score(state, _pod, node) {
    const s = state.read(scoreKey);
    if (!s) return 0;
    let total = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const domain = node.labels[s.constraints[i]!.topologyKey];
      if (domain === undefined) return -1; // ignored node: lowest score after normalisation
      total += (s.counts[i]!.get(domain) ?? 0) * s.weights[i]! + (s.maxSkews[i]! - 1);
    }
    return Math.round(total);
  },
  normalizeScore(_state, _pod, scores) {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s < 0) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  },
};
