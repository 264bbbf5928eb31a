// The ReplicaSet controller: keeps spec.replicas active pods per apps/v1 ReplicaSet, through the shared
// replica loop (../shared/replica-controller.ts: claim, create/delete in slow-start batches, status).
import { type LabelSelector, labelSelectorFromObject, type Pod, type ReplicaSet, resources } from '../../core/index.js';
import type { ControllerContext, RunningController } from '../context.js';
import {
  podFromTemplate as fromTemplate,
  type ReplicaControllerOptions,
  type ReplicaKind,
  type ReplicaObject,
  startReplicaController,
} from '../shared/replica-controller.js';

export const REPLICASET_COMPONENT = 'replicaset-controller';

export type ReplicaSetControllerOptions = ReplicaControllerOptions;

function selectorOf(rs: ReplicaSet): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(rs.spec?.selector);
  } catch {
    return undefined;
  }
}

const REPLICASET: ReplicaKind<ReplicaSet & ReplicaObject> = {
  resource: resources.replicasets,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: REPLICASET_COMPONENT,
  selectorOf,
};

/** A pod built from the ReplicaSet's template (upstream GetPodFromTemplate). */
export function podFromTemplate(rs: ReplicaSet): Pod {
  return fromTemplate(rs as ReplicaSet & ReplicaObject, REPLICASET);
}

export function startReplicaSetController(
  ctx: ControllerContext,
  opts: ReplicaSetControllerOptions = {},
): RunningController {
  return startReplicaController(ctx, REPLICASET, opts);
}
