// The one narrow view the agent adds to core's Pod. A pod the API serves always has a spec (validation
// requires its containers) and every step of a pod worker reads it, so the agent handles bound pods as this.
import type { Pod, PodSpec } from '../core/types.js';

export type BoundPod = Pod & { spec: PodSpec };
