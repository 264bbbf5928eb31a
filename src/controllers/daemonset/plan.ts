// Pure: what a DaemonSet sync must do on a snapshot (upstream manage + rollingUpdate + updateStatus).
// Buckets per node: nodes needing a pod, surplus/failed/misplaced pods to delete, old-revision pods to
// replace within maxUnavailable (or to surge past with maxSurge), and the status counts.

import {
  type DaemonSet,
  type DaemonSetStatus,
  isPodReady,
  type Node,
  type Pod,
  scaledValueFromIntOrPercent,
} from '../../core/index.js';
import { isPodAvailable } from '../shared/pods.js';
import { daemonPodSpec, REVISION_HASH_LABEL, targetNodeName } from './daemon-pod.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';

/** The status a sync computes: every count set (the API type leaves some optional). */
export type DaemonSetCounts = DaemonSetStatus &
  Required<
    Pick<
      DaemonSetStatus,
      | 'currentNumberScheduled'
      | 'numberMisscheduled'
      | 'desiredNumberScheduled'
      | 'numberReady'
      | 'updatedNumberScheduled'
      | 'numberAvailable'
      | 'numberUnavailable'
    >
  >;

export interface DaemonSetPlan {
  /** Nodes to create a pod for (with the current template). */
  create: string[];
  /** Pods to delete, with the reason (for events and logs). */
  delete: { pod: Pod; reason: 'failed' | 'surplus' | 'misscheduled' | 'node-gone' | 'rollout' }[];
  status: DaemonSetCounts;
}

/**
 * An int or a percentage of total, rounded up for maxUnavailable and maxSurge as upstream (SurgeCount,
 * UnavailableCount), at least 0; `fallback` when unset. Other strings never get here: the spec guard
 * refuses them (shared/spec-guard.ts).
 */
export function scaledValue(v: number | string | undefined, total: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  return Math.max(0, scaledValueFromIntOrPercent(v, total, true));
}

const byAge = (a: Pod, b: Pod) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export function planDaemonSet(
  ds: DaemonSet,
  nodes: readonly Node[],
  ownedPods: readonly Pod[],
  hash: string,
  now: number,
): DaemonSetPlan {
  const spec = daemonPodSpec(ds.spec?.template);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const plan: DaemonSetPlan = {
    create: [],
    delete: [],
    status: {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
      updatedNumberScheduled: 0,
      numberAvailable: 0,
      numberUnavailable: 0,
    },
  };
  const byNode = new Map<string, Pod[]>();
  const nodeNames = new Set(nodes.map((n) => n.metadata.name ?? ''));
  for (const pod of ownedPods) {
    const target = targetNodeName(pod);
    if (!target) continue;
    if (!nodeNames.has(target)) {
      // Unbound pods aimed at a node that is gone would stay Pending forever; bound ones are pod GC's.
      if (!pod.spec?.nodeName && !pod.metadata.deletionTimestamp) plan.delete.push({ pod, reason: 'node-gone' });
      continue;
    }
    const list = byNode.get(target) ?? [];
    list.push(pod);
    byNode.set(target, list);
  }

  const isNew = (p: Pod) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash;
  /** Per node that should run: the live pods after manage, for the rollout pass. */
  const live = new Map<string, Pod[]>();
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(spec, node);
    const pods = byNode.get(name) ?? [];
    const running = pods.filter((p) => !p.metadata.deletionTimestamp);
    if (shouldRun) plan.status.desiredNumberScheduled++;
    if (pods.length > 0) {
      if (shouldRun) plan.status.currentNumberScheduled++;
      else plan.status.numberMisscheduled++;
    }
    if (shouldRun && pods.length === 0) {
      plan.create.push(name);
      continue;
    }
    if (!shouldContinueRunning) {
      for (const pod of running) plan.delete.push({ pod, reason: 'misscheduled' });
      continue;
    }
    const healthy: Pod[] = [];
    for (const pod of running) {
      if (pod.status?.phase === 'Failed') plan.delete.push({ pod, reason: 'failed' });
      else healthy.push(pod);
    }
    healthy.sort(byAge);
    let keep = healthy;
    if (!rolling || scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge, 1, 0) === 0 || healthy.length > 2) {
      keep = healthy.slice(0, 1);
      for (const pod of healthy.slice(1)) plan.delete.push({ pod, reason: 'surplus' });
    } else if (healthy.length === 2 && isNew(healthy[0]!) === isNew(healthy[1]!)) {
      keep = healthy.slice(0, 1);
      plan.delete.push({ pod: healthy[1]!, reason: 'surplus' });
    }
    if (!shouldRun) continue;
    live.set(name, keep);
    const newest = keep.find(isNew);
    const counted = newest ?? keep[0];
    if (counted && isPodReady(counted)) plan.status.numberReady++;
    if (counted && isPodAvailable(counted, minReady, now)) plan.status.numberAvailable++;
    if (newest) plan.status.updatedNumberScheduled++;
  }
  plan.status.numberUnavailable = Math.max(0, plan.status.desiredNumberScheduled - plan.status.numberAvailable);
  if (rolling) rollout(ds, live, plan, isNew, minReady, now);
  return plan;
}

/** Replaces old-revision pods: surge=0 deletes within maxUnavailable; surge>0 creates first, then deletes. */
function rollout(
  ds: DaemonSet,
  live: Map<string, Pod[]>,
  plan: DaemonSetPlan,
  isNew: (p: Pod) => boolean,
  minReady: number,
  now: number,
) {
  const desired = plan.status.desiredNumberScheduled;
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, desired, 0);
  const maxUnavailable = scaledValue(ru?.maxUnavailable, desired, maxSurge === 0 ? 1 : 0);
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  if (maxSurge === 0) {
    let unavailable = 0;
    const freeToReplace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [, pods] of live) {
      const pod = pods[0];
      if (!pod) {
        unavailable++;
        continue;
      }
      if (isNew(pod)) {
        if (!available(pod)) unavailable++;
      } else if (!available(pod)) {
        freeToReplace.push(pod); // already unavailable: replacing it costs nothing
      } else {
        candidates.push(pod);
      }
    }
    unavailable += plan.create.length;
    const budget = Math.max(0, maxUnavailable - unavailable);
    for (const pod of freeToReplace) plan.delete.push({ pod, reason: 'rollout' });
    for (const pod of candidates.slice(0, budget)) plan.delete.push({ pod, reason: 'rollout' });
    return;
  }
  let surging = 0;
  const wantSurge: string[] = [];
  for (const [node, pods] of live) {
    const newPod = pods.find(isNew);
    const oldPod = pods.find((p) => !isNew(p));
    if (!oldPod) continue;
    if (newPod) {
      if (available(newPod)) plan.delete.push({ pod: oldPod, reason: 'rollout' });
      else surging++;
    } else if (!available(oldPod)) {
      plan.delete.push({ pod: oldPod, reason: 'rollout' });
    } else {
      wantSurge.push(node);
    }
  }
  plan.create.push(...wantSurge.slice(0, Math.max(0, maxSurge - surging)));
}
