// NodeName: a pod that names a node (spec.nodeName) fits only that node.

import type { FilterPlugin } from '../../framework/plugin.js';
import { unresolvable } from '../../framework/status.js';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter(_state, pod, node) {
    const wanted = pod.pod.spec?.nodeName;
    return !wanted || wanted === node.name ? null : unresolvable(ERR_REASON_NODE_NAME);
  },
};
