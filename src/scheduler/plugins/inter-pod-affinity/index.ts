// InterPodAffinity: required pod affinity / anti-affinity of the incoming pod, the required
// anti-affinity of pods already running, and (as score) preferred terms in both directions.
// PreFilter counts matching pods per topology pair once, so Filter is a few map lookups per node.

import { stateKey } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import {
  MAX_NODE_SCORE,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { type AffinityTerm, type PodInfo, termMatchesPod } from '../../framework/pod-info.js';
import { SKIP, unresolvable, unschedulable } from '../../framework/status.js';

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** Counts keyed by "topologyKey\0value". */
type PairCounts = Map<string, number>;

const pair = (key: string, value: string) => `${key}\0${value}`;

function bump(m: PairCounts, k: string, by: number): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

interface FilterState {
  existingAntiAffinity: PairCounts;
  affinity: PairCounts;
  antiAffinity: PairCounts;
}

const filterKey = stateKey<FilterState>('InterPodAffinity/filter');
const scoreKey = stateKey<PairCounts>('InterPodAffinity/score');

function matchesAllTerms(terms: readonly AffinityTerm[], p: PodInfo): boolean {
  for (const t of terms) if (!termMatchesPod(t, p)) return false;
  return terms.length > 0;
}

function satisfiesAffinity(s: FilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group that selects itself may land anywhere, or it could never be scheduled.
  return s.affinity.size === 0 && matchesAllTerms(pod.requiredAffinity, pod);
}

function satisfiesAntiAffinity(s: FilterState, pod: PodInfo, node: NodeInfo): boolean {
  for (const t of pod.requiredAntiAffinity) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && (s.antiAffinity.get(pair(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfiesExistingAntiAffinity(s: FilterState, node: NodeInfo): boolean {
  if (s.existingAntiAffinity.size === 0) return true;
  for (const [k, v] of Object.entries(node.labels)) {
    if ((s.existingAntiAffinity.get(pair(k, v)) ?? 0) > 0) return false;
  }
  return true;
}

export const interPodAffinity: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'InterPodAffinity',
  preFilter(state, pod, snapshot) {
    const withAnti = snapshot.nodesWithPodsWithRequiredAntiAffinity;
    if (withAnti.length === 0 && pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0) {
      return SKIP;
    }
    const s: FilterState = { existingAntiAffinity: new Map(), affinity: new Map(), antiAffinity: new Map() };
    for (const node of withAnti) {
      for (const existing of node.podsWithRequiredAntiAffinity) {
        for (const t of existing.requiredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && termMatchesPod(t, pod)) bump(s.existingAntiAffinity, pair(t.topologyKey, v), 1);
        }
      }
    }
    if (pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0) {
      for (const node of snapshot.nodes) {
        for (const other of node.pods) {
          if (matchesAllTerms(pod.requiredAffinity, other)) {
            for (const t of pod.requiredAffinity) {
              const v = node.labels[t.topologyKey];
              if (v !== undefined) bump(s.affinity, pair(t.topologyKey, v), 1);
            }
          }
          for (const t of pod.requiredAntiAffinity) {
            const v = node.labels[t.topologyKey];
            if (v !== undefined && termMatchesPod(t, other)) bump(s.antiAffinity, pair(t.topologyKey, v), 1);
          }
        }
      }
    }
    state.write(filterKey, s);
    return null;
  },
  filter(state, pod, node) {
    const s = state.read(filterKey);
    if (!s) return null;
    if (!satisfiesAffinity(s, pod, node)) return unresolvable(ERR_REASON_AFFINITY);
    if (!satisfiesAntiAffinity(s, pod, node)) return unschedulable(ERR_REASON_ANTI_AFFINITY);
    if (!satisfiesExistingAntiAffinity(s, node)) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
    return null;
  },
  preScore(state, pod, _nodes, snapshot) {
    const hasOwn = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    const others = hasOwn ? snapshot.nodes : snapshot.nodesWithPodsWithAffinity;
    if (others.length === 0) return SKIP;
    const scores: PairCounts = new Map();
    const add = (t: AffinityTerm, node: NodeInfo, sign: 1 | -1) => {
      const v = node.labels[t.topologyKey];
      if (v !== undefined) bump(scores, pair(t.topologyKey, v), t.weight * sign);
    };
    for (const node of others) {
      for (const other of hasOwn ? node.pods : node.podsWithAffinity) {
        // The incoming pod's preferences towards pods already running...
        for (const t of pod.preferredAffinity) if (termMatchesPod(t, other)) add(t, node, 1);
        for (const t of pod.preferredAntiAffinity) if (termMatchesPod(t, other)) add(t, node, -1);
        // ...and running pods' preferences towards the incoming pod (symmetry).
        for (const t of other.preferredAffinity) if (termMatchesPod(t, pod)) add(t, node, 1);
        for (const t of other.preferredAntiAffinity) if (termMatchesPod(t, pod)) add(t, node, -1);
      }
    }
    if (scores.size === 0) return SKIP;
    state.write(scoreKey, scores);
    return null;
  },
  score(state, _pod, node) {
    const scores = state.read(scoreKey);
    if (!scores) return 0;
    let total = 0;
    for (const [k, v] of Object.entries(node.labels)) total += scores.get(pair(k, v)) ?? 0;
    return total;
  },
  normalizeScore(_state, _pod, scores) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
    }
  },
};
