// NodeUnschedulable: cordoned nodes (spec.unschedulable) reject pods that do not tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.

import { isTolerated, TAINT_UNSCHEDULABLE } from '../../../core/scheduling/taints.js';
import type { Taint } from '../../../core/types.js';
import type { FilterPlugin } from '../../framework/plugin.js';
import { unresolvable } from '../../framework/status.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node?.spec?.unschedulable) return null;
    return isTolerated(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT) ? null : unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
};
