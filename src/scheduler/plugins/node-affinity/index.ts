// NodeAffinity: spec.nodeSelector and required node affinity filter; preferred terms add their weight.

import { compileNodeSelectorTerm, type NodeMatcher } from '../../../core/scheduling/node-affinity.js';
import { stateKey } from '../../framework/cycle-state.js';
import {
  defaultNormalizeScore,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { SKIP, unresolvable } from '../../framework/status.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

const preferredKey = stateKey<Array<{ weight: number; match: NodeMatcher }>>('NodeAffinity/preferred');

export const nodeAffinity: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'NodeAffinity',
  preFilter(_state, pod) {
    return pod.requiredNodeMatch ? null : SKIP;
  },
  filter(_state, pod, node) {
    // Compiled once per pod object (PodInfo), so this is label lookups only.
    const m = pod.requiredNodeMatch;
    return !m || m(node.name, node.labels) ? null : unresolvable(ERR_REASON_POD);
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
