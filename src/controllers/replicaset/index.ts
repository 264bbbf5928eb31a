export { podsToDelete } from './active-pods.js';
export { podFromTemplate, REPLICASET_COMPONENT, startReplicaSetController } from './controller.js';
export { isPodActive } from './pods.js';
export { replicaDiff, replicaSetStatus } from './replicas.js';
