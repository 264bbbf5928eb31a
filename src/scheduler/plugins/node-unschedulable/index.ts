// NodeUnschedulable: cordoned nodes (spec.unschedulable) reject pods that do not tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.

import type { FilterPlugin } from '../../framework/plugin.js';
import { unresolvable } from '../../framework/status.js';
import { toleratesTaint } from '../taint-toleration/tolerations.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node?.spec?.unschedulable) return null;
    const tolerated = (pod.pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT));
    return tolerated ? null : unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
};
