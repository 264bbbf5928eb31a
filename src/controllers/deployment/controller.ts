// The Deployment controller: rolls a Deployment's pods from one template to the next through
// ReplicaSets. Data flow: Deployment, ReplicaSet and pod informers -> queue of Deployment keys ->
// sync(key): claim ReplicaSets, find or create the new one, take one step of rollout.ts, write the
// ReplicaSet sizes, then the status (status.ts). ReplicaSet status changes drive the next step.

import {
  type EventRecorder,
  isAlreadyExists,
  isConflict,
  isNotFound,
  NAMESPACE_INDEX,
  objectKey,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import {
  type Deployment,
  type DeploymentStatus,
  type LabelSelector,
  labelSelectorFromObject,
  type Pod,
  type ReplicaSet,
  type ReplicaSetSpec,
  jsonEqual,
  resources,
} from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { adoptPatch, claimObjects, controllerRef, newControllerRef, releasePatch } from '../shared/ownership.js';
import { REVISION_ANNOTATION } from './annotations.js';
import { templatesEqualIgnoringHash } from './hash.js';
import {
  findNewReplicaSet,
  maxRevision,
  newReplicaSet,
  newReplicaSetAnnotations,
  setReplicaAnnotations,
} from './replicasets.js';
import {
  historyToDelete,
  isScalingEvent,
  newRSNewReplicas,
  proportionalScale,
  type RolloutStep,
  recreateStep,
  replicaAnnotationsNeedUpdate,
  revisionOf,
  rollingUpdateStep,
  rsReplicas,
  type ScaleAction,
  isRollingUpdate,
} from './rollout.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentStatusEqual,
  getCondition,
  newCondition,
  PROGRESSING,
  pausedCondition,
  rolloutStatus,
  setCondition,
} from './status.js';

export const DEPLOYMENT_COMPONENT = 'deployment-controller';

export function startDeploymentController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const dInformer = ctx.informers.forResource<Deployment>(resources.deployments);
  const rsInformer = ctx.informers.forResource<ReplicaSet>(resources.replicasets);
  const podInformer = ctx.informers.forResource<Pod>(resources.pods);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const recorder = ctx.recorder(DEPLOYMENT_COMPONENT);
  const guard = new SpecGuard(recorder, 'Deployment', 'apps/v1', ctx.log);

  const enqueueOwner = (obj: ReplicaSet) => {
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.kind === 'Deployment') queue.add(objectKey({ namespace: obj.metadata.namespace, name: ref.name }));
      return;
    }
    for (const d of dInformer.byIndex(NAMESPACE_INDEX, obj.metadata.namespace ?? '')) {
      if (selectorOf(d)?.matches(obj.metadata.labels)) queue.add(keyOf(d));
    }
  };
  dInformer.addEventHandler({
    onAdd: (d) => queue.add(keyOf(d)),
    onUpdate: (_o, d) => queue.add(keyOf(d)),
    onDelete: (d) => queue.add(keyOf(d)),
  });
  rsInformer.addEventHandler({
    onAdd: enqueueOwner,
    onUpdate: (old, rs) => {
      if (controllerRef(old)?.uid !== controllerRef(rs)?.uid) enqueueOwner(old);
      enqueueOwner(rs);
    },
    onDelete: enqueueOwner,
  });
  // Recreate waits for old pods to be gone: their deletion must wake the deployment.
  podInformer.addEventHandler({
    onDelete: (pod) => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = rsInformer.get(objectKey({ namespace: pod.metadata.namespace, name: ref.name }));
      if (rs) enqueueOwner(rs);
    },
  });

  const sync = async (key: string) => {
    const cached = dInformer.get(key);
    if (!cached) return;
    const d: Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', ...structuredClone(cached) };
    if (guard.refuse(d)) return;
    const selector = selectorOf(d);
    if (!selector || selector.empty()) {
      void recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    const w = new DeploymentSync(ctx, recorder, d, selector);
    const rss = await w.claimReplicaSets(rsInformer.byIndex(NAMESPACE_INDEX, d.metadata.namespace ?? ''));
    const recheck = await w.run(rss, (rs) =>
      podInformer
        .byIndex(NAMESPACE_INDEX, d.metadata.namespace ?? '')
        .filter((p) => controllerRef(p)?.uid === rs.metadata.uid),
    );
    if (recheck !== undefined) queue.addAfter(key, recheck);
  };

  return runWorkers({
    name: DEPLOYMENT_COMPONENT,
    ctx,
    queue,
    waitFor: [dInformer, rsInformer, podInformer],
    workers: opts.workers ?? 2,
    sync,
  });
}

