// The ReplicationController's writes: claim pods (adopt matching orphans, release strays), create or delete
// the difference, write status. The decisions are shared with the ReplicaSet's (../shared/replicas.ts).

import { type EventRecorder, isConflict, isNotFound, resourcePath } from '../../client/index.js';
import { type LabelSelector, type Pod, type PodSpec, type ReplicationController, resources } from '../../core/index.js';
import { type ControllerContext, keyOf } from '../context.js';
import { slowStartBatch } from '../shared/batches.js';
import type { Expectations } from '../shared/expectations.js';
import { adoptPatch, claimObjects, newControllerRef, releasePatch } from '../shared/ownership.js';
import { type ManageError, type ReplicaStatus, replicaDiff } from '../shared/replicas.js';

const controllerRefOf = (rc: ReplicationController) => newControllerRef(rc, 'v1', 'ReplicationController');

/** A pod built from the controller's template (upstream GetPodFromTemplate). */
export function podFromTemplate(rc: ReplicationController): Pod {
  const t = rc.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rc.metadata.name}-`,
      namespace: rc.metadata.namespace,
      ownerReferences: [controllerRefOf(rc)],
    },
    spec: structuredClone(t.spec ?? ({} as PodSpec)),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Owned pods after adopting matching orphans and releasing owned pods that stopped matching. */
export async function claimPods(
  ctx: ControllerContext,
  rc: ReplicationController,
  selector: LabelSelector,
  pods: Pod[],
): Promise<Pod[]> {
  const claim = claimObjects(rc, selector, pods);
  const ns = rc.metadata.namespace;
  const owned = [...claim.owned];
  for (const pod of claim.adopt) {
    const path = resourcePath(resources.pods, { namespace: ns, name: pod.metadata.name });
    try {
      owned.push(await ctx.client.patch<Pod>(path, adoptPatch(pod, controllerRefOf(rc)), 'strategic'));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  for (const pod of claim.release) {
    const path = resourcePath(resources.pods, { namespace: ns, name: pod.metadata.name });
    try {
      await ctx.client.patch(path, releasePatch(pod, rc.metadata.uid!), 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Creates (slow start) or deletes pods toward spec.replicas, guarded by expectations; the first error, if any. */
export async function manageReplicas(
  ctx: ControllerContext,
  recorder: EventRecorder,
  expectations: Expectations,
  rc: ReplicationController,
  pods: Pod[],
): Promise<ManageError | undefined> {
  const key = keyOf(rc);
  const diff = replicaDiff(rc, pods);
  const ns = rc.metadata.namespace;
  if (diff.kind === 'create') {
    expectations.expectCreations(key, diff.count);
    const template = podFromTemplate(rc);
    const collection = resourcePath(resources.pods, { namespace: ns });
    let firstError: string | undefined;
    const attempted = await slowStartBatch(
      diff.count,
      () => ctx.client.create<Pod>(collection, structuredClone(template)),
      (r) => {
        if (r.status === 'fulfilled') {
          void recorder.event(rc, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
          return;
        }
        // The create will never be observed; lower the expectation so the next sync can retry.
        expectations.creationObserved(key);
        firstError ??= message(r.reason);
        void recorder.event(rc, 'Warning', 'FailedCreate', `Error creating: ${message(r.reason)}`);
      },
    );
    for (let i = attempted; i < diff.count; i++) expectations.creationObserved(key);
    return firstError ? { kind: 'create', message: firstError } : undefined;
  }
  if (diff.kind === 'delete') {
    expectations.expectDeletions(
      key,
      diff.pods.map((p) => keyOf(p)),
    );
    let firstError: string | undefined;
    await Promise.all(
      diff.pods.map(async (pod) => {
        const path = resourcePath(resources.pods, { namespace: ns, name: pod.metadata.name });
        try {
          await ctx.client.delete(path, { preconditions: { uid: pod.metadata.uid } });
          void recorder.event(rc, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key, keyOf(pod));
          if (isNotFound(err)) return;
          firstError ??= message(err);
          void recorder.event(rc, 'Warning', 'FailedDelete', `Error deleting: ${message(err)}`);
        }
      }),
    );
    return firstError ? { kind: 'delete', message: firstError } : undefined;
  }
  return undefined;
}

/** PUT status on the cached copy; on a conflict, once more on a fresh read. */
export async function writeStatus(ctx: ControllerContext, rc: ReplicationController, status: ReplicaStatus) {
  const path = resourcePath(resources.replicationcontrollers, {
    namespace: rc.metadata.namespace,
    name: rc.metadata.name,
  });
  try {
    await ctx.client.updateStatus(path, { ...rc, status });
  } catch (err) {
    if (isNotFound(err)) return;
    if (!isConflict(err)) throw err;
    const fresh = await ctx.client.get<ReplicationController>(path);
    if (fresh.metadata.uid !== rc.metadata.uid) return;
    await ctx.client.updateStatus(path, {
      ...fresh,
      status: { ...status, observedGeneration: rc.metadata.generation },
    });
  }
}
