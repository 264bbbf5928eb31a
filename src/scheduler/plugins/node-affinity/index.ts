// NodeAffinity: spec.nodeSelector and required node affinity filter; preferred terms add their weight.

import type { Pod } from '../../framework/api-types.js';
import { stateKey } from '../../framework/cycle-state.js';
import {
  compileNodeSelectorTerm,
  compileNodeSelectorTerms,
  type NodeTermMatcher,
} from '../../framework/label-selector.js';
import type { NodeInfo } from '../../framework/node-info.js';
import {
  defaultNormalizeScore,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { SKIP, unresolvable } from '../../framework/status.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

/** Compiled required placement of a pod: nodeSelector AND required affinity terms (terms ORed). */
export type RequiredNodeMatcher = (node: NodeInfo) => boolean;

export function requiredNodeMatcher(pod: Pod): RequiredNodeMatcher | undefined {
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (selector.length === 0 && terms === undefined) return undefined;
  const termsMatch = terms === undefined ? undefined : compileNodeSelectorTerms(terms);
  return (node) => {
    const labels = node.labels;
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    return termsMatch === undefined || termsMatch(node.name, labels);
  };
}

const requiredKey = stateKey<RequiredNodeMatcher>('NodeAffinity/required');
const preferredKey = stateKey<Array<{ weight: number; match: NodeTermMatcher }>>('NodeAffinity/preferred');

export const nodeAffinity: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'NodeAffinity',
  preFilter(state, pod) {
    const m = requiredNodeMatcher(pod.pod);
    if (!m) return SKIP;
    state.write(requiredKey, m);
    return null;
  },
  filter(state, pod, node) {
    const m = state.read(requiredKey) ?? requiredNodeMatcher(pod.pod);
    return !m || m(node) ? null : unresolvable(ERR_REASON_POD);
  },
  preScore(state, pod) {
    const prefs = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (prefs.length === 0) return SKIP;
    state.write(
      preferredKey,
      prefs.map((p) => ({ weight: p.weight, match: compileNodeSelectorTerm(p.preference) })),
    );
    return null;
  },
  score(state, _pod, node) {
    let total = 0;
    for (const p of state.read(preferredKey) ?? [])
      if (p.weight !== 0 && p.match(node.name, node.labels)) total += p.weight;
    return total;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, false);
  },
};
