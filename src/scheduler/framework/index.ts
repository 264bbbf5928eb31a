export { CycleState, type StateKey, stateKey } from './cycle-state.js';
export { type Diagnosis, fitErrorMessage, NO_NODES_AVAILABLE_MSG, reasonHistogram } from './fit-error.js';
export { HostPortSet, NodeInfo } from './node-info.js';
export * from './plugin.js';
export { podKey, podUid } from './pod-key.js';
export { type AffinityTerm, type HostPort, type PodInfo, podInfoOf, termMatchesPod } from './pod-info.js';
export {
  NO_VICTIMS,
  PREEMPTION_NOT_HELPFUL,
  type PreemptionPlan,
  pickPreemptionNode,
  planPreemption,
  selectVictimsOnNode,
} from './preemption.js';
export {
  MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND,
  MIN_FEASIBLE_NODES_TO_FIND,
  numFeasibleNodesToFind,
  Profile,
  type ProfileOptions,
} from './profile.js';
export { Resource } from './resource.js';
export { type ScheduleResult, SchedulingError, schedulePod } from './schedule-pod.js';
export { Snapshot, snapshotOf } from './snapshot.js';
export * from './status.js';
export { EMPTY_VOLUME_LISTER, type VolumeLister } from './volumes.js';
