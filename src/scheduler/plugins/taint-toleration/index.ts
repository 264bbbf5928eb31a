// TaintToleration: filter on NoSchedule/NoExecute taints the pod does not tolerate; score nodes lower
// the more PreferNoSchedule taints they carry that the pod does not tolerate.

import { isTolerated } from '../../../core/scheduling/taints.js';
import type { FilterPlugin, ScorePlugin } from '../../framework/plugin.js';
import { defaultNormalizeScore } from '../../framework/plugin.js';
import { unresolvable } from '../../framework/status.js';

export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',
  filter(_state, pod, node) {
    const taints = node.node?.spec?.taints;
    if (!taints?.length) return null;
    const tolerations = pod.pod.spec?.tolerations;
    // The first untolerated taint decides, as upstream's FindMatchingUntoleratedTaint; no array is built.
    for (const taint of taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!isTolerated(tolerations, taint)) return unresolvable(untoleratedTaintReason(taint.key, taint.value));
    }
    return null;
  },
  score(_state, pod, node) {
    const taints = node.node?.spec?.taints;
    if (!taints?.length) return 0;
    // Only tolerations that can apply to PreferNoSchedule count, as upstream's getAllTolerationPreferNoSchedule.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let intolerable = 0;
    for (const taint of taints) {
      if (taint.effect === 'PreferNoSchedule' && !isTolerated(tolerations, taint)) intolerable++;
    }
    return intolerable;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
