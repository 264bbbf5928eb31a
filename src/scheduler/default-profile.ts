// The default plugin set, in upstream's filter order, with upstream's default score weights.

import type { PluginEntry } from './framework/plugin.js';
import { Profile, type ProfileOptions } from './framework/profile.js';
import { balancedAllocation } from './plugins/balanced-allocation/index.js';
import { interPodAffinity } from './plugins/inter-pod-affinity/index.js';
import { leastAllocated } from './plugins/least-allocated/index.js';
import { nodeAffinity } from './plugins/node-affinity/index.js';
import { nodeName } from './plugins/node-name/index.js';
import { nodePorts } from './plugins/node-ports/index.js';
import { nodeResourcesFit } from './plugins/node-resources-fit/index.js';
import { nodeUnschedulable } from './plugins/node-unschedulable/index.js';
import { ownerSpread } from './plugins/owner-spread/index.js';
import { podTopologySpread } from './plugins/pod-topology-spread/index.js';
import { taintToleration } from './plugins/taint-toleration/index.js';
import { volumeBinding } from './plugins/volume-binding/index.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export function defaultPlugins(): PluginEntry[] {
  return [
    { plugin: nodeUnschedulable },
    { plugin: nodeName },
    { plugin: taintToleration, weight: 3 },
    { plugin: nodeAffinity, weight: 2 },
    { plugin: nodePorts },
    { plugin: nodeResourcesFit },
    { plugin: volumeBinding },
    { plugin: podTopologySpread, weight: 2 },
    { plugin: interPodAffinity, weight: 2 },
    { plugin: leastAllocated, weight: 1 },
    { plugin: balancedAllocation, weight: 1 },
    { plugin: ownerSpread, weight: 1 },
  ];
}

export function defaultProfile(opts: Omit<ProfileOptions, 'plugins'> = {}): Profile {
  return new Profile({ schedulerName: DEFAULT_SCHEDULER_NAME, ...opts, plugins: defaultPlugins() });
}
