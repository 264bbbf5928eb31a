export { isPodActive, podsToDelete } from '../shared/active-pods.js';
export { replicaDiff, replicaStatus as replicaSetStatus } from '../shared/replicas.js';
export { podFromTemplate, REPLICASET_COMPONENT, startReplicaSetController } from './controller.js';
