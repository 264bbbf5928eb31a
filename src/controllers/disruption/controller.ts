// Disruption controller (upstream pkg/controller/disruption): PodDisruptionBudget status from pod readiness.
//
// budgets, pods, and the pods' controllers (ReplicaSets, Deployments, ReplicationControllers, StatefulSets)
// ──▶ queue of budget keys ──▶ sync: computePdbStatus ─▶ PUT status (or the fail-safe status) ─▶ requeue when
//   an evicted pod's deletion is overdue

import { isConflict, isNotFound, NAMESPACE_INDEX, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import {
  type Deployment,
  type OwnerReference,
  type Pod,
  type PodDisruptionBudget,
  type ReplicaSet,
  type ReplicationController,
  resources,
  type StatefulSet,
  selectorOrNothing,
} from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { controllerRef } from '../shared/ownership.js';
import {
  CalculateError,
  computePdbStatus,
  failSafeStatus,
  type PdbEvent,
  type PdbStatus,
  type ScaleFinder,
} from './status.js';

/** Upstream's disruption controller records events as the controller manager itself. */
export const DISRUPTION_COMPONENT = 'controllermanager';

export function startDisruptionController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const { client, clock } = ctx;
  const recorder = ctx.recorder(DISRUPTION_COMPONENT);
  const pdbs = ctx.informers.forResource<PodDisruptionBudget>(resources.poddisruptionbudgets);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const replicaSets = ctx.informers.forResource<ReplicaSet>(resources.replicasets);
  const deployments = ctx.informers.forResource<Deployment>(resources.deployments);
  const rcs = ctx.informers.forResource<ReplicationController>(resources.replicationcontrollers);
  const statefulSets = ctx.informers.forResource<StatefulSet>(resources.statefulsets);
  const queue = new WorkQueue<string>({ clock });

  const budgetsOf = (ns: string | undefined) => pdbs.byIndex(NAMESPACE_INDEX, ns ?? '');
  const enqueueForPod = (...ps: (Pod | undefined)[]) => {
    for (const pdb of budgetsOf(ps.find((p) => p)?.metadata.namespace)) {
      const sel = selectorOrNothing(pdb.spec?.selector);
      if (ps.some((p) => p && sel.matches(p.metadata.labels))) queue.add(keyOf(pdb));
    }
  };
  pdbs.addEventHandler({
    onAdd: (b) => queue.add(keyOf(b)),
    onUpdate: (_o, b) => queue.add(keyOf(b)),
    onDelete: (b) => queue.add(keyOf(b)),
  });
  pods.addEventHandler({
    onAdd: (p) => enqueueForPod(p),
    onUpdate: (o, p) => enqueueForPod(o, p),
    onDelete: (p) => enqueueForPod(p),
  });
  // A controller's scale is the denominator of percentages: budgets of its namespace look again when it changes.
  const scaleChanged = (o: { metadata: { namespace?: string }; spec?: { replicas?: number } }, n: typeof o) => {
    if (o.spec?.replicas !== n.spec?.replicas) for (const b of budgetsOf(n.metadata.namespace)) queue.add(keyOf(b));
  };
  replicaSets.addEventHandler({ onUpdate: scaleChanged });
  deployments.addEventHandler({ onUpdate: scaleChanged });
  rcs.addEventHandler({ onUpdate: scaleChanged });
  statefulSets.addEventHandler({ onUpdate: scaleChanged });

  /** The finders, in upstream's order: ReplicaSet (not a Deployment's), Deployment, RC, StatefulSet. */
  const find: ScaleFinder = (pod) => {
    const ref = controllerRef(pod);
    if (!ref) return undefined;
    const ns = pod.metadata.namespace;
    const lookup = <T extends { metadata: { uid?: string } }>(
      inf: { get(k: string): T | undefined },
      r: OwnerReference,
    ) => {
      const obj = inf.get(objectKey({ namespace: ns, name: r.name }));
      return obj?.metadata.uid === r.uid ? obj : undefined;
    };
    if (ref.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/')) {
      const rs = lookup(replicaSets, ref);
      if (!rs) return undefined;
      const owner = controllerRef(rs);
      if (owner?.kind === 'Deployment') {
        const d = lookup(deployments, owner);
        return d ? { uid: d.metadata.uid!, scale: d.spec?.replicas ?? 1 } : undefined;
      }
      return { uid: rs.metadata.uid!, scale: rs.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'ReplicationController' && ref.apiVersion === 'v1') {
      const rc = lookup(rcs, ref);
      return rc ? { uid: rc.metadata.uid!, scale: rc.spec?.replicas ?? 1 } : undefined;
    }
    if (ref.kind === 'StatefulSet' && ref.apiVersion.startsWith('apps/')) {
      const ss = lookup(statefulSets, ref);
      return ss ? { uid: ss.metadata.uid!, scale: ss.spec?.replicas ?? 1 } : undefined;
    }
    return undefined;
  };

  const emit = (pdb: PodDisruptionBudget, events: PdbEvent[]) => {
    for (const e of events) {
      const about = e.pod ? { ...e.pod, apiVersion: 'v1', kind: 'Pod' } : pdb;
      void recorder.event(about, e.type, e.reason, e.message);
    }
  };
  const writeStatus = async (pdb: PodDisruptionBudget, status: PdbStatus) => {
    const path = resourcePath(resources.poddisruptionbudgets, {
      namespace: pdb.metadata.namespace,
      name: pdb.metadata.name,
    });
    try {
      await client.updateStatus(path, { ...pdb, status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const sync = async (key: string): Promise<void> => {
    const cached = pdbs.get(key);
    if (!cached) return;
    const pdb: PodDisruptionBudget = { ...cached, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
    const selector = selectorOrNothing(pdb.spec?.selector);
    const matching = pods
      .byIndex(NAMESPACE_INDEX, pdb.metadata.namespace ?? '')
      .filter((p) => selector.matches(p.metadata.labels));
    const now = clock.now();
    try {
      const r = computePdbStatus(pdb, matching, find, now);
      emit(pdb, r.events);
      if (r.status) await writeStatus(pdb, r.status);
      if (r.recheckAt !== undefined) queue.addAfter(key, Math.max(0, r.recheckAt - now));
    } catch (err) {
      // A conflict is only a stale cache: retry without failing safe.
      if (isConflict(err)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof CalculateError) {
        emit(pdb, [
          {
            type: 'Warning',
            reason: 'CalculateExpectedPodCountFailed',
            message: `Failed to calculate the number of expected pods: ${message}`,
          },
        ]);
      }
      ctx.log('disruption: sync failed, failing safe', { controller: 'disruption', object: key, error: message });
      await writeStatus(pdb, failSafeStatus(pdb, message, now));
    }
  };

  return runWorkers({
    name: 'disruption',
    ctx,
    queue,
    waitFor: [pdbs, pods, replicaSets, deployments, rcs, statefulSets],
    workers: opts.workers ?? 2,
    sync,
  });
}
