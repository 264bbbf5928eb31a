// The ReplicationController controller: spec.replicas active pods per v1 ReplicationController, by the
// ReplicaSet's loop (../shared/replica-controller.ts), as upstream runs its ReplicaSet controller on RCs; the
// selector is a plain map.
import { labelSelectorFromMap, type Pod, type ReplicationController, resources } from '../../core/index.js';
import type { ControllerContext, RunningController } from '../context.js';
import {
  podFromTemplate as fromTemplate,
  type ReplicaKind,
  type ReplicaObject,
  startReplicaController,
} from '../shared/replica-controller.js';

export const REPLICATIONCONTROLLER_COMPONENT = 'replication-controller';

const REPLICATIONCONTROLLER: ReplicaKind<ReplicationController & ReplicaObject> = {
  resource: resources.replicationcontrollers,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: REPLICATIONCONTROLLER_COMPONENT,
  selectorOf: (rc) => labelSelectorFromMap(rc.spec?.selector ?? {}),
};

/** A pod built from the controller's template (upstream GetPodFromTemplate). */
export function podFromTemplate(rc: ReplicationController): Pod {
  return fromTemplate(rc as ReplicationController & ReplicaObject, REPLICATIONCONTROLLER);
}

export function startReplicationControllerController(
  ctx: ControllerContext,
  opts: { workers?: number } = {},
): RunningController {
  return startReplicaController(ctx, REPLICATIONCONTROLLER, opts);
}