function selectorOf(d: Deployment): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(d.spec?.selector);
  } catch {
    return undefined;
  }
}

/** One sync of one Deployment; holds the in-memory copies of its ReplicaSets as they are written. */
class DeploymentSync {
  private readonly ns: string;
  private readonly log: Record<string, unknown>;
  /** The status as read; writes compare against it (d.status gathers conditions set during the sync). */
  private readonly observedStatus: DeploymentStatus | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly recorder: EventRecorder,
    private readonly d: Deployment,
    private readonly selector: LabelSelector,
  ) {
    this.ns = d.metadata.namespace ?? 'default';
    this.log = { namespace: this.ns, name: d.metadata.name };
    this.observedStatus = structuredClone(d.status);
  }

  async claimReplicaSets(candidates: ReplicaSet[]): Promise<ReplicaSet[]> {
    const claim = claimObjects(this.d, this.selector, candidates);
    const owned = [...claim.owned];
    for (const rs of claim.adopt) {
      try {
        owned.push(
          await this.ctx.client.patch<ReplicaSet>(
            this.rsPath(rs.metadata.name!),
            adoptPatch(rs, newControllerRef(this.d, 'apps/v1', 'Deployment')),
            'strategic',
          ),
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    for (const rs of claim.release) {
      try {
        await this.ctx.client.patch(
          this.rsPath(rs.metadata.name!),
          releasePatch(rs, this.d.metadata.uid!),
          'strategic',
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return owned.map((rs) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', ...structuredClone(rs) }));
  }

  /** Returns a delay after which to sync again (progress deadline), if any. */
  async run(rss: ReplicaSet[], podsOf: (rs: ReplicaSet) => Pod[]): Promise<number | undefined> {
    const d = this.d;
    const now = this.ctx.clock.now();
    if (d.metadata.deletionTimestamp) {
      await this.writeStatus(calculateStatus(d, rss, findNewReplicaSet(d, rss), now));
      return undefined;
    }
    const withPaused: DeploymentStatus = { conditions: d.status?.conditions?.map((c) => ({ ...c })) };
    if (pausedCondition(d, withPaused, now)) d.status = { ...(d.status ?? {}), conditions: withPaused.conditions };

    let newRS = findNewReplicaSet(d, rss);
    let oldRSs = rss.filter((rs) => rs !== newRS);
    const active = rss.filter((rs) => rsReplicas(rs) > 0);
    if (d.spec?.paused || isScalingEvent(d, active)) {
      if (newRS) newRS = await this.syncNewReplicaSet(newRS, oldRSs);
      await this.applyScale(proportionalScale(d, newRS, oldRSs), rss);
      if (d.spec?.paused) await this.cleanupHistory(oldRSs);
      await this.writeStatus(calculateStatus(d, rss, newRS, now));
      return undefined;
    }

    let step: RolloutStep;
    if (isRollingUpdate(d)) {
      newRS = newRS ? await this.syncNewReplicaSet(newRS, oldRSs) : await this.createNewReplicaSet(oldRSs, rss);
      if (!newRS) return undefined;
      if (!rss.includes(newRS)) rss = [...oldRSs, newRS];
      oldRSs = rss.filter((rs) => rs !== newRS);
      step = rollingUpdateStep(d, newRS, oldRSs);
    } else {
      if (newRS) newRS = await this.syncNewReplicaSet(newRS, oldRSs);
      step = recreateStep(d, newRS, oldRSs, oldRSs.flatMap(podsOf));
      if (step.kind === 'createNewReplicaSet') {
        newRS = await this.createNewReplicaSet(oldRSs, rss);
        if (newRS) rss = [...oldRSs, newRS];
      }
    }
    if (step.kind === 'scale') await this.applyScale(step.actions, rss);
    else if (step.kind === 'settled' && d.status && deploymentComplete(d, d.status)) await this.cleanupHistory(oldRSs);

    const { status, recheckAfterMs } = rolloutStatus(d, rss, newRS, now);
    await this.writeStatus(status);
    return recheckAfterMs;
  }

  /** Keeps the existing new ReplicaSet's annotations and minReadySeconds in step with the deployment. */
  private async syncNewReplicaSet(rs: ReplicaSet, oldRSs: ReplicaSet[]): Promise<ReplicaSet> {
    const d = this.d;
    const revision = maxRevision(oldRSs) + 1;
    // An unset minReadySeconds reads back as absent (the server omits zero): compare it as 0.
    const read = structuredClone({
      annotations: rs.metadata.annotations ?? {},
      spec: { ...rs.spec, minReadySeconds: rs.spec?.minReadySeconds ?? 0 },
    });
    newReplicaSetAnnotations(d, rs, revision, false);
    const minReady = d.spec?.minReadySeconds ?? 0;
    const next = { ...(rs.spec as ReplicaSetSpec), minReadySeconds: minReady };
    // Write only what differs from what was read (deep-equal): a value that never reads back equal
    // cannot drive a write loop.
    if (!jsonEqual(read, { annotations: rs.metadata.annotations ?? {}, spec: next })) {
      rs.spec = next;
      const updated = await this.ctx.client.update<ReplicaSet>(this.rsPath(rs.metadata.name!), rs);
      Object.assign(rs, updated);
    }
    await this.syncDeploymentRevision(rs);
    if (!getCondition(d.status, PROGRESSING) && this.hasDeadline()) {
      this.setPending(
        newCondition(
          PROGRESSING,
          'True',
          'FoundNewReplicaSet',
          `Found new replica set "${rs.metadata.name}"`,
          this.ctx.clock.now(),
        ),
      );
    }
    return rs;
  }

  private async createNewReplicaSet(oldRSs: ReplicaSet[], all: ReplicaSet[]): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const replicas = newRSNewReplicas(d, oldRSs, undefined);
    const body = newReplicaSet(d, maxRevision(oldRSs) + 1, replicas);
    let created: ReplicaSet;
    try {
      created = await this.ctx.client.create<ReplicaSet>(
        resourcePath(resources.replicasets, { namespace: this.ns }),
        body,
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.ctx.client.get<ReplicaSet>(this.rsPath(body.metadata.name!));
      if (
        controllerRef(existing)?.uid === d.metadata.uid &&
        templatesEqualIgnoringHash(existing.spec?.template, d.spec?.template)
      ) {
        return all.find((rs) => rs.metadata.uid === existing.metadata.uid) ?? existing;
      }
      // A hash collision with someone else's ReplicaSet: bump collisionCount so the next name differs.
      const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      await this.writeStatus(status);
      throw new Error(`replica set name collision for ${body.metadata.name}`);
    }
    created.apiVersion ??= 'apps/v1';
    created.kind ??= 'ReplicaSet';
    this.ctx.log('deployment: created replica set', { ...this.log, replicaSet: created.metadata.name, replicas });
    if (replicas > 0) {
      void this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} to ${replicas} from 0`,
      );
    }
    await this.syncDeploymentRevision(created);
    if (this.hasDeadline()) {
      this.setPending(
        newCondition(
          PROGRESSING,
          'True',
          'NewReplicaSetCreated',
          `Created new replica set "${created.metadata.name}"`,
          this.ctx.clock.now(),
        ),
      );
    }
    return created;
  }

  private hasDeadline(): boolean {
    const s = this.d.spec?.progressDeadlineSeconds;
    return s !== undefined && s !== 2147483647;
  }

  private setPending(cond: ReturnType<typeof newCondition>): void {
    const status = { ...(this.d.status ?? {}), conditions: [...(this.d.status?.conditions ?? [])] };
    setCondition(status, cond);
    this.d.status = status;
  }

  /** The deployment's revision annotation follows its new ReplicaSet's (kubectl rollout history reads it). */
  private async syncDeploymentRevision(rs: ReplicaSet): Promise<void> {
    const want = String(revisionOf(rs));
    if (this.d.metadata.annotations?.[REVISION_ANNOTATION] === want) return;
    const patched = await this.ctx.client.patch<Deployment>(
      resourcePath(resources.deployments, { namespace: this.ns, name: this.d.metadata.name }),
      { metadata: { annotations: { [REVISION_ANNOTATION]: want } } },
      'merge',
    );
    this.d.metadata.resourceVersion = patched.metadata.resourceVersion;
    this.d.metadata.annotations = patched.metadata.annotations;
  }

  /** Writes each ReplicaSet's size and replica annotations; updates the in-memory copies in rss. */
  private async applyScale(actions: ScaleAction[], rss: ReplicaSet[]): Promise<void> {
    for (const a of actions) {
      const rs = rss.find((r) => r.metadata.name === a.name);
      if (!rs) continue;
      const sizeChanged = !jsonEqual(rs.spec?.replicas, a.to);
      if (!sizeChanged && !replicaAnnotationsNeedUpdate(this.d, rs)) continue;
      const body: ReplicaSet = structuredClone(rs);
      body.spec = { ...(body.spec as ReplicaSetSpec), replicas: a.to };
      body.metadata.annotations = { ...(body.metadata.annotations ?? {}) };
      setReplicaAnnotations(this.d, body.metadata.annotations);
      // Deep-equal on what would be written against what was read: nothing to write, no write.
      if (jsonEqual([body.spec, body.metadata.annotations], [rs.spec, rs.metadata.annotations ?? {}])) continue;
      const updated = await this.ctx.client.update<ReplicaSet>(this.rsPath(a.name), body);
      Object.assign(rs, updated);
      if (sizeChanged) {
        const op = a.to > a.from ? 'up' : 'down';
        this.ctx.log('deployment: scaled replica set', { ...this.log, replicaSet: a.name, from: a.from, to: a.to });
        void this.recorder.event(
          this.d,
          'Normal',
          'ScalingReplicaSet',
          `Scaled ${op} replica set ${a.name} to ${a.to} from ${a.from}`,
        );
      }
    }
  }

  private async cleanupHistory(oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of historyToDelete(this.d, oldRSs)) {
      try {
        await this.ctx.client.delete(this.rsPath(rs.metadata.name!), { preconditions: { uid: rs.metadata.uid } });
        this.ctx.log('deployment: deleted old replica set', { ...this.log, replicaSet: rs.metadata.name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async writeStatus(status: DeploymentStatus): Promise<void> {
    if (deploymentStatusEqual(this.observedStatus, status)) return;
    const path = resourcePath(resources.deployments, { namespace: this.ns, name: this.d.metadata.name });
    try {
      try {
        await this.ctx.client.updateStatus<Deployment>(path, { ...this.d, status });
      } catch (err) {
        // Someone changed the spec or annotations meanwhile: the status still describes what this sync
        // observed (observedGeneration says which generation), so write it on the fresh object.
        if (!isConflict(err)) throw err;
        const fresh = await this.ctx.client.get<Deployment>(path);
        if (fresh.metadata.uid !== this.d.metadata.uid) return;
        await this.ctx.client.updateStatus<Deployment>(path, { ...fresh, status });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private rsPath(name: string): string {
    return resourcePath(resources.replicasets, { namespace: this.ns, name });
  }
}
