// The ReplicationController controller: spec.replicas active pods per v1 ReplicationController, by the same
// rules as the ReplicaSet's (upstream runs the ReplicaSet controller on RCs; the selector is a plain map).
// Data flow: RC and pod informers -> queue of RC keys -> sync(key): claim pods, create or delete the
// difference (guarded by expectations), write status.

import { NAMESPACE_INDEX, objectKey, WorkQueue } from '../../client/index.js';
import { labelSelectorFromMap, type Pod, type ReplicationController, resources } from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { isPodActive } from '../shared/active-pods.js';
import { Expectations } from '../shared/expectations.js';
import { controllerRef } from '../shared/ownership.js';
import { type ManageError, nextAvailableCheckMs, replicaStatus, replicaStatusEqual } from '../shared/replicas.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { claimPods, manageReplicas, writeStatus } from './manage.js';

export const REPLICATIONCONTROLLER_COMPONENT = 'replication-controller';

export function startReplicationControllerController(
  ctx: ControllerContext,
  opts: { workers?: number } = {},
): RunningController {
  const rcs = ctx.informers.forResource<ReplicationController>(resources.replicationcontrollers);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const expectations = new Expectations(ctx.clock);
  const recorder = ctx.recorder(REPLICATIONCONTROLLER_COMPONENT);
  const guard = new SpecGuard(recorder, 'ReplicationController', 'v1', ctx.log);
  const selectorOf = (rc: ReplicationController) => labelSelectorFromMap(rc.spec?.selector ?? {});

  const ownerOf = (pod: Pod): ReplicationController | undefined => {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicationController') return undefined;
    const rc = rcs.get(objectKey({ namespace: pod.metadata.namespace, name: ref.name }));
    return rc && rc.metadata.uid === ref.uid ? rc : undefined;
  };
  const enqueueMatchingOwners = (pod: Pod) => {
    for (const rc of rcs.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      if (selectorOf(rc).matches(pod.metadata.labels)) queue.add(keyOf(rc));
    }
  };
  const podDeleted = (pod: Pod) => {
    const rc = ownerOf(pod);
    if (!rc) return;
    expectations.deletionObserved(keyOf(rc), keyOf(pod));
    queue.add(keyOf(rc));
  };

  rcs.addEventHandler({
    onAdd: (rc) => queue.add(keyOf(rc)),
    onUpdate: (_o, rc) => queue.add(keyOf(rc)),
    onDelete: (rc) => {
      expectations.delete(keyOf(rc));
      queue.add(keyOf(rc));
    },
  });
  pods.addEventHandler({
    onAdd: (pod) => {
      if (pod.metadata.deletionTimestamp) return podDeleted(pod);
      const rc = ownerOf(pod);
      if (rc) {
        expectations.creationObserved(keyOf(rc));
        queue.add(keyOf(rc));
      } else if (!controllerRef(pod)) enqueueMatchingOwners(pod);
    },
    onUpdate: (old, pod) => {
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) podDeleted(pod);
      const oldOwner = ownerOf(old);
      const owner = ownerOf(pod);
      if (oldOwner && oldOwner !== owner) queue.add(keyOf(oldOwner));
      if (owner) queue.add(keyOf(owner));
      else if (!controllerRef(pod)) enqueueMatchingOwners(pod);
    },
    onDelete: podDeleted,
  });

  const sync = async (key: string): Promise<void> => {
    const cached = rcs.get(key);
    if (!cached) {
      expectations.delete(key);
      return;
    }
    const rc: ReplicationController = { ...cached, apiVersion: 'v1', kind: 'ReplicationController' };
    if (guard.refuse(rc)) return;
    const candidates = pods.byIndex(NAMESPACE_INDEX, rc.metadata.namespace ?? '').filter(isPodActive);
    const owned = await claimPods(ctx, rc, selectorOf(rc), candidates);
    let manageError: ManageError | undefined;
    if (expectations.satisfied(key) && !rc.metadata.deletionTimestamp) {
      manageError = await manageReplicas(ctx, recorder, expectations, rc, owned);
    }
    const now = ctx.clock.now();
    const status = replicaStatus(rc, owned, now, manageError);
    if (!replicaStatusEqual(rc.status as typeof status | undefined, status)) await writeStatus(ctx, rc, status);
    const next = nextAvailableCheckMs(rc, owned, now);
    if (next !== undefined) queue.addAfter(key, Math.max(0, next - now) + 50);
    if (manageError) throw new Error(manageError.message);
  };

  return runWorkers({
    name: REPLICATIONCONTROLLER_COMPONENT,
    ctx,
    queue,
    waitFor: [rcs, pods],
    workers: opts.workers ?? 2,
    sync,
  });
}
