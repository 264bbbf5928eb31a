export { GC_COMPONENT, startGarbageCollector } from './controller.js';
export { attemptToDelete, finalizeOwner, type GcAction, type OwnerState } from './decide.js';
export { type GraphNode, OwnerGraph } from './graph.js';
export { gcResources, resourceForRef } from './resources.js';
