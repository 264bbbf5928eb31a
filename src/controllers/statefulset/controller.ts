// StatefulSet controller: pods with stable names and claims, created and removed in ordinal order, updated
// by revision.
//
// statefulsets, pods, persistentvolumeclaims, controllerrevisions ──▶ queue of set keys ──▶ sync:
//   adopt orphan revisions, claim member pods ─▶ update revision (create / bump / reuse) ─▶ planStatefulSet
//   ─▶ create claims and pods, delete and update pods, fix claim owners ─▶ PUT status ─▶ prune history

import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  NAMESPACE_INDEX,
  objectKey,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import {
  type ControllerRevision,
  type LabelSelector,
  labelSelectorFromObject,
  type PersistentVolumeClaim,
  type Pod,
  resources,
  type StatefulSet,
  stableJson,
} from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { slowStartBatches } from '../shared/batches.js';
import { equalRevision } from '../shared/history.js';
import { adoptPatch, claimObjects, controllerRef, newControllerRef, releasePatch } from '../shared/ownership.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { isMemberOf } from './identity.js';
import { type StatefulAction, type StatefulSetStatus, planStatefulSet } from './plan.js';
import { applyRevision, newRevision, planRevisions, revisionsToPrune } from './revisions.js';

export const STATEFULSET_COMPONENT = 'statefulset-controller';

