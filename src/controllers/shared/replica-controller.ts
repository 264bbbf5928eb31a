// The replica controller: keeps spec.replicas active pods per owner. One loop for ReplicaSets and
// ReplicationControllers (upstream runs its ReplicaSet controller on RCs through an adapter,
// pkg/controller/replication); a `ReplicaKind` says which resource, how its selector reads and its events' source.
// Data flow: owner and pod informers -> queue of owner keys -> sync(key): claim pods (adopt/release),
// create or delete the difference in slow-start batches (guarded by expectations), then write status.

import { cloneJson } from '../../core/json.js';
import {
  type EventRecorder,
  isConflict,
  isNotFound,
  NAMESPACE_INDEX,
  objectKey,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import {
  type KubeObject,
  type LabelSelector,
  type Pod,
  type PodSpec,
  type ResourceDescriptor,
  resources,
} from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { isPodActive } from './active-pods.js';
import { CREATE_WINDOW, slowStartPipeline } from './batches.js';
import { Expectations } from './expectations.js';
import { adoptPatch, claimObjects, controllerRef, newControllerRef, releasePatch } from './ownership.js';
import {
  type ManageError,
  nextAvailableCheckMs,
  type ReplicaOwner,
  type ReplicaStatus,
  replicaDiff,
  replicaStatus,
  replicaStatusEqual,
} from './replicas.js';
import { SpecGuard } from './spec-guard.js';

/** An owner of replicas: a ReplicaSet or a ReplicationController. */
export type ReplicaObject = KubeObject &
  ReplicaOwner & {
    spec?: ReplicaOwner['spec'] & { template?: { metadata?: KubeObject['metadata']; spec?: PodSpec } };
    status?: ReplicaStatus;
  };

/** Which owners the loop serves. */
export interface ReplicaKind<T extends ReplicaObject> {
  resource: ResourceDescriptor;
  apiVersion: string;
  kind: string;
  /** The events' source and the workers' name (upstream's controller names). */
  component: string;
  /** The owner's selector; undefined when it cannot be read (the owner is then left alone). */
  selectorOf(owner: T): LabelSelector | undefined;
}

export interface ReplicaControllerOptions {
  workers?: number;
  /** Most pods created or deleted in one sync (upstream burstReplicas, 500). */
  burstReplicas?: number;
  /** Creates in flight at once after slow start (default 64). */
  createWindow?: number;
}

/** A pod built from the owner's template (upstream GetPodFromTemplate). */
export function podFromTemplate<T extends ReplicaObject>(
  rs: T,
  kind: Pick<ReplicaKind<T>, 'apiVersion' | 'kind'>,
): Pod {
  const t = rs.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      ownerReferences: [newControllerRef(rs, kind.apiVersion, kind.kind)],
    },
    // A template without a spec (which validation rejects) gives a pod the API server rejects.
    spec: cloneJson(t.spec ?? ({} as PodSpec)),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

export function startReplicaController<T extends ReplicaObject>(
  ctx: ControllerContext,
  kind: ReplicaKind<T>,
  opts: ReplicaControllerOptions = {},
): RunningController {
  const rsInformer = ctx.informers.forResource<T>(kind.resource);
  const podInformer = ctx.informers.forResource<Pod>(resources.pods);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const expectations = new Expectations(ctx.clock);
  const recorder = ctx.recorder(kind.component);
  const guard = new SpecGuard(recorder, kind.kind, kind.apiVersion, ctx.log);
  const selectorOf = kind.selectorOf;
  // A sync reads its own pods and its namespace's orphans (the only ones it may claim), not every pod
  // of the namespace: at 10,000 replicas a pass over all of them per pod event was most of the loop's time.
  podInformer.addIndexer(CLAIMABLE_INDEX, claimableIndexFunc);

  /** The owner a controller ref points at, if it is in the cache with that uid. */
  const ownerOf = (pod: Pod): T | undefined => {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== kind.kind) return undefined;
    const rs = rsInformer.get(objectKey({ namespace: pod.metadata.namespace, name: ref.name }));
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  };
  /** An orphan may be adopted by any owner in its namespace whose selector matches. */
  const enqueueMatchingOwners = (pod: Pod) => {
    for (const rs of rsInformer.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      if (selectorOf(rs)?.matches(pod.metadata.labels)) queue.add(keyOf(rs));
    }
  };
  const podDeleted = (pod: Pod) => {
    const rs = ownerOf(pod);
    if (!rs) return;
    expectations.deletionObserved(keyOf(rs), keyOf(pod));
    queue.add(keyOf(rs));
  };

  rsInformer.addEventHandler({
    onAdd: (rs) => queue.add(keyOf(rs)),
    onUpdate: (_o, rs) => queue.add(keyOf(rs)),
    onDelete: (rs) => {
      expectations.delete(keyOf(rs));
      queue.add(keyOf(rs));
    },
  });
  podInformer.addEventHandler({
    onAdd: (pod) => {
      if (pod.metadata.deletionTimestamp) return podDeleted(pod);
      const rs = ownerOf(pod);
      if (rs) {
        expectations.creationObserved(keyOf(rs));
        queue.add(keyOf(rs));
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
    const cached = rsInformer.get(key);
    if (!cached) {
      expectations.delete(key);
      return;
    }
    const rs: T = { apiVersion: kind.apiVersion, kind: kind.kind, ...cached };
    if (guard.refuse(rs)) return;
    const selector = selectorOf(rs);
    if (!selector) {
      ctx.log(`${kind.component}: invalid selector`, { namespace: rs.metadata.namespace, name: rs.metadata.name });
      return;
    }
    const candidates = [
      ...podInformer.byIndex(CLAIMABLE_INDEX, `uid/${rs.metadata.uid ?? ''}`),
      ...podInformer.byIndex(CLAIMABLE_INDEX, `orphan/${rs.metadata.namespace ?? ''}`),
    ].filter(isPodActive);
    const pods = await claimPods(ctx, kind, rs, selector, candidates);
    let manageError: ManageError | undefined;
    if (expectations.satisfied(key) && !rs.metadata.deletionTimestamp) {
      manageError = await manageReplicas(ctx, kind, recorder, expectations, key, rs, pods, relatedPods(rs), opts);
    }
    const now = ctx.clock.now();
    const status = replicaStatus(rs, pods, now, manageError);
    if (!replicaStatusEqual(rs.status, status)) await writeStatus(ctx, kind, rs, status);
    const next = nextAvailableCheckMs(rs, pods, now);
    if (next !== undefined) queue.addAfter(key, Math.max(0, next - now) + 50);
    if (manageError) throw new Error(manageError.message);
  };

  /** Active pods of every owner under the same controller (a Deployment's ReplicaSets: to rank crowded nodes). */
  const relatedPods = (rs: T): Pod[] | undefined => {
    const owner = controllerRef(rs);
    if (!owner) return undefined;
    return rsInformer
      .byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '')
      .filter((r) => controllerRef(r)?.uid === owner.uid)
      .flatMap((r) => podInformer.byIndex(CLAIMABLE_INDEX, `uid/${r.metadata.uid ?? ''}`))
      .filter(isPodActive);
  };

  const running = runWorkers({
    name: kind.component,
    ctx,
    queue,
    waitFor: [rsInformer, podInformer],
    workers: opts.workers ?? 2,
    sync,
  });
  return running;
}

/** Pods filed under their controller's uid, and pods without a controller under their namespace. */
const CLAIMABLE_INDEX = 'replica-claimable';
function claimableIndexFunc(pod: Pod): string[] {
  const ref = controllerRef(pod);
  return [ref ? `uid/${ref.uid}` : `orphan/${pod.metadata.namespace ?? ''}`];
}

async function claimPods<T extends ReplicaObject>(
  ctx: ControllerContext,
  kind: ReplicaKind<T>,
  rs: T,
  selector: LabelSelector,
  pods: Pod[],
): Promise<Pod[]> {
  const claim = claimObjects(rs, selector, pods);
  const ns = rs.metadata.namespace;
  const owned = [...claim.owned];
  for (const pod of claim.adopt) {
    const path = resourcePath(resources.pods, { namespace: ns, name: pod.metadata.name });
    try {
      const adopted = await ctx.client.patch<Pod>(
        path,
        adoptPatch(pod, newControllerRef(rs, kind.apiVersion, kind.kind)),
        'strategic',
      );
      owned.push(adopted);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  for (const pod of claim.release) {
    const path = resourcePath(resources.pods, { namespace: ns, name: pod.metadata.name });
    try {
      await ctx.client.patch(path, releasePatch(pod, rs.metadata.uid!), 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}

async function manageReplicas<T extends ReplicaObject>(
  ctx: ControllerContext,
  kind: ReplicaKind<T>,
  recorder: EventRecorder,
  expectations: Expectations,
  key: string,
  rs: T,
  pods: Pod[],
  related: Pod[] | undefined,
  opts: ReplicaControllerOptions,
): Promise<ManageError | undefined> {
  const diff = replicaDiff(rs, pods, related, opts.burstReplicas);
  const ns = rs.metadata.namespace;
  const fields = { namespace: ns, name: rs.metadata.name };
  if (diff.kind === 'create') {
    expectations.expectCreations(key, diff.count);
    const template = podFromTemplate(rs, kind);
    const collection = resourcePath(resources.pods, { namespace: ns });
    let firstError: string | undefined;
    // Slow start proves the writes succeed (quota, admission), then a window of creates stays in flight.
    const attempted = await slowStartPipeline(
      diff.count,
      () => ctx.client.create<Pod>(collection, cloneJson(template)),
      (r) => {
        if (r.status === 'fulfilled') {
          void recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
        } else {
          // The create will never be observed; lower the expectation so the next sync can retry.
          expectations.creationObserved(key);
          firstError ??= errorMessage(r.reason);
          void recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(r.reason)}`);
        }
      },
      opts.createWindow ?? CREATE_WINDOW,
    );
    for (let i = attempted; i < diff.count; i++) expectations.creationObserved(key);
    ctx.log(`${kind.component}: created pods`, { ...fields, wanted: diff.count, error: firstError });
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
          void recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key, keyOf(pod));
          if (isNotFound(err)) return;
          firstError ??= errorMessage(err);
          void recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
        }
      }),
    );
    ctx.log(`${kind.component}: deleted pods`, { ...fields, count: diff.pods.length, error: firstError });
    return firstError ? { kind: 'delete', message: firstError } : undefined;
  }
  return undefined;
}

/** PUT status on the cached copy; on a conflict, once more on a fresh read (upstream updateReplicaSetStatus). */
async function writeStatus<T extends ReplicaObject>(
  ctx: ControllerContext,
  kind: ReplicaKind<T>,
  rs: T,
  status: ReplicaStatus,
): Promise<void> {
  const path = resourcePath(kind.resource, { namespace: rs.metadata.namespace, name: rs.metadata.name });
  try {
    await ctx.client.updateStatus(path, { ...rs, status });
  } catch (err) {
    if (isNotFound(err)) return;
    if (!isConflict(err)) throw err;
    const fresh = await ctx.client.get<T>(path);
    if (fresh.metadata.uid !== rs.metadata.uid) return;
    await ctx.client.updateStatus(path, {
      ...fresh,
      status: { ...status, observedGeneration: rs.metadata.generation },
    });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
