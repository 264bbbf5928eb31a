// NodePorts: a pod's hostPorts must not clash (same protocol and port, overlapping host IP) with
// ports already used on the node.

import type { FilterPlugin, PreFilterPlugin } from '../../framework/plugin.js';
import { SKIP, unschedulable } from '../../framework/status.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts: PreFilterPlugin & FilterPlugin = {
  name: 'NodePorts',
  preFilter(_state, pod) {
    return pod.hostPorts.length === 0 ? SKIP : null;
  },
  filter(_state, pod, node) {
    for (const p of pod.hostPorts) if (node.usedPorts.conflicts(p)) return unschedulable(ERR_REASON_PORTS);
    return null;
  },
};
