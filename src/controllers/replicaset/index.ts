export { podsToDelete } from './active-pods.js';
export { podFromTemplate, REPLICASET_COMPONENT, startReplicaSetController } from './controller.js';
export { claimObjects, controllerRef, newControllerRef } from './ownership.js';
export { creationMs, isPodActive, isPodAvailable, isPodReady } from './pods.js';
export { replicaDiff, replicaSetStatus, slowStartBatches } from './replicas.js';
export * from './types.js';
