// The rollout math as pure functions over (deployment, new ReplicaSet, old ReplicaSets, pods), after
// upstream pkg/controller/deployment (rolling.go, recreate.go, sync.go scale, util). Each step returns
// the ReplicaSet sizes to write; the controller writes them, and the next sync (driven by the
// ReplicaSets' status) takes the next step. Percentages: surge rounds up, unavailable rounds down.

import {
  type Deployment,
  isPodTerminal,
  type Pod,
  type ReplicaSet,
  scaledValueFromIntOrPercent,
} from '../../core/index.js';
import { creationMs } from '../shared/pods.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION } from './annotations.js';

export interface ScaleAction {
  name: string;
  from: number;
  to: number;
}

export type RolloutStep =
  /** Write these sizes (and the replica annotations), then sync status. */
  | { kind: 'scale'; actions: ScaleAction[] }
  /** Recreate: old pods are still there; wait for them to go. */
  | { kind: 'waitForOldPods' }
  /** Recreate: old pods are gone and there is no new ReplicaSet yet. */
  | { kind: 'createNewReplicaSet' }
  /** Nothing to scale. */
  | { kind: 'settled' };

export const desiredReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;
export const rsReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;
export const rsAvailable = (rs: ReplicaSet | undefined): number => rs?.status?.availableReplicas ?? 0;

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Absolute surge and unavailability; both zero would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const desired = desiredReplicas(d);
  const ru = d.spec?.strategy?.rollingUpdate;
  // Budgets other than an int or "N%" never get here: the spec guard refuses them (shared/spec-guard.ts).
  const surge = scaledValueFromIntOrPercent(ru?.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValueFromIntOrPercent(ru?.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isFinite(n) ? n : 0;
}

function annotationInt(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

const byCreation = (a: ReplicaSet, b: ReplicaSet) =>
  creationMs(a) - creationMs(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/** Size the new ReplicaSet may grow to now (NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = rsReplicas(newRS);
  const maxTotal = desired + maxSurge(d);
  const total = sum(allRSs, rsReplicas);
  if (total >= maxTotal) return current;
  const scaleUp = Math.min(maxTotal - total, desired - current);
  return current + Math.max(0, scaleUp);
}

/** reconcileNewReplicaSet: grow within surge, or shrink to desired. */
export function reconcileNewReplicaSet(
  d: Deployment,
  allRSs: ReplicaSet[],
  newRS: ReplicaSet,
): ScaleAction | undefined {
  const desired = desiredReplicas(d);
  const from = rsReplicas(newRS);
  if (from === desired) return undefined;
  const to = from > desired ? desired : newRSNewReplicas(d, allRSs, newRS);
  return to === from ? undefined : { name: newRS.metadata.name!, from, to };
}

/**
 * reconcileOldReplicaSets: shrink old ReplicaSets as far as availability allows. First unhealthy old
 * replicas (they do not count as available anyway), then healthy ones down to minAvailable.
 */
export function reconcileOldReplicaSets(
  d: Deployment,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet | undefined,
): ScaleAction[] {
  if (sum(oldRSs, rsReplicas) === 0) return [];
  let allPods = sum(allRSs, rsReplicas);
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - rsAvailable(newRS);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const sizes = new Map(oldRSs.map((rs) => [rs.metadata.name!, rsReplicas(rs)]));
  const sorted = [...oldRSs].sort(byCreation);
  // cleanupUnhealthyReplicas
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs.metadata.name!)!;
    if (size === 0 || rsAvailable(rs) === size) continue;
    const down = Math.min(maxScaledDown - cleaned, size - rsAvailable(rs));
    sizes.set(rs.metadata.name!, size - down);
    cleaned += down;
  }
  allPods -= cleaned;
  // scaleDownOldReplicaSetsForRollingUpdate
  const availableNow = sum(allRSs, rsAvailable);
  if (availableNow > minAvailable) {
    const total = availableNow - minAvailable;
    let done = 0;
    for (const rs of sorted) {
      if (done >= total) break;
      const size = sizes.get(rs.metadata.name!)!;
      if (size === 0) continue;
      const down = Math.min(size, total - done);
      sizes.set(rs.metadata.name!, size - down);
      done += down;
    }
  }
  return sorted
    .map((rs) => ({ name: rs.metadata.name!, from: rsReplicas(rs), to: sizes.get(rs.metadata.name!)! }))
    .filter((a) => a.to !== a.from);
}

/** One RollingUpdate step: grow the new ReplicaSet first; if it cannot grow, shrink the old ones. */
export function rollingUpdateStep(d: Deployment, newRS: ReplicaSet, oldRSs: ReplicaSet[]): RolloutStep {
  const all = [...oldRSs, newRS];
  const up = reconcileNewReplicaSet(d, all, newRS);
  if (up) return { kind: 'scale', actions: [up] };
  const down = reconcileOldReplicaSets(d, all, oldRSs, newRS);
  if (down.length > 0) return { kind: 'scale', actions: down };
  return { kind: 'settled' };
}

/** Old pods that still run (or may run) under a Recreate rollout. */
export function oldPodsRunning(oldRSs: ReplicaSet[], podsOfOld: Pod[]): boolean {
  if (sum(oldRSs, (rs) => rs.status?.replicas ?? 0) > 0) return true;
  return podsOfOld.some((p) => !isPodTerminal(p));
}

/** One Recreate step: every old ReplicaSet to 0, wait for their pods to go, then the new one up. */
export function recreateStep(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  podsOfOld: Pod[],
): RolloutStep {
  const down = oldRSs
    .filter((rs) => rsReplicas(rs) > 0)
    .map((rs) => ({ name: rs.metadata.name!, from: rsReplicas(rs), to: 0 }));
  if (down.length > 0) return { kind: 'scale', actions: down };
  if (oldPodsRunning(oldRSs, podsOfOld)) return { kind: 'waitForOldPods' };
  if (!newRS) return { kind: 'createNewReplicaSet' };
  const desired = desiredReplicas(d);
  if (rsReplicas(newRS) === desired) return { kind: 'settled' };
  return { kind: 'scale', actions: [{ name: newRS.metadata.name!, from: rsReplicas(newRS), to: desired }] };
}

/** Replica annotations differ from what the deployment now asks for (SetReplicasAnnotations). */
export function replicaAnnotationsNeedUpdate(d: Deployment, rs: ReplicaSet): boolean {
  const a = rs.metadata.annotations ?? {};
  return (
    a[DESIRED_REPLICAS_ANNOTATION] !== String(desiredReplicas(d)) ||
    a[MAX_REPLICAS_ANNOTATION] !== String(desiredReplicas(d) + maxSurge(d))
  );
}

/** The deployment was resized since these ReplicaSets were last sized (isScalingEvent). */
export function isScalingEvent(d: Deployment, rss: ReplicaSet[]): boolean {
  for (const rs of rss) {
    if (rsReplicas(rs) <= 0) continue;
    const desired = annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
    if (desired !== undefined && desired !== desiredReplicas(d)) return true;
  }
  return false;
}

export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
  return (
    desired === desiredReplicas(d) && rsReplicas(rs) === desiredReplicas(d) && rsAvailable(rs) === desiredReplicas(d)
  );
}