export function startStatefulSetController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const { client, clock, log } = ctx;
  const sets = ctx.informers.forResource<StatefulSet>(resources.statefulsets);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const claims = ctx.informers.forResource<PersistentVolumeClaim>(resources.persistentvolumeclaims);
  const revisions = ctx.informers.forResource<ControllerRevision>(resources.controllerrevisions);
  const queue = new WorkQueue<string>({ clock });
  const guard = new SpecGuard(ctx.recorder(STATEFULSET_COMPONENT), 'StatefulSet', 'apps/v1', log);

  const selectorOf = (set: StatefulSet): LabelSelector | undefined => {
    try {
      return labelSelectorFromObject(set.spec?.selector);
    } catch {
      return undefined;
    }
  };
  const ownerOf = (obj: Pod | ControllerRevision): StatefulSet | undefined => {
    const ref = controllerRef(obj);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const set = sets.get(objectKey({ namespace: obj.metadata.namespace, name: ref.name }));
    return set?.metadata.uid === ref.uid ? set : undefined;
  };
  /** An orphan may be adopted by the sets of its namespace that select it. */
  const enqueueOwners = (obj: Pod | ControllerRevision) => {
    const owner = ownerOf(obj);
    if (owner) return queue.add(keyOf(owner));
    if (controllerRef(obj)) return;
    for (const set of sets.byIndex(NAMESPACE_INDEX, obj.metadata.namespace ?? '')) {
      if (selectorOf(set)?.matches(obj.metadata.labels)) queue.add(keyOf(set));
    }
  };
  sets.addEventHandler({
    onAdd: (s) => queue.add(keyOf(s)),
    onUpdate: (_o, s) => queue.add(keyOf(s)),
    onDelete: (s) => queue.add(keyOf(s)),
  });
  const ownedObjectHandlers = {
    onAdd: enqueueOwners,
    onUpdate: (old: Pod | ControllerRevision, cur: Pod | ControllerRevision) => {
      const oldOwner = ownerOf(old);
      if (oldOwner && oldOwner !== ownerOf(cur)) queue.add(keyOf(oldOwner));
      enqueueOwners(cur);
    },
    onDelete: enqueueOwners,
  };
  pods.addEventHandler(ownedObjectHandlers);
  revisions.addEventHandler(ownedObjectHandlers);
  // A claim that was being deleted holds its pod back: look again once it is gone.
  claims.addEventHandler({
    onDelete: (c) => {
      for (const set of sets.byIndex(NAMESPACE_INDEX, c.metadata.namespace ?? '')) {
        if ((set.spec?.volumeClaimTemplates?.length ?? 0) > 0) queue.add(keyOf(set));
      }
    },
  });

  const sync = async (key: string): Promise<void> => {
    const cached = sets.get(key);
    if (!cached) return;
    const set: StatefulSet = { ...cached, apiVersion: 'apps/v1', kind: 'StatefulSet' };
    if (guard.refuse(set)) return;
    const ns = set.metadata.namespace ?? '';
    const selector = selectorOf(set);
    if (!selector) {
      log('statefulset: invalid selector', { controller: STATEFULSET_COMPONENT, object: key });
      return;
    }
    const ownRevisions = await claimRevisions(ctx, set, selector, revisions.byIndex(NAMESPACE_INDEX, ns));
    const members = pods.byIndex(NAMESPACE_INDEX, ns).filter((p) => isMemberOf(set, p));
    const owned = await claimPods(ctx, set, selector, members);

    const revPlan = planRevisions(set, ownRevisions);
    const { revision: update, collisionCount } = await ensureUpdateRevision(ctx, set, revPlan);
    const current = revPlan.current ?? update;
    const claimsByName = new Map(claims.byIndex(NAMESPACE_INDEX, ns).map((c) => [c.metadata.name ?? '', c]));
    const plan = planStatefulSet({
      set,
      currentSet: applyRevision(set, current),
      updateSet: applyRevision(set, update),
      currentRevision: current.metadata.name ?? '',
      updateRevision: update.metadata.name ?? '',
      collisionCount,
      pods: owned,
      claims: claimsByName,
      nowMs: clock.now(),
    });
    if (plan.waiting)
      log('statefulset: waiting', { controller: STATEFULSET_COMPONENT, object: key, for: plan.waiting });
    let failure: unknown;
    try {
      for (const phase of plan.phases) await runPhase(phase, plan.parallel, (a) => execute(ctx, set, a));
    } catch (err) {
      failure = err;
    }
    await writeStatus(ctx, set, plan.status);
    const all = ownRevisions.some((r) => r.metadata.name === update.metadata.name)
      ? ownRevisions
      : [...ownRevisions, update];
    for (const rev of revisionsToPrune(set, owned, all, [current.metadata.name ?? '', update.metadata.name ?? ''])) {
      try {
        await client.delete(resourcePath(resources.controllerrevisions, { namespace: ns, name: rev.metadata.name }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.availableReplicas !== (set.spec?.replicas ?? 1)) {
      queue.addAfter(key, minReady * 1000);
    }
    if (failure) throw failure;
  };

  return runWorkers({
    name: STATEFULSET_COMPONENT,
    ctx,
    queue,
    waitFor: [sets, pods, claims, revisions],
    workers: opts.workers ?? 2,
    sync,
  });
}

/** Adopts revisions the selector matches that nobody controls; the set's own revisions. */
async function claimRevisions(
  ctx: ControllerContext,
  set: StatefulSet,
  selector: LabelSelector,
  inNamespace: ControllerRevision[],
): Promise<ControllerRevision[]> {
  const own = inNamespace.filter((r) => controllerRef(r)?.uid === set.metadata.uid);
  if (set.metadata.deletionTimestamp) return own;
  for (const r of inNamespace) {
    if (controllerRef(r) || !selector.matches(r.metadata.labels)) continue;
    const path = resourcePath(resources.controllerrevisions, {
      namespace: r.metadata.namespace,
      name: r.metadata.name,
    });
    try {
      own.push(
        await ctx.client.patch<ControllerRevision>(
          path,
          adoptPatch(r, newControllerRef(set, 'apps/v1', 'StatefulSet')),
          'strategic',
        ),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return own;
}

/** Claims the member pods: keep owned, adopt matching orphans, release those that stopped matching. */
async function claimPods(
  ctx: ControllerContext,
  set: StatefulSet,
  selector: LabelSelector,
  pods: Pod[],
): Promise<Pod[]> {
  const claim = claimObjects(set, selector, pods);
  const owned = [...claim.owned];
  const ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
  for (const pod of claim.adopt) {
    const path = resourcePath(resources.pods, { namespace: pod.metadata.namespace, name: pod.metadata.name });
    try {
      owned.push(await ctx.client.patch<Pod>(path, adoptPatch(pod, ref), 'strategic'));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  for (const pod of claim.release) {
    const path = resourcePath(resources.pods, { namespace: pod.metadata.namespace, name: pod.metadata.name });
    try {
      await ctx.client.patch(path, releasePatch(pod, set.metadata.uid!), 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}

/** The update revision in the API: reused, bumped to the top number (a rollback), or created (name collisions counted). */
async function ensureUpdateRevision(
  ctx: ControllerContext,
  set: StatefulSet,
  plan: ReturnType<typeof planRevisions>,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const ns = set.metadata.namespace;
  const collection = resourcePath(resources.controllerrevisions, { namespace: ns });
  const { update } = plan;
  if (update.action === 'none') return { revision: update.revision, collisionCount: plan.collisionCount };
  if (update.action === 'bump') {
    const path = `${collection}/${update.revision.metadata.name}`;
    try {
      return { revision: await ctx.client.update(path, update.revision), collisionCount: plan.collisionCount };
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await ctx.client.get<ControllerRevision>(path);
      const bumped = await ctx.client.update(path, { ...fresh, revision: update.revision.revision });
      return { revision: bumped, collisionCount: plan.collisionCount };
    }
  }
  let collisionCount = plan.collisionCount;
  for (;;) {
    const wanted = newRevision(set, update.revision.revision, collisionCount);
    try {
      return { revision: await ctx.client.create(collection, wanted), collisionCount };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await ctx.client.get<ControllerRevision>(`${collection}/${wanted.metadata.name}`);
      if (equalRevision(existing, wanted)) return { revision: existing, collisionCount };
      collisionCount++;
    }
  }
}

/** Runs a phase's groups one by one, or in slow-start batches (1, 2, 4, ...); the first failure is thrown. */
async function runPhase(groups: StatefulAction[][], parallel: boolean, run: (a: StatefulAction) => Promise<void>) {
  const runGroup = async (g: StatefulAction[]) => {
    for (const a of g) await run(a);
  };
  if (!parallel) {
    for (const g of groups) await runGroup(g);
    return;
  }
  let next = 0;
  for (const size of slowStartBatches(groups.length)) {
    const results = await Promise.allSettled(groups.slice(next, next + size).map(runGroup));
    next += size;
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One action against the API, with upstream's events (recordPodEvent / recordClaimEvent). */
async function execute(ctx: ControllerContext, set: StatefulSet, a: StatefulAction): Promise<void> {
  const recorder = ctx.recorder(STATEFULSET_COMPONENT);
  const ns = set.metadata.namespace;
  const setName = set.metadata.name;
  const podEvent = (verb: string, pod: Pod, err?: unknown) => {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    if (err === undefined) {
      void recorder.event(
        set,
        'Normal',
        `Successful${title}`,
        `${verb} Pod ${pod.metadata.name} in StatefulSet ${setName} successful`,
      );
    } else {
      void recorder.event(
        set,
        'Warning',
        `Failed${title}`,
        `${verb} Pod ${pod.metadata.name} in StatefulSet ${setName} failed error: ${errText(err)}`,
      );
    }
  };
  const createClaims = async (pod: Pod, list: PersistentVolumeClaim[]) => {
    for (const claim of list) {
      try {
        await ctx.client.create(resourcePath(resources.persistentvolumeclaims, { namespace: ns }), claim);
        void recorder.event(
          set,
          'Normal',
          'SuccessfulCreate',
          `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${setName} success`,
        );
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        void recorder.event(
          set,
          'Warning',
          'FailedCreate',
          `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${setName} failed error: ${errText(err)}`,
        );
        throw new Error(`failed to create PVC ${claim.metadata.name}: ${errText(err)}`);
      }
    }
  };
  const podPath = (pod: Pod) => resourcePath(resources.pods, { namespace: ns, name: pod.metadata.name });
  switch (a.kind) {
    case 'createPod': {
      try {
        await createClaims(a.pod, a.claims);
      } catch (err) {
        podEvent('create', a.pod, err);
        throw err;
      }
      try {
        await ctx.client.create(resourcePath(resources.pods, { namespace: ns }), a.pod);
      } catch (err) {
        // The informer has not shown it yet: the next sync sees it.
        if (isAlreadyExists(err)) throw err;
        podEvent('create', a.pod, err);
        throw err;
      }
      podEvent('create', a.pod);
      return;
    }
    case 'createClaims':
      return createClaims(a.pod, a.claims);
    case 'deletePod':
      try {
        await ctx.client.delete(podPath(a.pod), { preconditions: { uid: a.pod.metadata.uid } });
      } catch (err) {
        if (isNotFound(err)) return;
        podEvent('delete', a.pod, err);
        throw err;
      }
      podEvent('delete', a.pod);
      return;
    case 'updatePod':
      try {
        await ctx.client.update(podPath(a.pod), a.pod);
      } catch (err) {
        podEvent('update', a.pod, err);
        throw err;
      }
      podEvent('update', a.pod);
      return;
    case 'updateClaim': {
      const path = resourcePath(resources.persistentvolumeclaims, { namespace: ns, name: a.claim.metadata.name });
      try {
        await ctx.client.update(path, a.claim);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}

const STATUS_FIELDS = [
  'observedGeneration',
  'replicas',
  'readyReplicas',
  'currentReplicas',
  'updatedReplicas',
  'availableReplicas',
  'currentRevision',
  'updateRevision',
  'collisionCount',
] as const;

/** PUT status when it differs (upstream inconsistentStatus); on a conflict once more on a fresh read. */
async function writeStatus(ctx: ControllerContext, set: StatefulSet, status: StatefulSetStatus): Promise<void> {
  const pick = (s: Partial<StatefulSetStatus> | undefined) =>
    stableJson(STATUS_FIELDS.map((f) => s?.[f] ?? (typeof status[f] === 'string' ? '' : 0)));
  if (pick(set.status) === pick(status)) return;
  const path = resourcePath(resources.statefulsets, { namespace: set.metadata.namespace, name: set.metadata.name });
  try {
    await ctx.client.updateStatus(path, { ...set, status });
  } catch (err) {
    if (isNotFound(err)) return;
    if (!isConflict(err)) throw err;
    const fresh = await ctx.client.get<StatefulSet>(path);
    if (fresh.metadata.uid !== set.metadata.uid) return;
    await ctx.client.updateStatus(path, { ...fresh, status });
  }
}