function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  const active = all.filter((rs) => rsReplicas(rs) > 0);
  if (active.length === 0) return newRS ?? [...oldRSs].sort(byCreation).at(-1);
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * Resize (upstream `scale`): with one active ReplicaSet it takes the new size; otherwise the change is
 * spread over the active ReplicaSets in proportion to their size (proportional scaling mid-rollout).
 * Returns every active ReplicaSet's target so their replica annotations get refreshed too.
 */
export function proportionalScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ScaleAction[] {
  const desired = desiredReplicas(d);
  const one = findActiveOrLatest(newRS, oldRSs);
  if (one) return [{ name: one.metadata.name!, from: rsReplicas(one), to: desired }];
  if (isSaturated(d, newRS)) {
    return oldRSs
      .filter((rs) => rsReplicas(rs) > 0)
      .map((rs) => ({ name: rs.metadata.name!, from: rsReplicas(rs), to: 0 }));
  }
  if (!isRollingUpdate(d)) return [];
  const active = [...oldRSs, ...(newRS ? [newRS] : [])].filter((rs) => rsReplicas(rs) > 0);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - sum(active, rsReplicas);
  // Bigger first; on ties newer first when growing, older first when shrinking.
  active.sort((a, b) => rsReplicas(b) - rsReplicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of active) {
    let proportion = 0;
    if (toAdd !== 0 && toAdd !== added) {
      const fraction = replicaSetFraction(d, rs);
      const left = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
    }
    sizes.set(rs.metadata.name!, rsReplicas(rs) + proportion);
    added += proportion;
  }
  if (toAdd !== 0 && active.length > 0) {
    const first = active[0]!.metadata.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return active.map((rs) => ({ name: rs.metadata.name!, from: rsReplicas(rs), to: sizes.get(rs.metadata.name!)! }));
}

/** How many replicas rs gains (or loses) in a proportional resize (getReplicaSetFraction). */
function replicaSetFraction(d: Deployment, rs: ReplicaSet): number {
  const desired = desiredReplicas(d);
  if (desired === 0) return -rsReplicas(rs);
  const target = desired + maxSurge(d);
  const annotated = annotationInt(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return Math.round((rsReplicas(rs) * target) / annotated) - rsReplicas(rs);
}

/** Old ReplicaSets beyond revisionHistoryLimit that are fully scaled down and may be deleted. */
export function historyToDelete(d: Deployment, oldRSs: ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined) return [];
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = cleanable.length - limit;
  if (excess <= 0) return [];
  const sorted = [...cleanable].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  return sorted
    .slice(0, excess)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        rsReplicas(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}
